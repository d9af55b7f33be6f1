"""The Rendition objects a Video owns: one per rung, audio track and sidecar subtitle of
its current output, and what the transcoder's report says about each. Pure.
"""

from __future__ import annotations

from typing import Any, cast

import kopf

from kinema.ladder import LadderPlan
from kinema.media import ProbeSummary
from kinema.output import TranscodeReport
from kinema.resources.common import API_VERSION
from kinema.resources.rendition import KIND as RENDITION_KIND
from kinema.resources.rendition import PerTitleRung, Quality, RenditionSpec
from kinema.resources.video import RenditionKind
from kinema_operator.video.identity import rendition_name, video_labels
from kinema_operator.video.observed import Observed
from kinema_operator.video.status import dns_safe


def owned(manifest: dict[str, Any], owner: dict[str, Any]) -> dict[str, Any]:
    """``manifest`` with an owner reference to the Video ``owner`` (garbage-collected with it)."""
    kopf.adopt(manifest, owner=kopf.Body(cast(kopf.RawBody, owner)))
    return manifest


def rendition_specs(
    obs: Observed, plan: LadderPlan, probe: ProbeSummary
) -> dict[str, RenditionSpec]:
    """Rendition object name -> spec, for every output of the current digest."""
    out: dict[str, RenditionSpec] = {}
    for rung in plan.rungs:
        key = dns_safe(rung.name)
        out[rendition_name(obs.name, key)] = RenditionSpec(
            video=obs.name,
            kind=RenditionKind.VIDEO,
            name=key,
            codec=rung.codec.value,
            width=rung.width,
            height=rung.height,
            bitrate_kbps=rung.bitrate_kbps,
            digest=obs.digest,
        )
    for n, track in enumerate(probe.audio):
        key = f"audio-{n}"
        out[rendition_name(obs.name, key)] = RenditionSpec(
            video=obs.name,
            kind=RenditionKind.AUDIO,
            name=key,
            codec="aac",
            bitrate_kbps=obs.ladder.spec.audio.bitrate_kbps,
            language=track.language,
            digest=obs.digest,
        )
    for sub in obs.spec.subtitles:
        key = dns_safe(f"subtitle-{sub.language}")
        out[rendition_name(obs.name, key)] = RenditionSpec(
            video=obs.name,
            kind=RenditionKind.SUBTITLE,
            name=key,
            codec="wvtt",
            language=sub.language,
            source=sub.source,
            digest=obs.digest,
        )
    return out


def rendition_manifest(
    obs: Observed, name: str, spec: RenditionSpec, owner: dict[str, Any]
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "apiVersion": API_VERSION,
        "kind": RENDITION_KIND,
        "metadata": {"name": name, "namespace": obs.namespace, "labels": video_labels(obs.name)},
        "spec": spec.to_wire(),
    }
    return owned(body, owner)


def report_match(spec: RenditionSpec, index: int, report: TranscodeReport) -> dict[str, Any]:
    """Size, segments and quality of one rendition, found in the transcoder's report."""
    if spec.kind is RenditionKind.VIDEO:
        found = next((r for r in report.renditions if dns_safe(r.name) == spec.name), None)
    elif spec.kind is RenditionKind.AUDIO:
        audio = report.audio
        found = audio[index] if index < len(audio) else None
    else:
        sub = next((s for s in report.subtitles if s.language == spec.language), None)
        return {"output": sub.uri} if sub else {}
    if found is None:
        return {}
    quality = found.quality
    decided = report.per_title.rung(found.name) if report.per_title else None
    per_title = (
        PerTitleRung(
            crf=decided.crf,
            bitrate_kbps=decided.bitrate_kbps,
            ladder_kbps=decided.ladder_kbps,
            predicted_vmaf=decided.predicted_vmaf,
            target_vmaf=report.per_title.target_vmaf if report.per_title else None,
        )
        if decided is not None and spec.kind is RenditionKind.VIDEO
        else None
    )
    return {
        "per_title": per_title,
        "output": found.playlist,
        "size_bytes": found.bytes,
        "segments": found.segments,
        "quality": Quality(
            psnr=quality.psnr, psnr_min=quality.psnr_min, ssim=quality.ssim, vmaf=quality.vmaf
        )
        if quality
        else None,
    }


def per_title_dropped(specs: dict[str, RenditionSpec], report: TranscodeReport | None) -> set[str]:
    """Rendition names of the video rungs a perTitle decision left out (convex hull)."""
    if report is None or report.per_title is None:
        return set()
    gone = {dns_safe(r.name) for r in report.per_title.rungs if not r.kept}
    return {n for n, s in specs.items() if s.kind is RenditionKind.VIDEO and s.name in gone}
