"""A title's artwork variants: its own poster (when set), the images an admin uploaded
for it (:mod:`kinema_api.artwork.services.uploads`), and every poster candidate the
transcoder kept under each video's ``posters/`` (listed in the packaged output's
``kinema.json``; the catalog row only names the first as ``poster_path``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from pydantic import ValidationError

from kinema.catalog.models import Title, VideoStatus
from kinema.output import REPORT_FILE, TranscodeReport
from kinema.storage import ObjectNotFound, ObjectStore, join_key
from kinema_api.artwork.services import uploads

log = logging.getLogger(__name__)

MAX_VARIANTS = 8


@dataclass(frozen=True, slots=True)
class Candidate:
    key: str  # store key of the image
    # "default" (the title's own poster), "upload" (an admin's) or "candidate" (the
    # transcoder's)
    source: str


def candidates(store: ObjectStore, title: Title) -> list[Candidate]:
    """The images a test of ``title`` may show, the current default first, at most
    :data:`MAX_VARIANTS`, each an existing object."""
    found: list[Candidate] = []
    if title.poster_key and store.exists(title.poster_key):
        found.append(Candidate(title.poster_key, "default"))
    for key in uploads.listed(store, title.id):
        if key != title.poster_key:
            found.append(Candidate(key, "upload"))
    for video in sorted(title.videos, key=lambda v: (v.created_at, v.id)):
        if video.status is not VideoStatus.READY or not video.output_prefix:
            continue
        uris = _report_posters(store, video.output_prefix)
        if not uris and video.poster_path:
            uris = [video.poster_path]
        for uri in uris:
            key = join_key(video.output_prefix, uri)
            if all(c.key != key for c in found) and store.exists(key):
                found.append(Candidate(key, "candidate"))
    return found[:MAX_VARIANTS]


def _report_posters(store: ObjectStore, prefix: str) -> list[str]:
    try:
        raw = store.get_bytes(join_key(prefix, REPORT_FILE))
        report = TranscodeReport.model_validate_json(raw)
    except ObjectNotFound:
        return []
    except ValidationError:
        log.warning(
            "unreadable %s under %s: its poster candidates are skipped", REPORT_FILE, prefix
        )
        return []
    return [p.uri for p in report.posters]
