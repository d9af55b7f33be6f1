"""Test factories for catalog rows, built through the catalog's own services.

Each factory takes a ``Session`` and keyword arguments with sensible defaults, so a
test names only what it cares about. Nothing here commits; callers do.
"""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from kinema.catalog import migrate
from kinema.catalog.db import create_db_engine, session_factory
from kinema.catalog.models import Maturity, Role, Title, TitleKind, User, Video, VideoStatus
from kinema.catalog.services import accounts, titles
from kinema.catalog.services.sync import RenditionRecord, VideoUpsert, upsert_video
from kinema.settings import Settings
from kinema.storage import ObjectStore
from kinema_api.accounts.services.auth import ensure_admin
from kinema_api.context import AppContext, build_context
from kinema_api.worker.pool import WorkerPool
from tests.utils.ports import free_port

_seq = itertools.count(1)

# A cheap stand-in hash for users created directly in the catalog (the API hashes
# real passwords with argon2; catalog tests never log in).
FAKE_HASH = "$argon2id$v=19$m=65536,t=3,p=4$dGVzdA$dGVzdA"

DEFAULT_LADDER = (
    RenditionRecord("240p", 426, 240, 400_000, "avc1.64001e", "240p/playlist.m3u8"),
    RenditionRecord("480p", 854, 480, 1_200_000, "avc1.64001f", "480p/playlist.m3u8"),
    RenditionRecord("720p", 1280, 720, 3_000_000, "avc1.64001f", "720p/playlist.m3u8"),
    RenditionRecord("1080p", 1920, 1080, 6_000_000, "avc1.640028", "1080p/playlist.m3u8"),
)


def sqlite_url(tmp_path: Path, name: str = "kinema.db") -> str:
    return f"sqlite:///{tmp_path / name}"


@contextmanager
def migrated_engine(url: str) -> Iterator[Engine]:
    migrate.upgrade(url)
    engine = create_db_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def migrated_session(url: str) -> Iterator[Session]:
    with migrated_engine(url) as engine, session_factory(engine)() as session:
        accounts.ensure_sample_plans(session)
        session.commit()
        yield session


def make_user(
    session: Session,
    *,
    email: str | None = None,
    role: Role = Role.VIEWER,
    plan: str | None = None,
) -> User:
    return accounts.create_user(
        session,
        email=email or f"user{next(_seq)}@example.com",
        password_hash=FAKE_HASH,
        role=role,
        plan_slug=plan,
    )


def make_title(
    session: Session,
    *,
    name: str | None = None,
    description: str = "",
    kind: TitleKind = TitleKind.MOVIE,
    year: int | None = 2020,
    maturity: Maturity = Maturity.TEEN,
    genres: Sequence[str] = ("Drama",),
    tags: Sequence[str] = (),
    published: bool = True,
) -> Title:
    return titles.create_title(
        session,
        name=name or f"Title {next(_seq)}",
        description=description,
        kind=kind,
        year=year,
        maturity=maturity,
        genres=genres,
        tags=tags,
        published=published,
    )


def make_ready_video(
    session: Session,
    *,
    title: Title | None = None,
    season: int | None = None,
    episode: int | None = None,
    name: str = "",
    duration_s: float = 600.0,
    ladder: Sequence[RenditionRecord] = DEFAULT_LADDER,
) -> Video:
    """A video with a finished (catalog-side) transcode: renditions and manifest paths."""
    title = title or make_title(session)
    video = titles.create_video(
        session,
        title=title,
        name=name,
        season_number=season,
        episode_number=episode,
        source="raw/test/source.mp4",
    )
    prefix = f"processed/{video.id.hex}"
    return upsert_video(
        session,
        VideoUpsert(
            video_id=video.id,
            status=VideoStatus.READY,
            output_prefix=prefix,
            hls_path="master.m3u8",
            dash_path="manifest.mpd",
            thumbnails_path="thumbnails.vtt",
            duration_s=duration_s,
            renditions=ladder,
        ),
    )


# --- API ----------------------------------------------------------------------------


def build_api_context(
    data_dir: Path,
    *,
    database_url: str | None = None,
    redis_url: str | None = None,
    storage_url: str | None = None,
    s3_endpoint_url: str | None = None,
    **overrides: object,
) -> AppContext:
    """A migrated API context on real backends (SQLite and local files by default)."""
    settings = Settings(
        data_dir=data_dir,
        database_url=database_url,
        redis_url=redis_url,
        storage_url=storage_url,
        s3_endpoint_url=s3_endpoint_url,
        s3_region="us-east-1" if storage_url else None,
        **overrides,  # type: ignore[arg-type]
    )
    migrate.upgrade(settings.resolved_database_url)
    ctx = build_context(settings, create_secret=True)
    with ctx.sessions() as session:
        accounts.ensure_sample_plans(session)
        session.commit()
    return ctx


