"""History, My List and ratings: what the viewing routes change, each in one
transaction, and what they read back."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from kinema.catalog.models import Title, WatchHistory
from kinema.catalog.services import titles, viewing
from kinema_api.accounts.services.auth import Viewer
from kinema_api.catalog.services.viewer import check_visible
from kinema_api.errors import NotFoundError


def history(session: Session, *, viewer: Viewer, limit: int, offset: int) -> list[WatchHistory]:
    return viewing.history(session, profile_id=viewer.profile.id, limit=limit, offset=offset)


def clear_history(session: Session, *, viewer: Viewer) -> int:
    count = viewing.clear_history(session, profile_id=viewer.profile.id)
    session.commit()
    return count


def my_list(session: Session, *, viewer: Viewer) -> list[Title]:
    return viewing.my_list(
        session, profile_id=viewer.profile.id, max_maturity=viewer.profile.max_maturity
    )


def add_to_my_list(session: Session, *, viewer: Viewer, title_id: uuid.UUID) -> bool:
    """False when the title was already there."""
    check_visible(viewer, titles.get_title(session, title_id=title_id))
    added = viewing.add_to_list(session, profile_id=viewer.profile.id, title_id=title_id)
    session.commit()
    return added


def remove_from_my_list(session: Session, *, viewer: Viewer, title_id: uuid.UUID) -> None:
    if not viewing.remove_from_list(session, profile_id=viewer.profile.id, title_id=title_id):
        raise NotFoundError(f"title {title_id} is not in My List")
    session.commit()


def rate(
    session: Session, *, viewer: Viewer, title_id: uuid.UUID, score: int
) -> tuple[float | None, int]:
    """Record the viewer's score; returns the title's average and count afterwards."""
    check_visible(viewer, titles.get_title(session, title_id=title_id))
    viewing.rate_title(session, profile_id=viewer.profile.id, title_id=title_id, score=score)
    session.commit()
    return viewing.average_rating(session, title_id=title_id)
