"""The web app's static mount: precompressed assets by Accept-Encoding, long caching for
hashed names, and nothing else ever content-encoded (media segments, manifests, Range)."""

from __future__ import annotations

import gzip
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kinema_api.app import accepted_encodings, create_app
from kinema_api.context import AppContext
from tests.utils.factories import bearer, make_playable_video, signup

SCRIPT = b"export const answer = 42;\n" * 200
# The build writes real Brotli; the server never decodes it, so any bytes prove the point
# (and the test client cannot decode Brotli).
FAKE_BROTLI = b"\x1b\x00brotli-stand-in"
ASSET = "index-AbCdEf12.js"


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><div id=root></div>", encoding="utf-8")
    (root / "favicon.svg").write_text("<svg/>", encoding="utf-8")
    asset = root / "assets" / ASSET
    asset.write_bytes(SCRIPT)
    asset.with_name(ASSET + ".gz").write_bytes(gzip.compress(SCRIPT))
    asset.with_name(ASSET + ".br").write_bytes(FAKE_BROTLI)
    (root / "assets" / "plain-Zz9Yy8Xx.css").write_bytes(b"body{color:red}")
    return root


@pytest.fixture
def web(ctx: AppContext, dist: Path) -> Iterator[TestClient]:
    with TestClient(create_app(context=ctx, web_dist=dist)) as c:
        yield c


def _raw(
    client: TestClient, url: str, headers: dict[str, str]
) -> tuple[int, dict[str, str], bytes]:
    with client.stream("GET", url, headers=headers) as r:
        return r.status_code, dict(r.headers), b"".join(r.iter_raw())


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, set()),
        ("", set()),
        ("gzip", {"gzip"}),
        ("gzip, deflate, br, zstd", {"gzip", "deflate", "br", "zstd"}),
        ("br;q=0, gzip;q=0.5", {"gzip"}),
        ("*", {"*", "br", "gzip"}),
        ("*, br;q=0", {"*", "gzip"}),
        ("GZIP;Q=1", {"gzip"}),
        ("gzip;q=nonsense", set()),
    ],
)
def test_accepted_encodings(header: str | None, expected: set[str]) -> None:
    assert accepted_encodings(header) == expected


def test_brotli_when_accepted(web: TestClient) -> None:
    status, headers, body = _raw(web, f"/assets/{ASSET}", {"Accept-Encoding": "gzip, br"})
    assert status == 200
    assert headers["content-encoding"] == "br"
    assert headers["vary"] == "Accept-Encoding"
    assert headers["content-type"].startswith("text/javascript")
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "accept-ranges" not in headers
    assert body == FAKE_BROTLI