def signup(
    client: TestClient,
    *,
    email: str | None = None,
    password: str = "correct horse",  # noqa: S107 - a test account
) -> str:
    """Sign a viewer up; returns their bearer token."""
    resp = client.post(
        "/api/v1/auth/signup",
        json={"email": email or f"viewer{next(_seq)}@example.com", "password": password},
    )
    assert resp.status_code == 201, resp.text
    return str(resp.json()["access_token"])


def admin_token(ctx: AppContext, client: TestClient | httpx.Client) -> str:
    email = f"admin{next(_seq)}@example.com"
    with ctx.sessions() as session:
        ensure_admin(session, email=email, password="admin password")
    resp = client.post("/api/v1/auth/login", json={"email": email, "password": "admin password"})
    assert resp.status_code == 200, resp.text
    return str(resp.json()["access_token"])


def app_context(client: TestClient) -> AppContext:
    """The context of the app a TestClient drives."""
    app = client.app
    assert isinstance(app, FastAPI)
    ctx: AppContext = app.state.ctx
    return ctx


def set_plan(
    ctx: AppContext,
    client: TestClient | httpx.Client,
    headers: dict[str, str],
    plan: str,
    *,
    admin: dict[str, str] | None = None,
) -> dict[str, object]:
    """Move the viewer behind ``headers`` to ``plan`` the one way there is with billing
    off: an admin's ``PUT /api/v1/admin/users/{id}/plan`` (``admin``'s, else a new
    admin's). Works on a TestClient and on an ``httpx.Client(base_url=...)``."""
    me = client.get("/api/v1/auth/me", headers=headers)
    assert me.status_code == 200, me.text
    admin = admin or bearer(admin_token(ctx, client))
    resp = client.put(
        f"/api/v1/admin/users/{me.json()['id']}/plan", json={"plan": plan}, headers=admin
    )
    assert resp.status_code == 200, resp.text
    body: dict[str, object] = resp.json()
    return body


def signup_over_http(base: str, *, prefix: str = "viewer") -> dict[str, str]:
    """Sign a new viewer up on a running server at ``base``; returns bearer headers."""
    resp = httpx.post(
        f"{base}/api/v1/auth/signup",
        json={"email": f"{prefix}-{uuid.uuid4().hex[:8]}@example.com", "password": "correct horse"},
        timeout=30,
    )
    assert resp.status_code == 201, resp.text
    return bearer(str(resp.json()["access_token"]))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# --- packaged media ----------------------------------------------------------------


