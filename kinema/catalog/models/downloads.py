"""Offline download grants: which device may keep which video, at what height, until when.

A grant is the API's record of one download on one device. The web app asks for one
before storing a title and renews it when online; the grant's expiry is the only clock
the API trusts (30 days, cut to 48 hours after the first offline play is reported).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kinema.catalog.models.accounts import AuthSession
from kinema.catalog.models.base import Base, IdMixin, utcnow
from kinema.catalog.models.titles import Video


class DownloadGrant(IdMixin, Base):
    __tablename__ = "download_grants"
    __table_args__ = (
        Index("ix_download_grants_user_device", "user_id", "device"),
        Index("ix_download_grants_video", "video_id"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    profile_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    # The device: the client's stable ``device_id`` (``auth_sessions.device_id``), or
    # ``session:<hex>`` for a login that sent none.
    device: Mapped[str] = mapped_column(String(64))
    # The login session that asked (the Devices page's id for the device); kept when the
    # session ends, so a device signed out can still have its downloads revoked.
    session_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("auth_sessions.id", ondelete="SET NULL")
    )
    video_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"))
    # The tallest rendition the download may hold (Standard or High, within the plan).
    height: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    renewed_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    first_offline_play_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    video: Mapped[Video] = relationship()
    session: Mapped[AuthSession | None] = relationship()
