"""Per-title measurement: test encodes of sampled scenes, scored with VMAF.

Two ffmpeg runs, whatever the ladder's size (four with a refinement):

1. ONE decode of the sampled scenes (``-ss``/``-t`` inputs, concatenated), normalized
   like the full encode, split to every candidate resolution and, per resolution, to
   every test CRF; each branch is a capped-CRF encode with the rung's own settings
   (preset, profile, GOP, ``maxrate``), written as a raw bitstream (its size is the
   rate, no container overhead).
2. ONE pass that scales every test encode back up to the top rung's size (bicubic) and
   scores it with libvmaf (``vmaf_v0.6.1``, one frame in ``vmafSubsample``) against the
   same scenes.
3. Where the decision puts a kept rung's CRF far from every CRF it was tested at, one
   more round of both (just those rungs, each at its chosen CRF) and a second decision
   with the measured points.

The curves go to :func:`kinema.pertitle.decide`. The decision is stored as
``pertitle.json`` in the output folder: chunks of one encode (and a rerun of the same
source, revision and ladder) read it instead of measuring again.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

from pydantic import ValidationError

from kinema import ffmpeg
from kinema.ladder import LadderPlan
from kinema.media import VideoInfo
from kinema.pertitle import (
    PerTitleDecision,
    TrialPoint,
    decide,
    fingerprint,
    sample_windows,
)
from kinema.resources.ladder import Codec, LadderSpec
from kinema_transcoder import args as ffargs
from kinema_transcoder.failures import classify_ffmpeg
from kinema_transcoder.quality import parse_vmaf
from kinema_transcoder.sink import Sink

DECISION_FILE = "pertitle.json"
# Top rung at the middle test CRF under this many bits per pixel: flat, low-detail
# pictures (cartoons, CGI animation, slides), encoded with ``-tune animation``.
ANIMATION_BPP = 0.03
# A kept rung's CRF this far from every CRF it was tested at gets a test encode of its own.
REFINE_GAP = 1.5


# Ladder fields a decision does not depend on (where and how the encode runs).
_NOT_DECIDING = {"audio", "encoder", "scheduling", "chunking", "retry", "trickplay", "quality"}


def ladder_key(source: str, revision: int, ladder: LadderSpec) -> str:
    """The decision's fingerprint: source, revision and the ladder fields it depends on."""
    return fingerprint(source, revision, ladder.model_dump_json(exclude=_NOT_DECIDING))


def load_decision(sink: Sink, key: str) -> PerTitleDecision | None:
    """The stored decision for this source, revision and ladder, if there is one."""
    data = sink.read_bytes(DECISION_FILE)
    if data is None:
        return None
    try:
        decision = PerTitleDecision.model_validate_json(data)
    except ValidationError:
        return None
    return decision if decision.fingerprint == key else None


def store_decision(sink: Sink, decision: PerTitleDecision) -> None:
    text = decision.model_dump_json(by_alias=True, indent=2, exclude_none=True)
    sink.write_bytes(DECISION_FILE, text.encode())


def _threads(branches: int) -> int:
    """Threads per encoder or VMAF scorer: one where many run side by side, every core
    for a round of one (a refinement of a single rung)."""
    return 1 if branches > 1 else max(1, os.cpu_count() or 1)


def _inputs(source: str, options: tuple[str, ...], windows: list[tuple[float, float]]) -> list[str]:
    args: list[str] = []
    for start, length in windows:
        if start > 0:
            args += ["-ss", ffargs.seconds(start)]
        args += ["-t", ffargs.seconds(length), *options, "-i", source]
    return args


def _scenes(video: VideoInfo, plan: LadderPlan, count: int) -> str:
    joined = "".join(f"[{k}:v:0]" for k in range(count))
    return f"{joined}concat=n={count}:v=1:a=0,{ffargs.normalize_filter(video, plan)}"


