"""Per-title ladders: from test-encode measurements to each rung's quality. Pure.

A ``perTitle`` ladder (:class:`kinema.resources.ladder.PerTitle`) is decided per source,
before the full encode. The transcoder samples a few short scenes, encodes them at every
candidate resolution (the rungs :func:`kinema.ladder.plan_ladder` kept) with a few
capped CRFs, and scores each with VMAF after scaling it back up to the top rung's size.
That gives one rate-quality curve per resolution (:class:`TrialPoint` s). This module
turns the curves into a :class:`PerTitleDecision`:

1. **Top rung.** The CRF whose interpolated VMAF meets ``targetVmaf``; its bitrate is
   read off the curve. The top rung's *saving* is that bitrate over the ladder's.
2. **Lower rungs.** Each gets the ladder's bitrate times the saving (easy content needs
   fewer bits at every size; the ladder's spacing is kept), read back into a CRF on its
   own curve (at most 4 past the highest test CRF), and never a quality above the target.
   Nor does a rung fall further below the fixed ladder's quality (what its curve
   predicts at the ladder's bitrate) than the top rung moved: where the top rung's
   saving comes from a cliff of its own (grain no longer coded past some CRF), the
   ladder's spacing would cost the smaller rungs far more quality. A rung whose CRF
   would need 97 % of the ladder's bitrate or more keeps the ladder's own rate control
   (its average bitrate): the ladder's bitrates are maxima, so hard content is encoded
   as the fixed ladder would.
3. **Convex hull.** Going up from the smallest resolution, a rung is dropped when a kept
   lower resolution reaches the same VMAF (within 0.25) for at most 90 % of its bits
   (a larger picture that is not better is wasted bandwidth). The top rung is kept.

The final encode uses each kept rung's CRF with the ladder's ``maxrate``/``bufsize``
(capped CRF), so the measured quality carries over and the peak never exceeds the
ladder's. Bitrates interpolate log-linearly in CRF (x264 halves the rate about every 6
CRF); VMAF interpolates linearly and is clamped to 0..100. VMAF is made non-increasing
in CRF by raising a point to the best of the higher CRFs (under a binding VBV cap a
lower CRF can measure worse), and the crossing of a quality is found on the stretch
where VMAF falls, past any level stretch.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from kinema.ladder import DroppedRung, LadderPlan, PlannedRung

MIN_CRF, MAX_CRF = 0, 51
# A lower resolution "matches" a rung when it gets within this much VMAF of it.
HULL_TOLERANCE = 0.25
# ... and needs at most this share of its bits (a near tie keeps the larger picture).
HULL_BITS = 0.9
# A rung whose chosen CRF needs this share of the ladder's bitrate or more keeps the
# ladder's own rate control (average bitrate): the ladder's bitrates are maxima.
CAPPED = 0.97
# How far past the highest test CRF a rung's CRF may be extrapolated.
EXTRAPOLATE = 4


class Model(BaseModel):
    """Part of ``kinema.json``: camelCase, unknown keys ignored (see ``kinema.output``)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class TrialPoint(Model):
    """One test encode of the sampled scenes: a resolution at one CRF."""

    crf: float
    kbps: float = Field(gt=0, description="Average bitrate of the test encode.")
    vmaf: float = Field(ge=0, le=100, description="Mean VMAF at the top rung's size.")


class RungDecision(Model):
    name: str
    width: int
    height: int
    kept: bool
    crf: float | None = Field(
        default=None, description="None: the ladder's bitrate, as a fixed ladder encodes it."
    )
    bitrate_kbps: int = Field(description="Expected average bitrate (from the test encodes).")
    ladder_kbps: int = Field(description="The fixed ladder's bitrate for this rung (the cap).")
    predicted_vmaf: float = Field(description="VMAF the test encodes predict at this CRF.")
    ladder_vmaf: float = Field(
        default=0.0, description="VMAF the test encodes predict at the ladder's bitrate."
    )
    reason: str = ""
    points: list[TrialPoint] = Field(default_factory=list)


