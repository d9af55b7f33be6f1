"""Parse ffmpeg's per-frame PSNR, SSIM and VMAF logs into summable statistics.

The quality pass compares each rung, scaled back up to the source's displayed size
(bicubic), with the source after the same normalization as the encode: so the figures
say what a viewer on a source-sized screen loses to scaling plus compression. Chunks
keep sums, not averages, so ``kinema package`` can combine them exactly: PSNR is then
computed from the mean MSE (as ffmpeg's own "average" is), SSIM and VMAF are means.
"""

from __future__ import annotations

import json
import math

from kinema_transcoder.report import QualitySums

REFERENCE = "rung scaled (bicubic) to the source's displayed size, vs the normalized source"


def _fields(line: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for word in line.split():
        key, sep, value = word.partition(":")
        if sep:
            out[key] = value
    return out


def parse_psnr(text: str) -> tuple[int, float, float | None]:
    """Frames, sum of per-frame mean MSE, and the worst frame's PSNR."""
    frames, mse_sum, worst = 0, 0.0, math.inf
    for line in text.splitlines():
        fields = _fields(line)
        if "mse_avg" not in fields:
            continue
        frames += 1
        mse_sum += float(fields["mse_avg"])
        psnr = fields.get("psnr_avg", "inf")
        worst = min(worst, float(psnr) if psnr not in ("inf", "nan") else math.inf)
    return frames, mse_sum, (worst if math.isfinite(worst) else None)


def parse_ssim(text: str) -> tuple[int, float]:
    frames, total = 0, 0.0
    for line in text.splitlines():
        fields = _fields(line)
        if "All" in fields:
            frames += 1
            total += float(fields["All"])
    return frames, total


def parse_vmaf(text: str) -> tuple[int, float]:
    data = json.loads(text)
    scores = [
        f["metrics"]["vmaf"] for f in data.get("frames", []) if "vmaf" in f.get("metrics", {})
    ]
    return len(scores), float(sum(scores))


def sums_from_logs(psnr: str, ssim: str, vmaf: str | None = None) -> QualitySums:
    frames, mse_sum, worst = parse_psnr(psnr)
    ssim_frames, ssim_sum = parse_ssim(ssim)
    if ssim_frames and ssim_frames != frames:
        # The filters saw different frame counts: keep the common part's mean.
        ssim_sum = ssim_sum / ssim_frames * frames
    vmaf_frames, vmaf_sum = parse_vmaf(vmaf) if vmaf else (0, 0.0)
    return QualitySums(
        frames=frames,
        mse_sum=mse_sum,
        psnr_min=worst,
        ssim_sum=ssim_sum,
        vmaf_sum=vmaf_sum,
        vmaf_frames=vmaf_frames,
    )
