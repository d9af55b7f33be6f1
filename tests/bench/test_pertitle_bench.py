"""Fixed vs per-title ladders on clips of different kinds, and where the encode time goes.

Clips (4 s, 1280x720, all from the real Big Buck Bunny footage in tests/fixtures):

- ``animation``: the clip as it is (CGI animation);
- ``noisy-motion``: the same footage with heavy temporal film grain and a shaking
  camera (a moving crop, scaled back to 720p): hard to compress, like handheld film;
- ``soft-upscale``: the footage brought down to 480x270 and back up to 720p, like an
  SD source upscaled for a 720p master: the larger rungs add little (the hull's case).

For each clip the default (fixed) ladder is encoded first, with VMAF in the quality pass;
then the same rungs with ``strategy: perTitle`` aiming at the VMAF the fixed top rung
measured (equal quality at the top), so the byte counts compare like with like. Both
runs leave out the default ladder's ``x264`` speed settings, which per-title refuses
(with them its CRF encodes kept little of their savings), so both encode alike. Printed:
bytes and VMAF per rung side by side, the totals' ratio, the seconds per-title adds, and
kinema.json's stage times. Then the encode-speed breakdown of that ladder on the first
clip: decode alone, decode + scale to every rung, and each rung's x264 alone.

CI runs two of the kinds (``animation`` and ``soft-upscale``: under CI's minute per
benchmark as far as encodes allow); ``KINEMA_BENCH_PERTITLE_ALL=1`` runs all three.

Asserts sanity only (complete outputs, a decision with VMAF per kept rung); the ratios
are printed, not asserted (CI machines vary).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from kinema.ffmpeg import ffmpeg_path
from kinema.ladder import LadderPlan, PlannedRung
from kinema.pertitle import TrialPoint, decide
from kinema.resources.ladder import load_ladder

pytestmark = pytest.mark.bench

CLIP = Path(__file__).parents[1] / "fixtures" / "media" / "bigbuckbunny.mp4"
SECONDS = 4
ALL_KINDS = {
    "animation": "null",
    "noisy-motion": (
        "noise=alls=28:allf=t+u,"
        "crop=1152:648:x='64+60*sin(n/3)':y='36+32*cos(n/4)',scale=1280:720:flags=bicubic"
    ),
    "soft-upscale": "scale=480:270:flags=area,scale=1280:720:flags=bicubic",
}


KINDS = (
    ALL_KINDS
    if os.environ.get("KINEMA_BENCH_PERTITLE_ALL")
    else {k: v for k, v in ALL_KINDS.items() if k != "noisy-motion"}
)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _ffmpeg(*args: str) -> str:
    """Run ffmpeg; "wall s / CPU s" it took (CPU seconds do not depend on other load)."""
    t0, c0 = time.monotonic(), _cpu()
    subprocess.run(
        [str(ffmpeg_path()), "-hide_banner", "-nostdin", "-y", "-loglevel", "error", *args],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return f"{time.monotonic() - t0:.1f} s wall / {_cpu() - c0:.1f} s CPU"


def _make_clip(kind: str, out: Path) -> Path:
    _ffmpeg(
        "-i", str(CLIP), "-t", str(SECONDS), "-vf", ALL_KINDS[kind], "-c:v", "libx264",
        "-preset", "veryfast", "-crf", "12", "-c:a", "copy", str(out),
    )  # fmt: skip
    return out


def _ladder(tmp: Path, name: str, **spec: Any) -> Path:
    """The default ladder without its x264 speed settings (per-title refuses them), for
    the fixed run as for the per-title one: both encode with the same settings."""
    base = load_ladder("default").model_dump(mode="json", by_alias=True, exclude_none=True)
    base.pop("x264", None)
    base.update(spec)
    path = tmp / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"kind": "Ladder", "spec": base}))
    return path


def _transcode(src: Path, out: Path, ladder: Path) -> tuple[dict[str, Any], float]:
    t0 = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "kinema_transcoder", "transcode", str(src), str(out),
         "--ladder", str(ladder), "--encoder", "cpu", "--json-progress"],
        capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    wall = time.monotonic() - t0
    assert proc.returncode == 0, proc.stderr
    return json.loads((out / "kinema.json").read_text()), wall


def _rungs(report: dict[str, Any]) -> dict[str, tuple[int, float]]:
    return {
        r["name"]: (r["bytes"], (r.get("quality") or {}).get("vmaf") or 0.0)
        for r in report["renditions"]
        if r["kind"] == "video"
    }


def _breakdown(src: Path, report: dict[str, Any]) -> list[str]:
    """Decode, decode + scale to every rung, and each rung's x264 on its own."""
    rungs = [r for r in report["plan"]["rungs"]]
    lines = [f"decode only: {_ffmpeg('-i', str(src), '-an', '-f', 'null', '-')}"]
    split = "".join(f"[s{i}]" for i in range(len(rungs)))
    graph = f"[0:v]fps=25,format=yuv420p,split={len(rungs)}{split};" + ";".join(
        f"[s{i}]scale={r['width']}:{r['height']}:flags=lanczos[o{i}]" for i, r in enumerate(rungs)
    )
    maps = [a for i in range(len(rungs)) for a in ("-map", f"[o{i}]", "-f", "null", "-")]
    seconds = _ffmpeg("-i", str(src), "-filter_complex", graph, *maps)
    lines.append(f"decode + normalize + scale to {len(rungs)} rungs: {seconds}")
    for r in rungs:
        seconds = _ffmpeg(
            "-i", str(src), "-an", "-vf", f"scale={r['width']}:{r['height']}:flags=lanczos",
            "-c:v", "libx264", "-preset", r.get("preset") or "medium",
            "-b:v", f"{r['bitrateKbps']}k", "-f", "null", "-",
        )  # fmt: skip
        lines.append(f"  decode + {r['name']} x264 alone: {seconds}")
    return lines