class PerTitleDecision(Model):
    """What a per-title ladder chose for one source (``kinema.json``'s ``perTitle``)."""

    target_vmaf: float
    samples: list[tuple[float, float]] = Field(description="(start, seconds) of each scene.")
    animation: bool = Field(
        default=False, description="Flat, low-detail content: encoded with -tune animation."
    )
    bits_per_pixel: float = Field(default=0.0, description="Top rung, middle test CRF.")
    saving: float = Field(description="Top rung's chosen bitrate over the ladder's.")
    rungs: list[RungDecision]
    elapsed_s: float = 0.0
    fingerprint: str = Field(default="", description="Source and ladder it was made for.")

    def rung(self, name: str) -> RungDecision | None:
        return next((r for r in self.rungs if r.name == name), None)


# --- curves ----------------------------------------------------------------------------


def _interp(x: float, xs: Sequence[float], ys: Sequence[float]) -> float:
    """Piecewise-linear through the points, extended linearly past either end."""
    if len(xs) == 1:
        return ys[0]
    k = 1
    while k < len(xs) - 1 and x > xs[k]:
        k += 1
    x0, x1, y0, y1 = xs[k - 1], xs[k], ys[k - 1], ys[k]
    return y0 if x1 == x0 else y0 + (y1 - y0) * (x - x0) / (x1 - x0)


class Curve:
    """A resolution's rate-quality curve over CRF (VMAF made non-increasing in CRF)."""

    def __init__(self, points: Sequence[TrialPoint]) -> None:
        if not points:
            raise ValueError("a curve needs at least one test point")
        ordered = sorted(points, key=lambda p: p.crf)
        self.crfs = [float(p.crf) for p in ordered]
        # Rates strictly fall with CRF (equal ones, where the VBV cap binds, are nudged).
        logs: list[float] = []
        for p in ordered:
            logs.append(min(math.log(p.kbps), logs[-1] - 1e-6) if logs else math.log(p.kbps))
        self.log_kbps = logs
        # A point below a higher CRF's VMAF is raised to it: where the VBV cap binds, a
        # lower CRF only starves the encoder's rate control, and the higher CRF shows
        # what the rung can reach there.
        vmafs: list[float] = []
        for p in reversed(ordered):
            vmafs.append(max(p.vmaf, vmafs[-1]) if vmafs else p.vmaf)
        self.vmafs = vmafs[::-1]

    def kbps(self, crf: float) -> float:
        return math.exp(_interp(crf, self.crfs, self.log_kbps))

    def vmaf(self, crf: float) -> float:
        return min(100.0, max(0.0, _interp(crf, self.crfs, self.vmafs)))

    def crf_for_kbps(self, kbps: float) -> float:
        """The CRF that lands on ``kbps`` (rates fall as CRF rises)."""
        lk = math.log(kbps)
        xs, ys = list(reversed(self.log_kbps)), list(reversed(self.crfs))
        return _interp(lk, xs, ys) if _increasing(xs) else self.crfs[0]

    def crf_for_vmaf(self, vmaf: float) -> float:
        """The largest CRF whose VMAF still reaches ``vmaf``.

        Between two test points that reach it and miss it, the crossing is interpolated;
        past either end, the nearest segment along which VMAF falls is extended. A level
        stretch (where the VBV cap bound, say) is not a crossing: at CRF 17 and 23 both
        VMAF 85 and at 29 VMAF 77, VMAF 80 lies between 23 and 29."""
        c, v = self.crfs, self.vmafs
        falling = [k for k in range(1, len(c)) if v[k - 1] > v[k]]
        if not falling:  # flat curve: every CRF gives the same quality
            return c[-1] if v[-1] >= vmaf else c[0]

        def slope(k: int) -> float:  # CRF per VMAF point along segment k-1 .. k
            return (c[k] - c[k - 1]) / (v[k - 1] - v[k])

        if v[-1] >= vmaf:  # past the highest test CRF
            return c[-1] + (v[-1] - vmaf) * slope(falling[-1])
        if v[0] < vmaf:  # below the lowest
            return c[0] - (vmaf - v[0]) * slope(falling[0])
        # the last point that reaches it, and the next one (which misses it)
        k = max(j for j in range(len(c)) if v[j] >= vmaf) + 1
        return c[k - 1] + (v[k - 1] - vmaf) * slope(k)

    def kbps_for_vmaf(self, vmaf: float) -> float:
        return self.kbps(self.crf_for_vmaf(vmaf))


