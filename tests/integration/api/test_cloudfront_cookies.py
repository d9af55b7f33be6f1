"""CloudFront signed cookies on playback, with the API on PostgreSQL and S3: real RSA
signatures checked with the public key, policies scoped to the viewer's plan."""

from __future__ import annotations

import json
import re
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from fastapi.testclient import TestClient

from kinema_api.app import create_app
from kinema_api.context import AppContext
from kinema_api.viewing.services import manifests
from kinema_api.viewing.services.cloudfront import cf_b64decode
from tests.utils.factories import (
    bearer,
    build_api_context,
    make_playable_video,
    set_plan,
    signup,
)

pytestmark = pytest.mark.integration

DOMAIN = "d111111abcdef8.cloudfront.net"
KEY_ID = "K2JCJMDEHXQW5F"
TTL = 3600


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _ctx(tmp_path: Path, pg_url: str, s3_env: Any, s3_prefix: str, **extra: Any) -> AppContext:
    return build_api_context(
        tmp_path / "data",
        database_url=pg_url,
        storage_url=f"s3://{s3_env.bucket}/{s3_prefix}",
        s3_endpoint_url=s3_env.endpoint_url,
        playback_url_ttl_s=TTL,
        **extra,
    )


@pytest.fixture
def cf_ctx(
    tmp_path: Path, pg_url: str, s3_env: Any, s3_prefix: str, rsa_key: rsa.RSAPrivateKey
) -> Iterator[AppContext]:
    ctx = _ctx(
        tmp_path,
        pg_url,
        s3_env,
        s3_prefix,
        cloudfront_domain=DOMAIN,
        cloudfront_key_pair_id=KEY_ID,
        cloudfront_private_key=_pem(rsa_key),
        cloudfront_cookie_domain=".example.com",
    )
    yield ctx
    ctx.close()


def _play(ctx: AppContext, plan: str) -> tuple[TestClient, Any, uuid.UUID]:
    with ctx.sessions() as s:
        video = make_playable_video(s, ctx.store, duration_s=12)
        s.commit()
        video_id = video.id
    client = TestClient(create_app(context=ctx, web_dist=None))
    h = bearer(signup(client))
    set_plan(ctx, client, h, plan)
    resp = client.get(f"/api/v1/playback/{video_id}", headers=h)
    assert resp.status_code == 200, resp.text
    return client, resp, video_id


def _cookie_sets(resp: Any) -> dict[str, dict[str, Any]]:
    """Set-Cookie headers grouped by Path: {path: {name: morsel}}."""
    sets: dict[str, dict[str, Any]] = {}
    for header in resp.headers.get_list("set-cookie"):
        jar: SimpleCookie = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            sets.setdefault(morsel["path"], {})[name] = morsel
    return sets


def _verified_policy(cookies: dict[str, Any], key: rsa.RSAPrivateKey) -> dict[str, Any]:
    policy = cf_b64decode(cookies["CloudFront-Policy"].value)
    signature = cf_b64decode(cookies["CloudFront-Signature"].value)
    # Raises InvalidSignature unless the private key of the key pair signed the policy.
    key.public_key().verify(signature, policy, padding.PKCS1v15(), hashes.SHA1())  # noqa: S303
    assert cookies["CloudFront-Key-Pair-Id"].value == KEY_ID
    data: dict[str, Any] = json.loads(policy)
    return data


def _covers(resource: str, url: str) -> bool:
    pattern = "^" + ".*".join(re.escape(p) for p in resource.split("*")) + "$"
    return re.match(pattern, url) is not None


