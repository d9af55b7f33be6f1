"""Download grant bodies: options before a download, the grant, an online check."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import AwareDatetime, BaseModel

from kinema.downloads import Quality, Reason, Verdict
from kinema_api.viewing.schemas import SubtitlePublic


class DownloadOption(BaseModel):
    quality: Quality
    height: int
    # About how big the stored copy will be; null when the duration is unknown.
    estimated_bytes: int | None


class DownloadOptions(BaseModel):
    """What a Download button may offer for one video."""

    video_id: uuid.UUID
    title: str
    allowed: bool  # the plan allows downloads
    options: list[DownloadOption]
    limit: int  # downloads the account may hold at once, across its devices
    used: int  # downloads it holds now


class DownloadCreate(BaseModel):
    video_id: uuid.UUID
    quality: Quality = Quality.STANDARD


class DownloadPublic(BaseModel):
    id: uuid.UUID
    video_id: uuid.UUID
    title_id: uuid.UUID
    title: str
    height: int
    estimated_bytes: int | None
    created_at: datetime
    expires_at: datetime
    first_offline_play_at: datetime | None
    revoked_at: datetime | None
    # The device that holds it: this one, or (account view) another one's name.
    current_device: bool
    device_name: str | None
    # Signed URLs valid until ``expires_at`` (this device's active grants only): the
    # manifests, filtered to ``height``, and every file they name.
    hls_url: str | None = None
    dash_url: str | None = None
    # Every subtitle track, under the same signed root (stored beside the media).
    subtitles: list[SubtitlePublic] = []


class DownloadCheck(BaseModel):
    """An online check: keep the stored copy (with the renewed grant) or delete it."""

    verdict: Verdict
    reason: Reason | None
    message: str | None
    download: DownloadPublic


class OfflinePlay(BaseModel):
    played_at: AwareDatetime


class Revoked(BaseModel):
    revoked: int
