"""A Video's status and what reconciliation decides to do: the shapes and their one
builder. Pure.

:func:`video_status` is the one place a Video's status is made: its phase, message and
the four conditions (Ready, Transcoding, Failed, Published) that follow from them, with
transition times carried over (:func:`kinema_operator.conditions.merge`). Every step of
:func:`~kinema_operator.video.planner.decide` goes through it, and so does
:func:`refusal`, the status of a Video whose spec or Ladder cannot be used yet.
:func:`status_patch` and :func:`unchanged` say how (and whether) a new status is written
over the old one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import ValidationError

from kinema.output import TranscodeReport
from kinema.resources.common import Condition
from kinema.resources.rendition import RenditionStatus
from kinema.resources.video import (
    Manifests,
    RenditionKind,
    RenditionSummary,
    VideoPhase,
    VideoStatus,
)
from kinema_operator import conditions


@dataclass(frozen=True)
class Event:
    type: Literal["Normal", "Warning"]
    reason: str
    message: str


@dataclass
class Decision:
    status: VideoStatus
    create_jobs: list[dict[str, Any]] = field(default_factory=list)
    delete_jobs: list[str] = field(default_factory=list)
    stop_jobs: list[str] = field(default_factory=list)  # delete, waiting for their pods
    renditions: list[dict[str, Any]] = field(default_factory=list)
    rendition_status: dict[str, RenditionStatus] = field(default_factory=dict)
    delete_renditions: list[str] = field(default_factory=list)
    publish: bool = False  # upsert the catalog from the report; the output is live
    sync_metadata: bool = False  # only the catalog's metadata changed
    prune_outputs: bool = False  # remove outputs of other digests
    # Manifest URLs rewritten in place (a subtitles change): a CDN in front must forget
    # them, or it serves the old track list until its TTL ends.
    invalidate: list[str] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)


def status_of(body: dict[str, Any]) -> VideoStatus:
    """The status a Video object carries; an unreadable one counts as none."""
    try:
        return VideoStatus.model_validate(body.get("status") or {})
    except ValidationError:
        # A status written by another version: start over rather than fail forever.
        return VideoStatus()


def format_duration(seconds: float) -> str:
    """``12.5s``, ``4m05s``, ``1h02m03s``: short enough for a ``kubectl get`` column."""
    if seconds < 60:
        return f"{seconds:.1f}s"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


def video_conditions(
    phase: VideoPhase,
    *,
    reason: str,
    message: str,
    published: bool,
    generation: int,
) -> list[Condition]:
    ready = phase is VideoPhase.READY
    failed = phase is VideoPhase.FAILED
    working = phase in (VideoPhase.PROBING, VideoPhase.TRANSCODING, VideoPhase.PACKAGING)
    g = generation
    return [
        conditions.condition(
            "Ready",
            ready,
            "Transcoded" if ready else reason,
            "" if ready else message,
            generation=g,
        ),
        conditions.condition(
            "Transcoding",
            working,
            phase.value if working else "Idle",
            message if working else "",
            generation=g,
        ),
        conditions.condition(
            "Failed",
            failed,
            reason if failed else "NoFailure",
            message if failed else "",
            generation=g,
        ),
        conditions.condition(
            "Published",
            ready and published,
            "Published" if ready and published else "NotReady" if not ready else "NotPublished",
            generation=g,
        ),
    ]


def video_status(
    old: VideoStatus,
    phase: VideoPhase,
    *,
    reason: str,
    message: str,
    published: bool,
    generation: int,
    at: datetime,
    **fields: Any,
) -> VideoStatus:
    """``old`` moved to ``phase`` for ``reason``; ``fields`` replace what else changes.

    Conditions follow from the phase; their transition times stay where the condition's
    status did not change.
    """
    conds = video_conditions(
        phase, reason=reason, message=message, published=published, generation=generation
    )
    values = {
        **dict(old),
        "observed_generation": generation,
        "phase": phase,
        "message": message or None,
        **fields,
        "conditions": conditions.merge(old.conditions, conds, at),
    }
    return VideoStatus(**values)


def refusal(
    old: VideoStatus, phase: VideoPhase, reason: str, message: str, *, generation: int, at: datetime
) -> Decision:
    """A Video that cannot go on (a bad spec, a missing or invalid Ladder): the status
    says why, everything else it had stays; an Event marks each new reason."""
    status = video_status(
        old, phase, reason=reason, message=message, published=False, generation=generation, at=at
    )
    events = []
    if old.phase is not phase or old.message != message:
        kind: Literal["Normal", "Warning"] = "Warning" if phase is VideoPhase.FAILED else "Normal"
        events.append(Event(kind, reason, message))
    return Decision(status=status, events=events)


def status_patch(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """A merge patch turning ``old`` into ``new``: fields ``new`` lacks become null."""
    patch: dict[str, Any] = dict(new)
    for key in old:
        if key not in new:
            patch[key] = None
    return patch


def unchanged(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether writing the status ``new`` over ``old`` would change more than the
    conditions' transition times (then nothing is written)."""
    return _without_times(old) == _without_times(new)


def _without_times(status: dict[str, Any]) -> dict[str, Any]:
    plain = dict(status)
    plain["conditions"] = [
        {k: v for k, v in c.items() if k != "lastTransitionTime"}
        for c in status.get("conditions") or []
    ]
    return plain


def dns_safe(name: str) -> str:
    return name.lower().replace("_", "-").strip("-") or "x"


def join_url(base: str, path: str) -> str:
    return f"{base.rstrip('/')}/{path.lstrip('/')}"


def manifest_urls(public_base: str, report: TranscodeReport) -> Manifests:
    """Where players find the output's manifests and pictures, under ``public_base``."""
    return Manifests(
        hls=join_url(public_base, report.hls or ""),
        dash=join_url(public_base, report.dash or ""),
        thumbnails=join_url(public_base, report.thumbnails) if report.thumbnails else None,
        poster=join_url(public_base, report.poster) if report.poster else None,
    )


def summaries(report: TranscodeReport) -> list[RenditionSummary]:
    """``status.renditions``: what the output holds, from the transcoder's report."""
    out = []
    for r in report.renditions:
        video = r.kind == "video"
        out.append(
            RenditionSummary(
                name=dns_safe(r.name if video else f"audio-{r.name}"),
                kind=RenditionKind.VIDEO if video else RenditionKind.AUDIO,
                width=r.width,
                height=r.height,
                bitrate_kbps=r.target_bitrate_kbps,
                codec=r.codec,
                language=r.language,
                size_bytes=r.bytes,
            )
        )
    for s in report.subtitles:
        out.append(
            RenditionSummary(
                name=dns_safe(f"subtitle-{s.language}"),
                kind=RenditionKind.SUBTITLE,
                language=s.language,
                codec="wvtt",
            )
        )
    return out
