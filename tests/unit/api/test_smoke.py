from __future__ import annotations

from fastapi.testclient import TestClient

from tests.utils.factories import bearer, signup


def test_signup_me_home(client: TestClient) -> None:
    token = signup(client, email="a@example.com")
    me = client.get("/api/v1/auth/me", headers=bearer(token))
    assert me.status_code == 200, me.text
    assert me.json()["plan"]["slug"] == "free"
    home = client.get("/api/v1/browse/home", headers=bearer(token))
    assert home.status_code == 200, home.text
