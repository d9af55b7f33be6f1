"""Property-based checks of every documented operation against the real app (SQLite
catalog with a playable video, local store): no 5xx for any input, and responses that
match the OpenAPI document (status codes, content types, bodies)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from kinema_api.app import create_app
from kinema_api.context import AppContext
from tests.utils.factories import admin_token, build_api_context, make_playable_video

pytestmark = pytest.mark.integration

# Rules JSON Schema cannot state: an intro needs both ends, and its end must follow its
# start; sidecar subtitles are one per language; a clip is 1 to 60 s long. There, 422
# is the right answer to some schema-valid bodies, provided it names one of the rules'
# fields; any other refusal of valid data still fails the test.
CROSS_FIELD_RULES = {
    "POST /api/v1/admin/videos": ("chapters", "subtitles"),
    "PATCH /api/v1/admin/videos/{video_id}": ("chapters", "subtitles"),
    # An ad's active window starts before it ends.
    "PUT /api/v1/admin/ads/{video_id}": ("starts_at must be before ends_at",),
    # A clip's end follows its start by 1 to 60 s.
    "POST /api/v1/clips": ("end_s",),
    # A QoE report's plausible values, and a client time with its zone.
    "POST /api/v1/playback/{video_id}/events": ("payload.", "client_time"),
    "POST /api/v1/playback/events": ("payload.", "client_time"),
    # A range starts before it ends, with zones, at most so many days long; the Audience
    # heatmap's zone is one of the IANA database's.
    **{
        f"GET /api/v1/admin/analytics/{page}": ("start", "range", "time zone")
        for page in (
            "overview",
            "qoe",
            "content",
            "audience",
            "business",
            "pipeline",
            "dimensions",
            "export/{table}.csv",
        )
    },
}


@pytest.fixture(scope="module")
def app_and_token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str]]:
    ctx: AppContext = build_api_context(
        tmp_path_factory.mktemp("schemathesis"),
        # Fuzzing sends thousands of requests a minute; limits are tested elsewhere.
        auth_rate_limit_per_min=1_000_000,
        write_rate_limit_per_min=1_000_000,
    )
    with ctx.sessions() as s:
        make_playable_video(s, ctx.store)
        s.commit()
    app = create_app(context=ctx, web_dist=None)
    with TestClient(app) as client:
        token = admin_token(ctx, client)
    yield app, token
    ctx.close()


def test_api_conforms(app_and_token: tuple[Any, str]) -> None:
    """Every operation, each with generated valid and invalid inputs.

    (schemathesis' own pytest integration does not run under pytest 9 yet, so the
    operations are driven through Hypothesis directly.)"""
    app, token = app_and_token
    schema = (
        schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
        # Logging out would revoke the token every other case runs with.
        .exclude(path="/api/v1/auth/logout")
        # An event stream never ends, and the in-process transport waits for the end
        # of a body; test_admin_events.py drives it over real HTTP instead.
        .exclude(path="/api/v1/admin/videos/events")
    )
    headers = {"Authorization": f"Bearer {token}"}
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) > 30
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=20,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case: Any) -> None:
            rules = CROSS_FIELD_RULES.get(case.operation.label)
            if rules is None:
                case.call_and_validate(headers=headers)
                return
            response = case.call_and_validate(
                headers=headers, excluded_checks=[positive_data_acceptance]
            )
            positive = case.meta is not None and case.meta.generation.mode.is_positive
            if positive and response.status_code == 422:
                assert any(rule in response.text for rule in rules), response.text

        try:
            run()
        except Exception as exc:  # collect every operation's failure, then report
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)


def test_openapi_is_complete(app_and_token: tuple[Any, str], tmp_path: Path) -> None:
    app, _ = app_and_token
    doc = app.openapi()
    paths = doc["paths"]
    for expected in (
        "/api/v1/auth/login",
        "/api/v1/search",
        "/api/v1/progress/{video_id}",
        "/api/v1/playback/{video_id}",
        "/api/v1/admin/uploads",
        "/api/v1/admin/uploads/tus/{upload_id}",
        "/api/v1/admin/videos/{video_id}",
        "/api/v1/admin/videos/events",
    ):
        assert expected in paths
    for path, ops in paths.items():
        for method, op in ops.items():
            assert op.get("summary") or op.get("description"), (method, path)
