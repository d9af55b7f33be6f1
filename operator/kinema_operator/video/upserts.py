"""What the catalog keeps about a Video: its metadata always, its output once live. Pure.

The mapping from the transcoder's report to renditions and tracks is the core's
(:func:`kinema.catalog.services.sync.report_upsert`, shared with the embedded worker
pool); this module adds what only the Video resource knows: its title metadata, and the
labels its spec gives audio and sidecar subtitle tracks. :mod:`kinema_operator.catalog`
writes the result.
"""

from __future__ import annotations

from kinema.catalog.models import Maturity, TitleKind
from kinema.catalog.services.sync import AudioLabel, TrackLabels, VideoUpsert, report_upsert
from kinema.output import TranscodeReport
from kinema.resources.video import VideoSpec, VideoType


def resource_name(namespace: str, name: str) -> str:
    """The catalog's key of a Video resource (``namespace/name``)."""
    return f"{namespace}/{name}"


def metadata_upsert(namespace: str, name: str, spec: VideoSpec, generation: int) -> VideoUpsert:
    """Title metadata from the spec (what a metadata-only edit changes)."""
    episode = spec.episode if spec.type is VideoType.EPISODE else None
    return VideoUpsert(
        resource_name=resource_name(namespace, name),
        title=spec.title,
        description=spec.description,
        kind=TitleKind.SERIES if episode else TitleKind.MOVIE,
        series=episode.series if episode else None,
        season_number=episode.season if episode else None,
        episode_number=episode.number if episode else None,
        year=spec.year,
        maturity=Maturity(spec.maturity_rating),
        genres=list(spec.genres),
        tags=list(spec.tags),
        published=spec.published,
        source=spec.source,
        chapters=_chapters(spec),
        generation=generation,
    )


def _chapters(spec: VideoSpec) -> tuple[float | None, float | None, float | None]:
    c = spec.chapters
    if c is None:
        return (None, None, None)
    return (c.intro_start_seconds, c.intro_end_seconds, c.credits_start_seconds)


def track_labels(spec: VideoSpec) -> TrackLabels:
    """The labels (and the default audio language) the spec gives the output's tracks."""
    return TrackLabels(
        audio={t.language: AudioLabel(t.label or "", t.default) for t in spec.audio_tracks},
        subtitles={s.language: s.label for s in spec.subtitles if s.label},
    )


def ready_upsert(
    namespace: str,
    name: str,
    spec: VideoSpec,
    generation: int,
    output_key: str,
    report: TranscodeReport,
) -> VideoUpsert:
    """Everything the catalog keeps about a Video whose output (under ``output_key``,
    relative to the store, as the embedded pool writes it) is live."""
    return report_upsert(
        report,
        base=metadata_upsert(namespace, name, spec, generation),
        output_prefix=output_key,
        labels=track_labels(spec),
    )