def _at_default_target(pt: dict[str, Any], fixed: dict[str, tuple[int, float]]) -> str:
    """What the same test encodes decide at the built-in pertitle ladder's target
    (predicted from the curves: no second encode)."""
    target = load_ladder("pertitle").per_title.target_vmaf
    plan = LadderPlan.model_validate(pt["plan"]).model_copy(
        update={"rungs": [PlannedRung.model_validate(r) for r in load_ladder_plan_rungs(pt)]}
    )
    points = {
        r["name"]: [TrialPoint.model_validate(p) for p in r["points"]]
        for r in pt["perTitle"]["rungs"]
    }
    decided = decide(plan, points, target_vmaf=target)
    kbps = sum(r.bitrate_kbps for r in decided.rungs if r.kept)
    fixed_kbps = sum(r.ladder_kbps for r in decided.rungs)
    top = decided.rungs[0]
    return (
        f"at the pertitle ladder's target VMAF {target:g} (predicted): top rung CRF {top.crf} "
        f"VMAF {top.predicted_vmaf:.2f}; video kbit/s per-title/fixed {kbps / fixed_kbps:.3f}; "
        f"kept {[r.name for r in decided.rungs if r.kept]}"
    )


def load_ladder_plan_rungs(pt: dict[str, Any]) -> list[dict[str, Any]]:
    """Every candidate rung of the per-title run, dropped ones included, at the ladder's
    bitrates (the plan in kinema.json holds the kept rungs at their chosen ones)."""
    kept = {r["name"]: r for r in pt["plan"]["rungs"]}
    out = []
    for r in pt["perTitle"]["rungs"]:
        base = dict(kept.get(r["name"]) or next(iter(kept.values())))
        base.update(
            name=r["name"], width=r["width"], height=r["height"], bitrateKbps=r["ladderKbps"],
            crf=None, tune=None,
        )  # fmt: skip
        out.append(base)
    return out


