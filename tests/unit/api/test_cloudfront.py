"""The pure parts of CloudFront signed cookies."""

from __future__ import annotations

import pytest

from kinema_api.viewing.services import cloudfront


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [(b"\xfb\xff", "-~8_"), (b"\xff\xfe", "~~4_"), (b"abc", "YWJj")],
)
def test_cloudfront_base64(raw: bytes, encoded: str) -> None:
    assert cloudfront.cf_b64(raw) == encoded
    assert cloudfront.cf_b64decode(encoded) == raw


def test_policy_is_compact_custom_policy() -> None:
    assert cloudfront.policy("https://d.example/v/*", 1700000000) == (
        '{"Statement":[{"Resource":"https://d.example/v/*",'
        '"Condition":{"DateLessThan":{"AWS:EpochTime":1700000000}}}]}'
    )


def test_scopes_never_reach_a_denied_rung() -> None:
    folders, files = cloudfront.readable_scopes(
        allowed=["video/240p/index.m3u8", "video/480p/index.m3u8"],
        denied=["video/720p/index.m3u8"],
        shared_files=["thumbnails.vtt", "posters/p_0001.jpg", None, "master.m3u8"],
    )
    assert folders == ["audio", "posters", "subtitles", "trickplay", "video/240p", "video/480p"]
    assert files == ["thumbnails.vtt"]
    # A shared folder that holds a denied rung is dropped rather than over-granted.
    folders, _ = cloudfront.readable_scopes(allowed=[], denied=["audio/hd/index.m3u8"])
    assert "audio" not in folders


def test_absolute_master_keeps_tags_and_rewrites_uris() -> None:
    master = (
        "#EXTM3U\n"
        '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",URI="audio/en/index.m3u8"\n'
        "#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=854x480\n"
        "video/480p/index.m3u8\n"
    )
    out = cloudfront.absolute_master(master, master_path="master.m3u8", base_url="https://cdn/x")
    assert out.splitlines() == [
        "#EXTM3U",
        '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",URI="https://cdn/x/audio/en/index.m3u8"',
        "#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=854x480",
        "https://cdn/x/video/480p/index.m3u8",
    ]


def test_settings_refuse_half_configured_cloudfront_and_cluster_mode() -> None:
    from kinema.errors import ConfigError
    from kinema.settings import Settings

    with pytest.raises(ConfigError, match="KINEMA_CLOUDFRONT_PRIVATE_KEY"):
        Settings(cloudfront_domain="cdn.example.com", cloudfront_key_pair_id="K1")
    with pytest.raises(ConfigError, match="KINEMA_STORAGE_URL"):
        Settings(mode="cluster")
    assert not Settings().cloudfront_enabled
    assert Settings().mode == "embedded"
