"""Ad creatives: uploaded videos marked as ads for plans with ``ads: true``.

A creative is an ordinary video (uploaded and transcoded like any other) plus this row:
its weight in the ad decision's weighted draw and the window in which it may be shown.
The row, not a flag on the video, marks it: unmarking deletes the row and leaves the
video. A creative's title is never listed nor playable as a title (see
:mod:`kinema.catalog.services.ads`).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kinema.catalog.models.base import Base, IdMixin, TimestampMixin
from kinema.catalog.models.titles import Video


class AdCreative(IdMixin, TimestampMixin, Base):
    __tablename__ = "ad_creatives"
    __table_args__ = (
        CheckConstraint("weight >= 1", name="weight_positive"),
        CheckConstraint(
            "starts_at IS NULL OR ends_at IS NULL OR starts_at < ends_at", name="window_order"
        ),
    )

    video_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("videos.id", ondelete="CASCADE"), unique=True
    )
    # Relative share of the draw: a creative of weight 3 is shown three times as often
    # as one of weight 1.
    weight: Mapped[int] = mapped_column(default=1)
    # The active window; an open end is unbounded on that side.
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]

    video: Mapped[Video] = relationship()
