"""Admin operations on ad creatives: mark a video, edit weight and window, unmark, list.

The catalog service (:mod:`kinema.catalog.services.ads`) holds the rules; this module
owns the transaction and the public shape. Routes reach here only through
``AdminViewer``, so every write is an admin's.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from kinema.catalog.models import AdCreative, VideoStatus, utcnow
from kinema.catalog.services import ads, titles
from kinema_api.ads.schemas import AdCreativeCreate, AdCreativePublic, AdCreativeUpdate


def is_active(creative: AdCreative, *, now: datetime) -> bool:
    return (
        creative.video.status is VideoStatus.READY
        and (creative.starts_at is None or creative.starts_at <= now)
        and (creative.ends_at is None or creative.ends_at > now)
    )


def to_public(creative: AdCreative, *, now: datetime | None = None) -> AdCreativePublic:
    video = creative.video
    return AdCreativePublic(
        video_id=video.id,
        title_id=video.title_id,
        name=video.title.name,
        status=video.status,
        duration_s=video.duration_s,
        weight=creative.weight,
        starts_at=creative.starts_at,
        ends_at=creative.ends_at,
        active=is_active(creative, now=now or utcnow()),
        created_at=creative.created_at,
        updated_at=creative.updated_at,
    )


def mark(session: Session, *, video_id: uuid.UUID, body: AdCreativeCreate) -> AdCreativePublic:
    video = titles.get_video(session, video_id=video_id)
    creative = ads.mark(
        session, video=video, weight=body.weight, starts_at=body.starts_at, ends_at=body.ends_at
    )
    session.commit()
    return to_public(creative)


def update(session: Session, *, video_id: uuid.UUID, body: AdCreativeUpdate) -> AdCreativePublic:
    creative = ads.get(session, video_id=video_id)
    sent = body.model_fields_set
    ads.update(
        session,
        creative=creative,
        weight=body.weight,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        clear_starts="starts_at" in sent and body.starts_at is None,
        clear_ends="ends_at" in sent and body.ends_at is None,
    )
    session.commit()
    return to_public(creative)


def unmark(session: Session, *, video_id: uuid.UUID) -> None:
    ads.unmark(session, creative=ads.get(session, video_id=video_id))
    session.commit()


def listing(session: Session) -> list[AdCreativePublic]:
    now = utcnow()
    return [to_public(c, now=now) for c in ads.listing(session)]
