"""The admins' list of every profile's clips (deleting one is ``DELETE /clips/{id}``,
which an admin may do to any clip). The caller has checked that the viewer is an admin."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinema.catalog.models import Profile
from kinema.catalog.services import clips as clip_rows
from kinema_api.accounts.services.auth import Viewer
from kinema_api.clips.schemas import ClipModerated, ClipModerationPage
from kinema_api.clips.services.clips import public
from kinema_api.social.services.views import author, next_offset


def clips(session: Session, *, admin: Viewer, limit: int, offset: int) -> ClipModerationPage:
    """Clips newest first, with their makers' names and avatars."""
    rows, total = clip_rows.all_clips(session, limit=limit, offset=offset)
    ids = {row.profile_id for row in rows}
    makers = {p.id: p for p in session.scalars(select(Profile).where(Profile.id.in_(ids)))}
    items = [
        ClipModerated(
            **public(row, viewer=admin).model_dump(),
            maker=author(makers[row.profile_id]),
            preview_error=row.preview_error,
        )
        for row in rows
    ]
    return ClipModerationPage(
        items=items,
        total=total,
        next_offset=next_offset(offset=offset, shown=len(rows), total=total),
    )