def test_encode_args(
    *,
    source: str,
    options: tuple[str, ...],
    windows: list[tuple[float, float]],
    video: VideoInfo,
    plan: LadderPlan,
    ladder: LadderSpec,
    encoders: dict[Codec, str],
    crfs: Sequence[Sequence[float]],
    work: Path,
) -> list[str]:
    """Every rung x each of its CRFs (``crfs[i]`` for ``plan.rungs[i]``) from one decode
    of the scenes: ``work/t_<rung>_<crf>.bin``."""
    rungs = plan.rungs
    total = sum(len(c) for c in crfs)
    graph = [_scenes(video, plan, len(windows)) + f",split={len(rungs)}"]
    graph[0] += "".join(f"[n{i}]" for i in range(len(rungs)))
    for i, rung in enumerate(rungs):
        graph.append(
            f"[n{i}]scale={rung.width}:{rung.height}:flags=lanczos,setsar=1,split={len(crfs[i])}"
            + "".join(f"[v{i}_{j}]" for j in range(len(crfs[i])))
        )
    args = [str(ffmpeg.ffmpeg_path()), "-hide_banner", "-nostdin", "-y", "-loglevel", "error"]
    args += _inputs(source, options, windows)
    args += ["-filter_complex", ";".join(graph)]
    for i, rung in enumerate(rungs):
        encoder = encoders[rung.codec]
        for j, crf in enumerate(crfs[i]):
            trial = rung.model_copy(update={"crf": crf})
            args += ["-map", f"[v{i}_{j}]", "-fps_mode", "passthrough", "-an"]
            args += ["-threads", str(_threads(total))]
            args += ffargs.video_encoder_args(
                trial, encoder, rung.preset or ladder.preset, plan.gop_frames
            )
            fmt = "hevc" if rung.codec is Codec.HEVC else "h264"
            args += ["-f", fmt if rung.codec is not Codec.AV1 else "ivf"]
            args.append(str(work / f"t_{i}_{j}.bin"))
    return args


def vmaf_args(
    *,
    source: str,
    options: tuple[str, ...],
    windows: list[tuple[float, float]],
    video: VideoInfo,
    plan: LadderPlan,
    crfs: Sequence[Sequence[float]],
    size: tuple[int, int],
    subsample: int,
    work: Path,
) -> list[str]:
    """Every test encode scaled to ``size`` (the top rung's) and scored against the
    scenes."""
    w, h = size
    n = sum(len(c) for c in crfs)
    k0 = len(windows)
    graph = [
        _scenes(video, plan, k0)
        + f",scale={w}:{h}:flags=bicubic,setpts=PTS-STARTPTS,split={n}"
        + "".join(f"[r{k}]" for k in range(n))
    ]
    inputs: list[str] = []
    pairs = [(i, j) for i in range(len(plan.rungs)) for j in range(len(crfs[i]))]
    for k, (i, j) in enumerate(pairs):
        inputs += ["-framerate", plan.frame_rate, "-i", str(work / f"t_{i}_{j}.bin")]
        log = ffargs.escape_filter_path(work / f"vmaf_{i}_{j}.json")
        graph.append(
            f"[{k0 + k}:v:0]setpts=PTS-STARTPTS,scale={w}:{h}:flags=bicubic,"
            f"format=yuv420p[d{k}];[d{k}][r{k}]libvmaf=log_path='{log}':log_fmt=json:"
            f"n_subsample={subsample}:n_threads={_threads(n)}:shortest=1[q{k}]"
        )
    args = [str(ffmpeg.ffmpeg_path()), "-hide_banner", "-nostdin", "-y", "-loglevel", "error"]
    args += _inputs(source, options, windows) + inputs
    args += ["-filter_complex", ";".join(graph)]
    for k in range(n):
        args += ["-map", f"[q{k}]", "-f", "null", "-"]
    return args


