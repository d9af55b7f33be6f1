"""Shared clips: a profile's range (at most a minute) of one video, with an optional
caption, and the state of its preview (a short MP4 and a still, made by a worker).

The clip grants nothing: playing it is playing the video through the viewer's own
playback authorization. Its preview files live in the object store under
``clips/<id>/`` and are removed with the clip.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kinema.catalog.models.base import Base, IdMixin, str_enum, utcnow
from kinema.catalog.models.titles import Video


class PreviewState(enum.StrEnum):
    PENDING = "pending"  # queued, or being made
    READY = "ready"
    FAILED = "failed"


class Clip(IdMixin, Base):
    __tablename__ = "clips"
    __table_args__ = (
        Index("ix_clips_profile_created", "profile_id", "created_at"),
        Index("ix_clips_preview_state", "preview_state"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    profile_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    video_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("videos.id", ondelete="CASCADE"), index=True
    )
    start_s: Mapped[float]
    end_s: Mapped[float]
    caption: Mapped[str | None] = mapped_column(String(280))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    preview_state: Mapped[PreviewState] = mapped_column(
        str_enum(PreviewState), default=PreviewState.PENDING
    )
    preview_error: Mapped[str | None] = mapped_column(String(500))
    # Who is making the preview (``host:pid/thread``), and since when: a worker that
    # died leaves the claim, which the next start (or a stale claim) frees.
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[datetime | None]
    # Preview Jobs launched for it (cluster mode): a failed one is retried up to a limit.
    preview_attempts: Mapped[int] = mapped_column(default=0, server_default="0")

    video: Mapped[Video] = relationship()

    @property
    def preview_prefix(self) -> str:
        return f"clips/{self.id.hex}"
