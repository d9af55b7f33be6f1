"""Presigned URLs never leak their signatures into error messages."""

from __future__ import annotations

import pytest

from kinema_transcoder.failures import redact_signed_urls


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "http://127.0.0.1:9000/b/raw/x.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential"
            "=k%2F20261124&X-Amz-Signature=abc123: Invalid data found when processing input",
            "http://127.0.0.1:9000/b/raw/x.mp4?<signed>: Invalid data found when processing input",
        ),
        (
            "https://cdn.example/v.mp4?Expires=1&Signature=zz&Key-Pair-Id=K",
            "https://cdn.example/v.mp4?<signed>",
        ),
        ("/data/raw/x.mp4: moov atom not found", "/data/raw/x.mp4: moov atom not found"),
        ("https://example.com/v.mp4?quality=hd", "https://example.com/v.mp4?quality=hd"),
    ],
)
def test_signed_queries_are_dropped(text: str, expected: str) -> None:
    assert redact_signed_urls(text) == expected