def _increasing(xs: Sequence[float]) -> bool:
    return all(b > a for a, b in itertools.pairwise(xs))


def _clamp_crf(value: float) -> float:
    return min(float(MAX_CRF), max(float(MIN_CRF), value))


def _down(value: float) -> float:
    """``value`` rounded down to a tenth (x264 takes fractional CRFs)."""
    return math.floor(value * 10 + 1e-6) / 10


def _up(value: float) -> float:
    return math.ceil(value * 10 - 1e-6) / 10


# --- the decision ------------------------------------------------------------------------


def decide(
    plan: LadderPlan,
    points: dict[str, list[TrialPoint]],
    *,
    target_vmaf: float,
    samples: Sequence[tuple[float, float]] = (),
    bits_per_pixel: float = 0.0,
    animation: bool = False,
) -> PerTitleDecision:
    """Each rung's CRF and expected bitrate, and which rungs are kept (see the module)."""
    rungs = sorted(plan.rungs, key=lambda r: r.width * r.height, reverse=True)
    missing = [r.name for r in rungs if not points.get(r.name)]
    if missing:
        raise ValueError(f"no test encodes for rung(s) {', '.join(missing)}")
    curves = {r.name: Curve(points[r.name]) for r in rungs}
    top = rungs[0]
    top_curve = curves[top.name]
    top_crf = _clamp_crf(_down(top_curve.crf_for_vmaf(target_vmaf)))
    saving = min(1.0, top_curve.kbps(top_crf) / top.bitrate_kbps)

    def ladder_vmaf(r: PlannedRung) -> float:
        """The quality the test encodes predict at the ladder's bitrate (not read
        further than ``EXTRAPOLATE`` past them: where the VBV cap kept their rates
        level, the rate says little about the CRF)."""
        curve = curves[r.name]
        crf = curve.crf_for_kbps(r.bitrate_kbps)
        lowest, highest = curve.crfs[0] - EXTRAPOLATE, curve.crfs[-1] + EXTRAPOLATE
        return curve.vmaf(min(highest, max(lowest, crf)))

    at_ladder = {r.name: ladder_vmaf(r) for r in rungs}
    # How far the top rung moves from the fixed ladder's quality; no lower rung moves
    # further down than that.
    shift = target_vmaf - at_ladder[top.name]
    # CRF, or None where the ladder's own bitrate (its maximum) is what the rung gets.
    chosen: dict[str, tuple[float | None, float]] = {}
    for rung in rungs:
        curve = curves[rung.name]
        want = rung.bitrate_kbps * saving
        reach = max(p.crf for p in points[rung.name]) + EXTRAPOLATE
        crf: float | None = _clamp_crf(min(reach, _up(curve.crf_for_kbps(want))))
        if rung is top:
            crf = top_crf
        elif crf is not None:
            floor = min(target_vmaf, at_ladder[rung.name] + shift)  # never above the target
            if curve.vmaf(crf) > target_vmaf or curve.vmaf(crf) < floor:
                crf = _clamp_crf(min(reach, _down(curve.crf_for_vmaf(floor))))
        if crf is not None and curve.kbps(crf) >= rung.bitrate_kbps * CAPPED:
            crf = None
        chosen[rung.name] = (crf, rung.bitrate_kbps if crf is None else curve.kbps(crf))

    def vmaf(r: PlannedRung) -> float:
        crf, kbps = chosen[r.name]
        curve = curves[r.name]
        return curve.vmaf(curve.crf_for_kbps(kbps) if crf is None else crf)

    dropped = hull_drops([(r.name, chosen[r.name][1], vmaf(r)) for r in rungs], curves)
    decisions = [
        RungDecision(
            name=r.name,
            width=r.width,
            height=r.height,
            kept=r.name not in dropped,
            crf=chosen[r.name][0],
            bitrate_kbps=max(16, round(chosen[r.name][1])),
            ladder_kbps=r.bitrate_kbps,
            predicted_vmaf=round(vmaf(r), 3),
            ladder_vmaf=round(at_ladder[r.name], 3),
            reason=dropped.get(r.name, ""),
            points=sorted(points[r.name], key=lambda p: p.crf),
        )
        for r in rungs
    ]
    return PerTitleDecision(
        target_vmaf=target_vmaf,
        samples=list(samples),
        animation=animation,
        bits_per_pixel=round(bits_per_pixel, 5),
        saving=round(saving, 4),
        rungs=decisions,
    )


