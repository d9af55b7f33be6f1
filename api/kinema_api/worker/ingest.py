"""Bringing local files into the catalog (``kinema up --ingest``, the demo catalog) and
generating clips with ffmpeg (the demo's drawn footage, the tests' clips)."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinema import ffmpeg
from kinema.catalog.models import Maturity, Upload, UploadMethod, UploadStatus, Video, utcnow
from kinema.catalog.services import jobs, titles
from kinema.storage import ObjectStore
from kinema_api.admin.services.uploads import safe_filename

CLIP_SECONDS = 20


def clip_args(
    ffmpeg_bin: Path,
    dest: Path,
    *,
    seconds: float = CLIP_SECONDS,
    size: str = "1280x720",
    source: str | None = None,
    tone_hz: int = 440,
) -> list[str]:
    """A real, playable clip with a tone: an ffmpeg video source (testsrc2 unless
    ``source`` names another, e.g. ``mandelbrot=size=640x360:rate=25``) + sine, H.264/AAC
    in MP4."""
    video = source or f"testsrc2=size={size}:rate=25"
    return [
        str(ffmpeg_bin),
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "lavfi",
        "-i",
        video,
        "-f",
        "lavfi",
        "-i",
        f"sine=frequency={tone_hz}:sample_rate=48000",
        "-t",
        f"{seconds:g}",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-b:a",
        "128k",
        "-movflags",
        "+faststart",
        str(dest),
    ]


def make_clip(
    dest: Path,
    *,
    seconds: float = CLIP_SECONDS,
    size: str = "1280x720",
    source: str | None = None,
    tone_hz: int = 440,
) -> Path:
    """Generate a clip with Kinema's ffmpeg (written atomically).

    Raises MediaToolError ("generating a clip with ffmpeg failed: <ffmpeg's telling
    line>") through the ffmpeg runner, like every other ffmpeg run in Kinema.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(".tmp.mp4")
    ffmpeg.run(
        clip_args(
            ffmpeg.ffmpeg_path(), tmp, seconds=seconds, size=size, source=source, tone_hz=tone_hz
        ),
        timeout=300,
        what="generating a clip with ffmpeg",
    )
    tmp.replace(dest)
    return dest


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(8 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def catalog_is_empty(session: Session) -> bool:
    return session.scalar(select(Video.id).limit(1)) is None


def store_upload(
    session: Session, store: ObjectStore, path: Path, *, sha256: str | None = None
) -> Upload:
    """Copy a local file into the upload area as a completed upload (flushed)."""
    upload_id = uuid.uuid4()
    key = f"raw/{upload_id.hex}/{safe_filename(path.name)}"
    info = store.put_file(path, key)
    upload = Upload(
        id=upload_id,
        method=UploadMethod.TUS,
        status=UploadStatus.COMPLETED,
        filename=path.name,
        key=key,
        size=info.size,
        offset=info.size,
        sha256=sha256 or file_sha256(path),
        completed_at=utcnow(),
    )
    session.add(upload)
    session.flush()
    return upload


def ingest_file(
    session: Session,
    store: ObjectStore,
    *,
    path: Path,
    title: str | None = None,
    genres: tuple[str, ...] = (),
    maturity: Maturity = Maturity.ALL,
) -> tuple[Video, bool]:
    """Copy a local file into the store and queue it; (video, created). The same bytes
    ingested twice return the existing video."""
    if not path.is_file():
        raise FileNotFoundError(f"{path} is not a file")
    sha = file_sha256(path)
    existing = session.scalar(
        select(Video)
        .join(Upload, Upload.video_id == Video.id)
        .where(Upload.sha256 == sha, Upload.status == UploadStatus.COMPLETED)
        .limit(1)
    )
    if existing is not None:
        return existing, False
    upload = store_upload(session, store, path, sha256=sha)
    name = title or path.stem.replace("_", " ").replace("-", " ").strip().title() or "Untitled"
    movie = titles.create_title(
        session, name=name, genres=genres, maturity=maturity, published=True
    )
    video = titles.create_video(session, title=movie, source=upload.key)
    upload.video_id = video.id
    jobs.enqueue_transcode(session, video=video)
    session.commit()
    return video, True
