"""Helpers for the social API tests: the catalog they run on, and the kinds of viewer
the rules tell apart."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from fastapi.testclient import TestClient

from kinema.catalog.models import Maturity, TitleKind
from kinema.catalog.services import accounts
from kinema_api.context import AppContext
from tests.utils.factories import admin_token, bearer, make_ready_video, make_title, signup

API = "/api/v1"
Headers = dict[str, str]


@dataclass(frozen=True)
class Catalog:
    movie: uuid.UUID  # 13+, one 600 s video
    movie_video: uuid.UUID
    series: uuid.UUID  # 13+, two episodes
    episode1: uuid.UUID
    episode2: uuid.UUID
    adult: uuid.UUID  # 18+
    adult_video: uuid.UUID
    unpublished: uuid.UUID
    unpublished_video: uuid.UUID
    cartoon: uuid.UUID  # rated for all: a kids profile sees it
    cartoon_video: uuid.UUID


def seed(ctx: AppContext) -> Catalog:
    with ctx.sessions() as s:
        movie = make_title(s, name="Ocean Voyage")
        movie_video = make_ready_video(s, title=movie, duration_s=600)
        series = make_title(s, name="The Show", kind=TitleKind.SERIES)
        e1 = make_ready_video(s, title=series, season=1, episode=1, duration_s=1200)
        e2 = make_ready_video(s, title=series, season=1, episode=2, duration_s=1200)
        adult = make_title(s, name="Dark Night", maturity=Maturity.ADULT)
        adult_video = make_ready_video(s, title=adult)
        hidden = make_title(s, name="Hidden Voyage", published=False)
        hidden_video = make_ready_video(s, title=hidden)
        cartoon = make_title(s, name="Puppy Voyage", maturity=Maturity.ALL)
        cartoon_video = make_ready_video(s, title=cartoon, duration_s=300)
        s.commit()
        return Catalog(
            movie.id,
            movie_video.id,
            series.id,
            e1.id,
            e2.id,
            adult.id,
            adult_video.id,
            hidden.id,
            hidden_video.id,
            cartoon.id,
            cartoon_video.id,
        )


def viewer(client: TestClient) -> Headers:
    """A new account on the Free plan, watching as its one (adult) profile."""
    return bearer(signup(client))


def admin(ctx: AppContext, client: TestClient) -> Headers:
    return bearer(admin_token(ctx, client))


def _second_profile(
    ctx: AppContext,
    client: TestClient,
    *,
    kids: bool,
    max_maturity: Maturity | None = None,
    headers: Headers | None = None,
) -> Headers:
    """A new profile, selected for ``headers``' session (a new account's by default)."""
    headers = headers or viewer(client)
    user_id = uuid.UUID(client.get(f"{API}/auth/me", headers=headers).json()["id"])
    with ctx.sessions() as s:
        accounts.subscribe(s, user_id=user_id, plan_slug="family")
        profile = accounts.create_profile(
            s, user_id=user_id, name="Second", is_kids=kids, max_maturity=max_maturity
        )
        s.commit()
        profile_id = profile.id
    selected = client.post(f"{API}/profiles/{profile_id}/select", headers=headers)
    assert selected.status_code == 200, selected.text
    return headers


def kid(ctx: AppContext, client: TestClient) -> Headers:
    """An account watching as a kids profile."""
    return _second_profile(ctx, client, kids=True)


def switch_profile(ctx: AppContext, client: TestClient, headers: Headers) -> Headers:
    """Move ``headers``' session to a new adult profile of the same account."""
    return _second_profile(ctx, client, kids=False, headers=headers)


def teen(ctx: AppContext, client: TestClient) -> Headers:
    """An adult's profile limited to titles rated 13+."""
    return _second_profile(ctx, client, kids=False, max_maturity=Maturity.TEEN)
