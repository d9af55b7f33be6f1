"""Deleting a video keeps an upload another video was made from (finding 11)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from kinema_api.context import AppContext
from tests.utils.factories import admin_token, bearer, make_completed_upload

pytestmark = [pytest.mark.integration]


# --- 11. deleting a video keeps an upload another video uses --------------------------


def test_deleting_one_video_keeps_a_shared_upload(stack: AppContext, client: TestClient) -> None:
    h = bearer(admin_token(stack, client))
    with stack.sessions() as s:
        upload_id = make_completed_upload(s, stack.store, data=b"\x00" * 4096)
        s.commit()
    first = client.post(
        "/api/v1/admin/videos", json={"title": "One", "upload_id": str(upload_id)}, headers=h
    ).json()
    second = client.post(
        "/api/v1/admin/videos", json={"title": "Two", "upload_id": str(upload_id)}, headers=h
    ).json()
    key = f"raw/{upload_id.hex}/movie.mp4"
    assert client.delete(f"/api/v1/admin/videos/{first['id']}", headers=h).is_success
    assert stack.store.exists(key)
    assert client.delete(f"/api/v1/admin/videos/{second['id']}", headers=h).is_success
    assert not stack.store.exists(key)