def hull_drops(
    chosen: Sequence[tuple[str, float, float]], curves: dict[str, Curve]
) -> dict[str, str]:
    """Rungs (name -> why) a smaller kept resolution matches in VMAF for fewer bits.

    ``chosen`` lists (name, kbps, vmaf) from the largest resolution down; the first (the
    top rung) is always kept."""
    kept: list[str] = []
    drops: dict[str, str] = {}
    for k, (name, kbps, vmaf) in enumerate(reversed(chosen)):
        is_top = k == len(chosen) - 1
        for lower in kept:
            curve = curves[lower]
            best = curve.vmaf(curve.crfs[0])  # the best quality it was measured at
            if best + HULL_TOLERANCE < vmaf:
                continue
            need = curve.kbps_for_vmaf(vmaf - HULL_TOLERANCE)
            if need <= kbps * HULL_BITS and not is_top:
                drops[name] = (
                    f"{lower} reaches VMAF {vmaf:.1f} at about {need:.0f} kbit/s, "
                    f"under this rung's {kbps:.0f} kbit/s"
                )
                break
        if name not in drops:
            kept.append(name)
    return drops


def apply_decision(plan: LadderPlan, decision: PerTitleDecision) -> LadderPlan:
    """``plan`` with the decided CRFs and expected bitrates, hull-dropped rungs removed.

    ``maxrate``/``bufsize`` stay the ladder's: the final encode is capped CRF."""
    rungs: list[PlannedRung] = []
    dropped = list(plan.dropped)
    for rung in plan.rungs:
        found = decision.rung(rung.name)
        if found is None:
            rungs.append(rung)
        elif found.kept:
            crf = found.crf if found.crf is not None else rung.crf
            update: dict[str, object] = {"crf": crf, "bitrate_kbps": found.bitrate_kbps}
            if decision.animation:
                update["tune"] = "animation"
            rungs.append(rung.model_copy(update=update))
        else:
            dropped.append(
                DroppedRung(name=rung.name, height=rung.height, reason=f"per-title: {found.reason}")
            )
    note = (
        f"per-title: top rung at {decision.saving:.0%} of the ladder's bitrate for VMAF "
        f"{decision.target_vmaf:g}"
    )
    return plan.model_copy(
        update={"rungs": rungs, "dropped": dropped, "notes": [*plan.notes, note]}
    )


def sample_windows(
    duration: float, samples: int, seconds: float, gop_seconds: float = 0.0
) -> list[tuple[float, float]]:
    """(start, length) of the scenes to test-encode, spread evenly, each centred in its
    share of the title.

    A scene is at least one GOP long (shorter ones would carry more keyframes per second
    than the encode, and overstate its bits). A title at most twice as long as the scenes
    together is taken whole: a few scenes of a short clip misrepresent it, and sampling
    would save little."""
    if duration <= 0:
        return []
    seconds = max(seconds, gop_seconds)
    if duration <= 2 * samples * seconds:
        return [(0.0, round(duration, 6))]
    share = duration / samples
    return [
        (round(max(0.0, share * (k + 0.5) - seconds / 2), 6), round(seconds, 6))
        for k in range(samples)
    ]


def fingerprint(source: str, revision: int, ladder_json: str) -> str:
    """What a stored decision must match to be reused (same source, revision, ladder)."""
    text = f"{source}\n{revision}\n{ladder_json}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]