def write_packaged_output(
    store: ObjectStore, prefix: str, ladder: Sequence[RenditionRecord] = DEFAULT_LADDER
) -> None:
    """An HLS + DASH output laid out like the transcoder's (CMAF segments shared by both
    manifests), with small placeholder segment bytes: enough for everything the API does
    with packaged media (it never decodes it)."""
    seg_count, seg_s = 3, 4.0
    master = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"]
    master.append(
        '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",LANGUAGE="en",NAME="English",DEFAULT=YES,'
        'AUTOSELECT=YES,URI="audio/playlist.m3u8"'
    )
    reps = []
    for r in ladder:
        folder = r.path.split("/")[0]
        master.append(
            f"#EXT-X-STREAM-INF:BANDWIDTH={r.bitrate},AVERAGE-BANDWIDTH={r.bitrate},"
            f'CODECS="{r.codec},mp4a.40.2",RESOLUTION={r.width}x{r.height},'
            f'FRAME-RATE=25.000,AUDIO="aud"'
        )
        master.append(r.path)
        master.append(
            f'#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH={r.bitrate // 10},CODECS="{r.codec}",'
            f'RESOLUTION={r.width}x{r.height},URI="{folder}/iframes.m3u8"'
        )
        store.put_bytes(_media_playlist(seg_count, seg_s), f"{prefix}/{r.path}")
        store.put_bytes(_media_playlist(seg_count, seg_s), f"{prefix}/{folder}/iframes.m3u8")
        store.put_bytes(f"init {r.name}".encode() * 10, f"{prefix}/{folder}/init.mp4")
        for n in range(1, seg_count + 1):
            store.put_bytes(bytes([n]) * (1000 + r.height), f"{prefix}/{folder}/seg_{n:05d}.m4s")
        reps.append(
            f'<Representation id="{folder}" bandwidth="{r.bitrate}" width="{r.width}" '
            f'height="{r.height}" codecs="{r.codec}"><SegmentTemplate timescale="1000" '
            f'duration="{int(seg_s * 1000)}" startNumber="1" initialization="{folder}/init.mp4" '
            f'media="{folder}/seg_$Number%05d$.m4s"/></Representation>'
        )
    store.put_bytes(("\n".join(master) + "\n").encode(), f"{prefix}/master.m3u8")
    store.put_bytes(_media_playlist(seg_count, seg_s), f"{prefix}/audio/playlist.m3u8")
    store.put_bytes(b"audio init", f"{prefix}/audio/init.mp4")
    for n in range(1, seg_count + 1):
        store.put_bytes(b"a" * 500, f"{prefix}/audio/seg_{n:05d}.m4s")
    heights = [r.height for r in ladder]
    mpd = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" '
        'profiles="urn:mpeg:dash:profile:isoff-live:2011" '
        f'type="static" mediaPresentationDuration="PT{seg_count * seg_s}S" minBufferTime="PT2S">'
        '<Period id="0"><AdaptationSet contentType="video" mimeType="video/mp4" '
        f'segmentAlignment="true" maxHeight="{max(heights)}">'
        + "".join(reps)
        + '</AdaptationSet><AdaptationSet contentType="audio" mimeType="audio/mp4" lang="en">'
        '<Representation id="audio" bandwidth="128000" codecs="mp4a.40.2">'
        '<SegmentTemplate timescale="1000" duration="4000" startNumber="1" '
        'initialization="audio/init.mp4" media="audio/seg_$Number%05d$.m4s"/>'
        "</Representation></AdaptationSet></Period></MPD>\n"
    )
    store.put_bytes(mpd.encode(), f"{prefix}/manifest.mpd")
    store.put_bytes(
        b"WEBVTT\n\n00:00.000 --> 00:04.000\nsprite.jpg#xywh=0,0,160,90\n",
        f"{prefix}/thumbnails.vtt",
    )


def _media_playlist(count: int, seg_s: float) -> bytes:
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:7",
        f"#EXT-X-TARGETDURATION:{int(seg_s)}",
        "#EXT-X-PLAYLIST-TYPE:VOD",
        '#EXT-X-MAP:URI="init.mp4"',
    ]
    for n in range(1, count + 1):
        lines += [f"#EXTINF:{seg_s:.3f},", f"seg_{n:05d}.m4s"]
    lines.append("#EXT-X-ENDLIST")
    return ("\n".join(lines) + "\n").encode()


def make_playable_video(
    session: Session, store: ObjectStore, *, title: Title | None = None, **kwargs: object
) -> Video:
    """A ready video whose packaged output exists in ``store``."""
    video = make_ready_video(session, title=title, **kwargs)  # type: ignore[arg-type]
    write_packaged_output(store, video.output_prefix or "")
    return video


# --- live server -------------------------------------------------------------------


@contextmanager
def live_server(app: FastAPI, port: int | None = None) -> Iterator[str]:
    """Serve ``app`` with uvicorn on ``port`` (a free one by default) in a thread; yields
    the base URL."""
    port = port or free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the API server did not start")
        time.sleep(0.05)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(10)


def wait_for(predicate: Any, timeout_s: float = 10.0, interval_s: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval_s)


def make_completed_upload(
    session: Session, store: ObjectStore, *, data: bytes, filename: str = "movie.mp4"
) -> uuid.UUID:
    """A finished upload whose bytes are in ``store`` (as a completed tus or multipart
    upload leaves it); returns its id."""
    from kinema.catalog.models import Upload, UploadMethod, UploadStatus, utcnow

    upload_id = uuid.uuid4()
    key = f"raw/{upload_id.hex}/{filename}"
    store.put_bytes(data, key)
    session.add(
        Upload(
            id=upload_id,
            method=UploadMethod.TUS,
            status=UploadStatus.COMPLETED,
            filename=filename,
            key=key,
            size=len(data),
            offset=len(data),
            completed_at=utcnow(),
        )
    )
    session.flush()
    return upload_id


def worker_pool(ctx: AppContext, *, size: int = 1, poll_s: float = 0.2) -> WorkerPool:
    """The embedded worker pool on ``ctx``'s catalog and store (not started)."""
    return WorkerPool(
        settings=ctx.settings,
        sessions=ctx.sessions,
        store=ctx.store,
        size=size,
        wake=ctx.jobs_queued,
        poll_s=poll_s,
    )