def test_free_viewer_gets_cookies_for_480p_and_below_only(
    cf_ctx: AppContext, rsa_key: rsa.RSAPrivateKey, s3_env: Any, s3_prefix: str
) -> None:
    before = int(time.time())
    client, resp, video_id = _play(cf_ctx, "free")
    body = resp.json()
    output = f"/{s3_prefix.strip('/')}/processed/{video_id.hex}"
    base = f"https://{DOMAIN}{output}"
    # The manifests are the API's (filtered to the plan); the rest is on CloudFront.
    assert body["hls_url"].startswith("/api/v1/stream/")  # relative: never the Host header
    assert body["thumbnails_url"] == f"{base}/thumbnails.vtt"

    sets = _cookie_sets(resp)
    assert set(sets) == {
        f"{output}/240p/",
        f"{output}/480p/",
        f"{output}/audio/",
        f"{output}/subtitles/",
        f"{output}/trickplay/",
        f"{output}/posters/",
        f"{output}/thumbnails.vtt",
    }
    resources = []
    for path, cookies in sets.items():
        assert set(cookies) == {
            "CloudFront-Policy",
            "CloudFront-Signature",
            "CloudFront-Key-Pair-Id",
        }
        for morsel in cookies.values():
            assert morsel["secure"] is True
            assert morsel["httponly"] is True
            assert morsel["samesite"] == "none"
            assert morsel["domain"] == ".example.com"
            assert int(morsel["max-age"]) == TTL
        policy = _verified_policy(cookies, rsa_key)
        (statement,) = policy["Statement"]
        resource = statement["Resource"]
        resources.append(resource)
        assert resource == f"https://{DOMAIN}{path}" + ("*" if path.endswith("/") else "")
        expiry = statement["Condition"]["DateLessThan"]["AWS:EpochTime"]
        assert before + TTL <= expiry <= int(time.time()) + TTL
        assert expiry == int(datetime.fromisoformat(body["expires_at"]).timestamp())

    # What the Free plan may play is covered; a guessed 720p/1080p URL is not.
    for allowed in ("480p/seg_00001.m4s", "240p/playlist.m3u8", "audio/seg_00002.m4s"):
        assert any(_covers(r, f"{base}/{allowed}") for r in resources), allowed
    for refused in ("720p/seg_00001.m4s", "720p/playlist.m3u8", "1080p/init.mp4"):
        assert not any(_covers(r, f"{base}/{refused}") for r in resources), refused
        # ...and no cookie set is even sent with such a request (cookie path matching).
        assert not any(f"{output}/{refused}".startswith(p) for p in sets if p.endswith("/"))

    # A tampered policy does not verify.
    signature = cf_b64decode(sets[f"{output}/480p/"]["CloudFront-Signature"].value)
    with pytest.raises(InvalidSignature):
        rsa_key.public_key().verify(
            signature,
            json.dumps({"Statement": [{"Resource": f"{base}/*"}]}).encode(),
            padding.PKCS1v15(),
            hashes.SHA1(),  # noqa: S303
        )

    # The served manifests stay filtered and point at CloudFront.
    master = client.get(body["hls_url"]).text
    assert [v.height for v in manifests.variants(master) if not v.iframe] == [240, 480]
    assert f"{base}/480p/playlist.m3u8" in master.splitlines()
    assert f'URI="{base}/audio/playlist.m3u8"' in master
    assert "720p" not in master
    mpd = ET.fromstring(client.get(body["dash_url"]).text)  # noqa: S314 - our own output
    ns = "{urn:mpeg:dash:schema:mpd:2011}"
    assert [b.text for b in mpd.findall(f"{ns}BaseURL")] == [f"{base}/"]
    heights = sorted(int(r.get("height", "0")) for r in mpd.iter(f"{ns}Representation"))
    assert [h for h in heights if h] == [240, 480]
    client.close()


def test_premium_viewer_cookies_cover_every_rung(
    cf_ctx: AppContext, rsa_key: rsa.RSAPrivateKey, s3_prefix: str
) -> None:
    client, resp, video_id = _play(cf_ctx, "premium")
    output = f"/{s3_prefix.strip('/')}/processed/{video_id.hex}"
    sets = _cookie_sets(resp)
    for rung in ("240p", "480p", "720p", "1080p"):
        _verified_policy(sets[f"{output}/{rung}/"], rsa_key)
    client.close()


def test_without_cloudfront_the_signed_urls_are_unchanged(
    tmp_path: Path, pg_url: str, s3_env: Any, s3_prefix: str
) -> None:
    ctx = _ctx(tmp_path, pg_url, s3_env, s3_prefix)
    try:
        client, resp, _ = _play(ctx, "free")
        body = resp.json()
        assert resp.headers.get_list("set-cookie") == []
        root = body["hls_url"].rsplit("/", 1)[0]
        assert re.fullmatch(r"/api/v1/stream/[^/]+", root)  # relative: never the Host header
        assert body["hls_url"] == f"{root}/master.m3u8"
        assert body["dash_url"] == f"{root}/manifest.mpd"
        assert body["thumbnails_url"] == f"{root}/thumbnails.vtt"
        master = client.get(body["hls_url"]).text
        assert "480p/playlist.m3u8" in master.splitlines()  # relative, as before
        assert "cloudfront" not in master
        assert client.get(f"{root}/480p/seg_00001.m4s").status_code == 200
        assert client.get(f"{root}/720p/seg_00001.m4s").status_code == 403
        client.close()
    finally:
        ctx.close()