def _trials(
    *,
    source: str,
    source_input: str,
    options: tuple[str, ...],
    windows: list[tuple[float, float]],
    video: VideoInfo,
    plan: LadderPlan,
    ladder: LadderSpec,
    encoders: dict[Codec, str],
    crfs: dict[str, list[float]],
    work: Path,
) -> dict[str, list[TrialPoint]]:
    """One round of test encodes (each rung named in ``crfs`` at each of its CRFs),
    scored at the top rung's size."""
    top = max(plan.rungs, key=lambda r: r.width * r.height)
    tried = plan.model_copy(update={"rungs": [r for r in plan.rungs if crfs.get(r.name)]})
    lists = [crfs[r.name] for r in tried.rungs]
    work.mkdir(parents=True, exist_ok=True)
    try:
        ffmpeg.run(
            test_encode_args(
                source=source_input,
                options=options,
                windows=windows,
                video=video,
                plan=tried,
                ladder=ladder,
                encoders=encoders,
                crfs=lists,
                work=work,
            ),
            what="ffmpeg (per-title test encodes)",
        )
        ffmpeg.run(
            vmaf_args(
                source=source_input,
                options=options,
                windows=windows,
                video=video,
                plan=tried,
                crfs=lists,
                size=(top.width, top.height),
                subsample=ladder.per_title.vmaf_subsample,
                work=work,
            ),
            what="ffmpeg (per-title VMAF)",
        )
    except ffmpeg.FfmpegFailed as exc:
        raise classify_ffmpeg(exc, source, str(work)) from exc
    seconds = sum(length for _, length in windows)
    points: dict[str, list[TrialPoint]] = {}
    for i, rung in enumerate(tried.rungs):
        points[rung.name] = []
        for j, crf in enumerate(lists[i]):
            size = (work / f"t_{i}_{j}.bin").stat().st_size
            frames, total = parse_vmaf((work / f"vmaf_{i}_{j}.json").read_text("utf-8"))
            vmaf = total / frames if frames else 0.0
            kbps = max(1.0, size * 8 / 1000 / seconds)
            points[rung.name].append(TrialPoint(crf=crf, kbps=round(kbps, 2), vmaf=round(vmaf, 3)))
    return points


def to_refine(decision: PerTitleDecision) -> dict[str, list[float]]:
    """Kept rungs whose CRF lies more than ``REFINE_GAP`` from every CRF they were
    tested at (name -> that CRF)."""
    return {
        r.name: [r.crf]
        for r in decision.rungs
        if r.kept and r.crf is not None and min(abs(r.crf - p.crf) for p in r.points) > REFINE_GAP
    }


def measure(
    *,
    source: str,
    source_input: str,
    options: tuple[str, ...],
    video: VideoInfo,
    duration: float,
    plan: LadderPlan,
    ladder: LadderSpec,
    encoders: dict[Codec, str],
    key: str,
    work: Path,
) -> PerTitleDecision:
    """Test-encode the sampled scenes and decide the ladder for this title.

    Where a kept rung's CRF lands far from every CRF it was tested at (more than
    ``REFINE_GAP``), its curve there is a guess: grain, say, stops being coded past some
    CRF and rate and VMAF fall off a cliff between two test points. One more round
    test-encodes each such rung at its CRF (one decode for all of them), and the
    decision is made again with those points."""
    t0 = time.monotonic()
    spec = ladder.per_title
    windows = sample_windows(duration, spec.samples, spec.sample_seconds, ladder.gop_seconds)

    def trials(crfs: dict[str, list[float]], work: Path) -> dict[str, list[TrialPoint]]:
        return _trials(
            source=source,
            source_input=source_input,
            options=options,
            windows=windows,
            video=video,
            plan=plan,
            ladder=ladder,
            encoders=encoders,
            crfs=crfs,
            work=work,
        )

    points = trials({r.name: [float(c) for c in spec.crfs] for r in plan.rungs}, work)
    top = max(plan.rungs, key=lambda r: r.width * r.height)
    middle = points[top.name][len(spec.crfs) // 2]
    fps = float(Fraction(plan.frame_rate))
    bpp = middle.kbps * 1000 / (top.width * top.height * fps)

    def decided() -> PerTitleDecision:
        return decide(
            plan,
            points,
            target_vmaf=spec.target_vmaf,
            samples=windows,
            bits_per_pixel=bpp,
            animation=bpp < ANIMATION_BPP,
        )

    decision = decided()
    refine = to_refine(decision)
    if refine:
        for name, extra in trials(refine, work / "refine").items():
            points[name] = points[name] + extra
        decision = decided()
    return decision.model_copy(
        update={"elapsed_s": round(time.monotonic() - t0, 3), "fingerprint": key}
    )


def decision_json(decision: PerTitleDecision) -> str:
    return json.dumps(decision.model_dump(mode="json", by_alias=True), indent=2)