def test_gzip_when_only_gzip_is_accepted(web: TestClient) -> None:
    status, headers, body = _raw(web, f"/assets/{ASSET}", {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert headers["vary"] == "Accept-Encoding"
    assert gzip.decompress(body) == SCRIPT
    # What a browser does with it: the decoded body is the script.
    assert web.get(f"/assets/{ASSET}", headers={"Accept-Encoding": "gzip"}).content == SCRIPT


@pytest.mark.parametrize("accept", ["identity", "", "br;q=0, gzip;q=0", "deflate"])
def test_plain_when_not_asked(web: TestClient, accept: str) -> None:
    status, headers, body = _raw(web, f"/assets/{ASSET}", {"Accept-Encoding": accept})
    assert status == 200
    assert "content-encoding" not in headers
    assert headers["vary"] == "Accept-Encoding"  # caches must still key on the header
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert body == SCRIPT


def test_range_on_an_asset_gets_plain_bytes(web: TestClient) -> None:
    status, headers, body = _raw(
        web, f"/assets/{ASSET}", {"Accept-Encoding": "gzip, br", "Range": "bytes=0-9"}
    )
    assert status == 206
    assert "content-encoding" not in headers
    assert body == SCRIPT[:10]


def test_revalidation_of_the_compressed_variant(web: TestClient) -> None:
    first = web.get(f"/assets/{ASSET}", headers={"Accept-Encoding": "br"})
    again = web.get(
        f"/assets/{ASSET}",
        headers={"Accept-Encoding": "br", "If-None-Match": first.headers["etag"]},
    )
    assert again.status_code == 304
    assert again.headers["vary"] == "Accept-Encoding"
    plain = web.get(f"/assets/{ASSET}", headers={"Accept-Encoding": "identity"})
    assert plain.headers["etag"] != first.headers["etag"]  # two representations, two tags


def test_asset_without_siblings_and_the_shell(web: TestClient) -> None:
    css = web.get("/assets/plain-Zz9Yy8Xx.css", headers={"Accept-Encoding": "gzip, br"})
    assert css.status_code == 200
    assert "content-encoding" not in css.headers
    assert "vary" not in css.headers
    shell = web.get("/watch/anything", headers={"Accept-Encoding": "gzip, br"})
    assert shell.status_code == 200
    assert "content-encoding" not in shell.headers
    assert shell.headers["cache-control"] == "no-cache"
    assert web.get("/assets/missing-AbCdEf12.js").status_code == 404


def test_media_and_ranges_are_never_compressed(ctx: AppContext, web: TestClient) -> None:
    with ctx.sessions() as s:
        video_id: uuid.UUID = make_playable_video(s, ctx.store, duration_s=12).id
        s.commit()
    h = bearer(signup(web))
    hls_url = web.get(f"/api/v1/playback/{video_id}", headers=h).json()["hls_url"]
    base = hls_url.rsplit("/", 1)[0]
    accept = {"Accept-Encoding": "gzip, deflate, br"}
    for url in (hls_url, f"{base}/480p/seg_00002.m4s"):
        status, headers, _ = _raw(web, url, accept)
        assert status == 200, url
        assert "content-encoding" not in headers, url
    status, headers, body = _raw(
        web, f"{base}/480p/seg_00002.m4s", {**accept, "Range": "bytes=10-19"}
    )
    assert status == 206
    assert "content-encoding" not in headers
    assert body == bytes([2]) * 10


def test_watch_pages_get_the_shell_that_preloads_the_player(web: TestClient, dist: Path) -> None:
    (dist / "watch.html").write_text(
        '<!doctype html><head><link rel="modulepreload" href="/assets/Watch-Aa11Bb22.js">'
        "</head><body></body>",
        encoding="utf-8",
    )
    video = uuid.uuid4()
    for path, named in (
        (f"/watch/{video}", str(video)),
        (f"/watch/{video.hex}/", video.hex),
        (f"/watch/{video}?title=x&t=12", str(video)),
    ):
        r = web.get(path)
        assert r.status_code == 200 and "modulepreload" in r.text, path
        assert r.headers["cache-control"] == "no-cache"
        assert r.headers["content-type"].startswith("text/html")
        # The page's playback request, preloaded from the HTML, as the boot script asks it.
        preload = f'<link rel="preload" as="fetch" crossorigin href="/api/v1/playback/{named}">'
        assert r.text.count(preload) == 1 and r.text.index(preload) < r.text.index("</head>")
    # Any other page (and a watch path that is not a video id) gets the plain shell.
    for path in ("/", "/title/abc", "/watch/", "/watch/not-a-video", f"/watch/{video}/extra"):
        r = web.get(path)
        assert r.status_code == 200 and "modulepreload" not in r.text, path


def test_the_plain_shell_serves_watch_pages_of_a_build_without_watch_html(web: TestClient) -> None:
    r = web.get(f"/watch/{uuid.uuid4()}")
    assert r.status_code == 200 and "id=root" in r.text


def test_hashed_assets_are_answered_from_memory_once_read(web: TestClient, dist: Path) -> None:
    first = _raw(web, f"/assets/{ASSET}", {"Accept-Encoding": "gzip"})
    # A hashed name never changes content: what was read once is what is served.
    (dist / "assets" / (ASSET + ".gz")).write_bytes(b"changed on disk")
    again = _raw(web, f"/assets/{ASSET}", {"Accept-Encoding": "gzip"})
    assert again == first and gzip.decompress(again[2]) == SCRIPT
    assert again[1]["content-length"] == str(len(again[2]))
    # Ranges still come from the file, and unhashed names are never kept.
    status, _, body = _raw(web, f"/assets/{ASSET}", {"Range": "bytes=0-5"})
    assert status == 206 and body == SCRIPT[:6]
    (dist / "favicon.svg").write_text("<svg id=new/>", encoding="utf-8")
    assert web.get("/favicon.svg").text == "<svg id=new/>"