def test_fixed_vs_per_title(tmp_path: Path) -> None:
    # Both runs score VMAF on the same frames (the first second of every two).
    quality = {"vmaf": True, "everySeconds": 2}
    fixed_ladder = _ladder(tmp_path, "fixed", quality=quality)
    print(f"\n=== per-title vs fixed ladder: {SECONDS} s clips from {CLIP.name}, 2 cores ===")
    ratios: list[float] = []
    breakdown: list[str] = []
    for kind in KINDS:
        src = _make_clip(kind, tmp_path / f"{kind}.mp4")
        fixed, fixed_wall = _transcode(src, tmp_path / f"{kind}-fixed", fixed_ladder)
        f_rungs = _rungs(fixed)
        top = max(fixed["plan"]["rungs"], key=lambda r: r["width"] * r["height"])["name"]
        target = round(f_rungs[top][1], 2)
        # Test CRFs a little lower than the default's: the fixed top rung is near VMAF 97.
        per_title_ladder = _ladder(
            tmp_path, f"{kind}-pt", strategy="perTitle",
            perTitle={"targetVmaf": target, "crfs": [17, 23, 29]}, quality=quality,
        )  # fmt: skip
        pt, pt_wall = _transcode(src, tmp_path / f"{kind}-pt", per_title_ladder)
        decision = pt["perTitle"]
        p_rungs = _rungs(pt)
        assert decision["rungs"] and all(v > 0 for _, v in p_rungs.values())
        assert top in p_rungs
        print(f"\n--- {kind}: target VMAF {target} (the fixed top rung's) ---")
        print(f"{'rung':>6} {'fixed bytes':>12} {'VMAF':>6} {'per-title bytes':>16} {'VMAF':>6} "
              f"{'CRF':>4} {'predicted':>9}")  # fmt: skip
        for name, (fb, fv) in f_rungs.items():
            d = next(r for r in decision["rungs"] if r["name"] == name)
            pb, pv = p_rungs.get(name, (0, 0.0))
            crf = str(d.get("crf", "ABR"))  # ABR: the ladder's own bitrate (the cap)
            kept = f"{pb:>16} {pv:>6.2f} {crf:>4} {d['predictedVmaf']:>9.2f}"
            print(
                f"{name:>6} {fb:>12} {fv:>6.2f} "
                + (kept if d["kept"] else "dropped: " + d["reason"])
            )
        f_total = sum(b for b, _ in f_rungs.values())
        p_total = sum(b for b, _ in p_rungs.values())
        ratios.append(p_total / f_total)
        top_vmaf = p_rungs[top][1]
        print(f"video bytes per-title/fixed: {p_total / f_total:.3f} "
              f"({p_total} vs {f_total}); top rung VMAF {top_vmaf:.2f} vs {target}")  # fmt: skip
        print(f"wall: fixed {fixed_wall:.1f} s, per-title {pt_wall:.1f} s "
              f"(decision {decision['elapsedS']:.1f} s); stages fixed {fixed['timing']['stages']}, "
              f"per-title {pt['timing']['stages']}; animation detected: {decision['animation']} "
              f"({decision['bitsPerPixel']} bit/pixel)")  # fmt: skip
        print(_at_default_target(pt, f_rungs))
        if not breakdown:
            breakdown = _breakdown(src, fixed)
            stages = fixed["timing"]["stages"]
            breakdown.append(
                f"kinema transcode (fixed): {fixed_wall:.1f} s wall = encode {stages['encode']} s "
                f"+ quality pass {stages['quality']} s + extras/packaging; "
                f"{SECONDS / fixed_wall:.2f}x real time; {fixed['timing']['cpuS']} s CPU"
            )
    print(f"\nmean video bytes per-title/fixed at equal top-rung VMAF: "
          f"{sum(ratios) / len(ratios):.3f} (goal <= 0.80); worst {max(ratios):.3f}")  # fmt: skip
    print("\n=== encode-speed breakdown (default ladder without x264 settings, first clip) ===")
    print("\n".join(breakdown))
