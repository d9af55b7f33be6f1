"""Admin: start an artwork test on a title, read its statistics, end it.

Ending a test makes the winner (the admin's choice, else the highest posterior mean)
the title's own poster (``Title.poster_key``), which every viewer then sees.
"""

from __future__ import annotations

import uuid

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kinema import artwork
from kinema.catalog.models import ArtworkTest, ArtworkTestState, ArtworkVariant, utcnow
from kinema.catalog.services import titles
from kinema.storage import ObjectNotFound
from kinema_api.artwork.schemas import ArtworkTestPublic, VariantStats
from kinema_api.artwork.services import assign, variants
from kinema_api.context import AppContext
from kinema_api.errors import BadRequest, ConflictError, NotFoundError

API = "/api/v1"
# The admin's numbers are Monte Carlo estimates: a fixed seed keeps them steady between
# two reads of unchanged counters.
SUMMARY_SEED = 20261203


class ArtworkTestRunning(ConflictError):
    code = "artwork_test_running"


class TooFewVariants(ConflictError):
    code = "artwork_too_few_variants"


class ArtworkTestEnded(ConflictError):
    code = "artwork_test_ended"


def start(
    ctx: AppContext, session: Session, *, title_id: uuid.UUID, user_id: uuid.UUID
) -> ArtworkTestPublic:
    title = titles.get_title(session, title_id=title_id)
    if assign.running_test(session, title_id=title_id) is not None:
        raise ArtworkTestRunning(f"title {title_id} already has a running artwork test")
    found = variants.candidates(ctx.store, title)
    if len(found) < 2:
        raise TooFewVariants(
            f"title {title_id} has {len(found)} poster image(s); a test needs at least two"
        )
    test = ArtworkTest(title_id=title.id, created_by=user_id)
    test.variants = [
        ArtworkVariant(position=n, key=c.key, source=c.source) for n, c in enumerate(found)
    ]
    session.add(test)
    session.commit()
    return public(test)


def end(session: Session, *, test_id: uuid.UUID, winner_id: uuid.UUID | None) -> ArtworkTestPublic:
    test = _get(session, test_id)
    if test.state is ArtworkTestState.ENDED:
        raise ArtworkTestEnded(f"artwork test {test_id} has ended already")
    chosen = list(test.variants)
    if winner_id is None:
        winner = chosen[artwork.best([artwork.Arm(v.impressions, v.takes) for v in chosen])]
    else:
        match = [v for v in chosen if v.id == winner_id]
        if not match:
            raise BadRequest(f"variant {winner_id} is not part of test {test_id}")
        winner = match[0]
    test.state = ArtworkTestState.ENDED
    test.ended_at = utcnow()
    test.winner_id = winner.id
    test.title.poster_key = winner.key
    session.commit()
    return public(test)


def get(session: Session, *, test_id: uuid.UUID) -> ArtworkTestPublic:
    return public(_get(session, test_id))


def listing(
    session: Session, *, state: ArtworkTestState | None, limit: int
) -> list[ArtworkTestPublic]:
    query = select(ArtworkTest).options(
        selectinload(ArtworkTest.variants), selectinload(ArtworkTest.title)
    )
    if state is not None:
        query = query.where(ArtworkTest.state == state)
    rows = session.scalars(query.order_by(ArtworkTest.created_at.desc()).limit(limit))
    return [public(t) for t in rows]


def variant_image(ctx: AppContext, session: Session, *, variant_id: uuid.UUID) -> bytes:
    variant = session.get(ArtworkVariant, variant_id)
    if variant is None:
        raise NotFoundError(f"no artwork variant {variant_id}")
    try:
        return ctx.store.get_bytes(variant.key)
    except ObjectNotFound as exc:
        raise NotFoundError(f"the image of variant {variant_id} is gone") from exc


def public(test: ArtworkTest) -> ArtworkTestPublic:
    rows = list(test.variants)
    arms = [artwork.Arm(v.impressions, v.takes) for v in rows]
    stats = artwork.summarize(arms, np.random.default_rng(SUMMARY_SEED))
    return ArtworkTestPublic(
        id=test.id,
        title_id=test.title_id,
        title_name=test.title.name,
        state=test.state,
        created_at=test.created_at,
        ended_at=test.ended_at,
        winner_id=test.winner_id,
        leader_id=rows[artwork.best(arms)].id if rows else None,
        variants=[
            VariantStats(
                id=v.id,
                source=v.source,
                image_url=f"{API}/admin/artwork/variants/{v.id}/image",
                impressions=v.impressions,
                takes=v.takes,
                take_rate=s.take_rate,
                mean=s.mean,
                low=s.low,
                high=s.high,
                p_best=s.p_best,
                is_winner=v.id == test.winner_id,
            )
            for v, s in zip(rows, stats, strict=True)
        ],
    )


def _get(session: Session, test_id: uuid.UUID) -> ArtworkTest:
    test = session.get(ArtworkTest, test_id)
    if test is None:
        raise NotFoundError(f"no artwork test {test_id}")
    return test
