"""Which poster variant a profile sees, and the impressions and takes it earns.

A profile with no live assignment for a running test gets one drawn by Thompson
sampling (:func:`kinema.artwork.choose`), kept for ``KINEMA_ARTWORK_STICKY_DAYS`` with
the propensity it was drawn with. Anonymous visitors and kids profiles are never in a
test: they see the default poster. An impression counts once per profile, title and UTC
day, and only for a profile that was assigned a variant (its poster was served); a take
counts once per assignment, when a play starts after an impression.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kinema import artwork
from kinema.catalog.models import (
    ArtworkAssignment,
    ArtworkTest,
    ArtworkTestState,
    ArtworkVariant,
    utcnow,
)
from kinema_api.accounts.services.auth import Viewer

_rng = np.random.default_rng()


def set_rng(rng: np.random.Generator) -> None:
    """Use ``rng`` for every later draw (tests seed it for repeatable assignments)."""
    global _rng
    _rng = rng


def running_test(session: Session, *, title_id: uuid.UUID) -> ArtworkTest | None:
    return session.scalars(
        select(ArtworkTest).where(
            ArtworkTest.title_id == title_id, ArtworkTest.state == ArtworkTestState.RUNNING
        )
    ).first()


def in_tests(viewer: Viewer | None) -> bool:
    """Whether this viewer takes part in artwork tests at all."""
    return viewer is not None and not viewer.profile.is_kids


def assigned_variant(
    session: Session,
    *,
    test: ArtworkTest,
    profile_id: uuid.UUID,
    sticky_days: int,
    rng: np.random.Generator | None = None,
    now: datetime | None = None,
) -> ArtworkVariant:
    """The profile's live variant in ``test``, drawing (and storing) one when it has
    none or its assignment has expired. The caller commits."""
    now = now or utcnow()
    row = session.get(ArtworkAssignment, (profile_id, test.id))
    if row is not None and row.expires_at > now:
        variant = session.get(ArtworkVariant, row.variant_id)
        if variant is not None:
            return variant
    variants = list(test.variants)
    choice = artwork.choose(
        [artwork.Arm(v.impressions, v.takes) for v in variants], rng if rng is not None else _rng
    )
    variant = variants[choice.index]
    expires = now + timedelta(days=sticky_days)
    if row is None:
        row = ArtworkAssignment(profile_id=profile_id, test_id=test.id)
        session.add(row)
    row.variant_id = variant.id
    row.propensity = choice.propensity
    row.assigned_at = now
    row.expires_at = expires
    row.taken_at = None
    session.flush()
    return variant


def variant_for(
    session: Session, *, test: ArtworkTest, profile_id: uuid.UUID, sticky_days: int
) -> ArtworkVariant:
    """:func:`assigned_variant`, committed. Two first requests of one profile at once
    (the same card in two rows) may both draw: the second insert loses, and its request
    answers with the assignment that won."""
    test_id = test.id
    try:
        variant = assigned_variant(
            session, test=test, profile_id=profile_id, sticky_days=sticky_days
        )
        session.commit()
        return variant
    except IntegrityError:
        session.rollback()
    row = session.get(ArtworkAssignment, (profile_id, test_id))
    found = session.get(ArtworkVariant, row.variant_id) if row is not None else None
    if found is None:
        raise RuntimeError(f"no artwork assignment for profile {profile_id} in test {test_id}")
    return found


def record_impressions(
    session: Session,
    *,
    viewer: Viewer,
    title_ids: Sequence[uuid.UUID],
    now: datetime | None = None,
) -> int:
    """Count one impression per title whose running test assigned this profile a live
    variant, unless one was counted today already. Returns how many counted; commits."""
    if not in_tests(viewer) or not title_ids:
        return 0
    now = now or utcnow()
    today = now.date()
    rows = session.execute(
        select(ArtworkAssignment)
        .join(ArtworkTest, ArtworkTest.id == ArtworkAssignment.test_id)
        .where(
            ArtworkAssignment.profile_id == viewer.profile.id,
            ArtworkTest.title_id.in_(set(title_ids)),
            ArtworkTest.state == ArtworkTestState.RUNNING,
            ArtworkAssignment.expires_at > now,
        )
    ).scalars()
    counted = 0
    for row in rows:
        if row.impression_day == today:
            continue
        row.impression_day = today
        _bump(session, row.variant_id, impressions=1)
        counted += 1
    session.commit()
    return counted


def record_take(
    session: Session, *, profile_id: uuid.UUID, title_id: uuid.UUID, now: datetime | None = None
) -> bool:
    """Attribute a play of ``title_id`` to the variant this profile was shown (once per
    assignment, and only after an impression). The caller commits."""
    now = now or utcnow()
    row = session.execute(
        select(ArtworkAssignment)
        .join(ArtworkTest, ArtworkTest.id == ArtworkAssignment.test_id)
        .where(
            ArtworkAssignment.profile_id == profile_id,
            ArtworkTest.title_id == title_id,
            ArtworkTest.state == ArtworkTestState.RUNNING,
        )
    ).scalar_one_or_none()
    if row is None or row.impression_day is None or row.taken_at is not None:
        return False
    row.taken_at = now
    _bump(session, row.variant_id, takes=1)
    return True


def _bump(session: Session, variant_id: uuid.UUID, *, impressions: int = 0, takes: int = 0) -> None:
    # In the database, so concurrent requests never lose a count.
    session.execute(
        update(ArtworkVariant)
        .where(ArtworkVariant.id == variant_id)
        .values(
            impressions=ArtworkVariant.impressions + impressions,
            takes=ArtworkVariant.takes + takes,
        )
    )
