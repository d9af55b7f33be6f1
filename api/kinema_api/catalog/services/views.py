"""Turning catalog rows into response bodies (no writes, no I/O besides lazy loads)."""

from __future__ import annotations

from kinema.catalog.models import Title, Video, VideoStatus
from kinema_api.catalog.schemas import GenrePublic, TitleCard, VideoSummary

API = "/api/v1"


def poster_url(title: Title) -> str | None:
    if title.poster_key or any(v.poster_path for v in title.videos):
        return f"{API}/titles/{title.id}/poster"
    return None


def title_card(title: Title) -> TitleCard:
    return TitleCard(
        id=title.id,
        slug=title.slug,
        name=title.name,
        kind=title.kind,
        year=title.year,
        maturity=title.maturity,
        genres=[GenrePublic.model_validate(g) for g in title.genres],
        poster_url=poster_url(title),
    )


def video_summary(video: Video, *, position_s: float | None = None) -> VideoSummary:
    return VideoSummary(
        id=video.id,
        name=video.name,
        description=video.description,
        season_number=video.season_number,
        episode_number=video.episode_number,
        duration_s=video.duration_s,
        status=video.status,
        poster_url=f"{API}/videos/{video.id}/poster" if video.poster_path else None,
        position_s=position_s,
    )


def episode_label(video: Video | None) -> str | None:
    """How admin pages and clip cards name an episode (``S1:E2 The Heist``); None for a
    movie's video (or no video)."""
    if video is None or video.episode_number is None:
        return None
    return f"S{video.season_number or 1}:E{video.episode_number} {video.name}".strip()


def playable(video: Video) -> bool:
    return video.status is VideoStatus.READY and bool(video.hls_path)
