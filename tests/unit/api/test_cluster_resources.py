"""The pure parts of cluster mode: merge patches from admin edits, and the admin view
of a row with its Video's live status laid over it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from kinema.catalog.models import Maturity, TitleKind, VideoStatus
from kinema_api.admin.schemas import AdminVideoPublic, VideoUpdate
from kinema_api.admin.services.resources import metadata_patch, overlay
from kinema_api.viewing.schemas import Chapters


def _public(status: VideoStatus, **over: Any) -> AdminVideoPublic:
    now = datetime.now(UTC)
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "title_id": uuid.uuid4(),
        "title": "T",
        "name": "T",
        "kind": TitleKind.MOVIE,
        "season_number": None,
        "episode_number": None,
        "status": status,
        "progress": 0.0,
        "error": None,
        "published": True,
        "source": "s3://b/k",
        "duration_s": None,
        "renditions": [],
        "job": None,
        "created_at": now,
        "updated_at": now,
    }
    return AdminVideoPublic(**{**values, **over})


def test_metadata_patch_sends_only_what_changed() -> None:
    assert metadata_patch(VideoUpdate()) == {}
    assert metadata_patch(
        VideoUpdate(title="New", maturity=Maturity.ADULT, genres=["Drama"], published=False)
    ) == {
        "spec": {"title": "New", "maturityRating": "18+", "genres": ["Drama"], "published": False}
    }
    cleared = metadata_patch(VideoUpdate(chapters=Chapters()))
    assert cleared == {
        "spec": {
            "chapters": {
                "introStartSeconds": None,
                "introEndSeconds": None,
                "creditsStartSeconds": None,
            }
        }
    }


@pytest.mark.parametrize(
    ("row", "status", "expected"),
    [
        (
            VideoStatus.QUEUED,
            {"phase": "Transcoding", "progress": 40},
            ("processing", 0.4, None, False),
        ),
        (VideoStatus.QUEUED, {"phase": "Pending"}, ("queued", 0.0, None, False)),
        (VideoStatus.QUEUED, {"phase": "Failed", "message": "bad"}, ("failed", 0.0, "bad", False)),
        (VideoStatus.READY, {"phase": "Failed", "message": "bad"}, ("ready", 0.0, "bad", True)),
        (VideoStatus.READY, {"phase": "Transcoding", "progress": 50}, ("ready", 0.0, None, False)),
        (VideoStatus.QUEUED, {}, ("queued", 0.0, None, False)),
        (VideoStatus.DRAFT, {"phase": "Failed"}, ("draft", 0.0, None, False)),
    ],
)
def test_overlay(row: VideoStatus, status: dict[str, Any], expected: tuple[Any, ...]) -> None:
    out = overlay(_public(row), status)
    assert (out.status.value, out.progress, out.error, out.retranscode_failed) == expected
