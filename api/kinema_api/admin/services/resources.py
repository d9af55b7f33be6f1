"""Cluster mode: admin actions as Video resources for the operator.

The catalog row is created (or updated) by the API as in embedded mode, so the admin
gets an id at once; the Video object carries that id in a label and an annotation, and
the row's ``resource_name`` is the object's ``namespace/name``, which is the key the
operator's catalog sync upserts by. So the operator's publish, metadata sync and
finalizer all land on the row the API created, never on a second one.

Building a spec or a patch is pure (:func:`video_body`, :func:`metadata_patch`); the
calls go through :mod:`kinema_api.kube`.
"""

from __future__ import annotations

import re
from typing import Any

from kinema.catalog.models import TitleKind, Video, VideoStatus
from kinema.resources.common import API_VERSION
from kinema.resources.video import KIND
from kinema.resources.video import Chapters as SpecChapters  # the CRD's, not the API's
from kinema_api.admin.schemas import AdminVideoPublic, VideoUpdate
from kinema_api.admin.services.subtitles import spec_subtitles, stored
from kinema_api.errors import ApiError, ConflictError, NotFoundError
from kinema_api.kube import CATALOG_VIDEO_ID, VideoResources

_NOT_LABEL = re.compile(r"[^a-z0-9]+")


def resource_name(video: Video) -> str:
    """``<title slug>-<8 hex of the catalog id>``: readable in ``kubectl get videos``,
    unique, and short enough for the operator's derived Job names."""
    slug = _NOT_LABEL.sub("-", (video.title.name or "").lower()).strip("-")[:40].strip("-")
    return f"{slug or 'video'}-{video.id.hex[:8]}"


def _spec_chapters(
    intro_start: float | None, intro_end: float | None, credits_start: float | None
) -> dict[str, float | None]:
    """``spec.chapters`` with the CRD's field names (unset fields as None)."""
    chapters = SpecChapters.model_construct(
        intro_start_seconds=intro_start,
        intro_end_seconds=intro_end,
        credits_start_seconds=credits_start,
    )
    return chapters.model_dump(by_alias=True)


def _chapters(video: Video) -> dict[str, float] | None:
    values = _spec_chapters(video.intro_start_s, video.intro_end_s, video.credits_start_s)
    chosen = {k: v for k, v in values.items() if v is not None}
    return chosen or None


def video_spec(video: Video, *, source: str) -> dict[str, Any]:
    """The Video ``spec`` for a catalog row (camelCase, as the CRD declares it). Pure."""
    title = video.title
    spec: dict[str, Any] = {
        "source": source,
        "description": title.description if title.kind is TitleKind.MOVIE else video.description,
        "genres": [g.name for g in title.genres],
        "tags": [t.name for t in title.tags],
        "maturityRating": title.maturity.value,
        "published": title.published,
    }
    if title.year is not None:
        spec["year"] = title.year
    if title.kind is TitleKind.SERIES:
        spec["title"] = video.name or title.name
        spec["type"] = "episode"
        spec["episode"] = {
            "series": title.name,
            "season": video.season_number or 0,
            "number": video.episode_number or 0,
        }
    else:
        spec["title"] = title.name
        spec["type"] = "movie"
    chapters = _chapters(video)
    if chapters:
        spec["chapters"] = chapters
    sidecars = spec_subtitles(stored(video))
    if sidecars:
        spec["subtitles"] = sidecars
    return spec


def video_body(video: Video, *, namespace: str, name: str, source: str) -> dict[str, Any]:
    """The whole Video object for a catalog row. Pure."""
    video_id = str(video.id)
    return {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": {"app.kubernetes.io/part-of": "kinema", CATALOG_VIDEO_ID: video_id},
            "annotations": {CATALOG_VIDEO_ID: video_id},
        },
        "spec": video_spec(video, source=source),
    }


def metadata_patch(
    body: VideoUpdate, subtitles: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The spec fields an admin edit changes, as a JSON merge patch. Pure; ``None``
    fields of ``body`` are left alone, as the catalog update does. ``subtitles``: the
    new sidecar set (:func:`kinema_api.admin.services.subtitles.resolve`), when it changed;
    a merge patch replaces a list whole, so ``[]`` removes every sidecar."""
    spec: dict[str, Any] = {}
    if body.title is not None:
        spec["title"] = body.title
    if body.description is not None:
        spec["description"] = body.description
    if body.year is not None:
        spec["year"] = body.year
    if body.maturity is not None:
        spec["maturityRating"] = body.maturity.value
    if body.genres is not None:
        spec["genres"] = list(body.genres)
    if body.tags is not None:
        spec["tags"] = list(body.tags)
    if body.published is not None:
        spec["published"] = body.published
    if body.chapters is not None:
        # Merge-patch nulls remove a field: an all-null object clears the chapters.
        c = body.chapters
        spec["chapters"] = _spec_chapters(c.intro_start_s, c.intro_end_s, c.credits_start_s)
    if subtitles is not None:
        spec["subtitles"] = spec_subtitles(subtitles)
    return {"spec": spec} if spec else {}


def owned_name(resources: VideoResources, video: Video) -> str | None:
    """The Video object's name when the row is fed by one in our namespace."""
    if not video.resource_name:
        return None
    namespace, _, name = video.resource_name.partition("/")
    if namespace != resources.namespace or not name:
        raise ConflictError(
            f"video {video.id} is declared by Video {video.resource_name}, outside this API's "
            f"namespace {resources.namespace}; change it there (kubectl, GitOps)"
        )
    return name


def create(resources: VideoResources, *, video: Video, source: str) -> dict[str, Any]:
    """Declare ``video`` as a Video object; the row then follows the operator."""
    name = resource_name(video)
    obj = resources.create(
        video_body(video, namespace=resources.namespace, name=name, source=source)
    )
    video.resource_name = f"{resources.namespace}/{name}"
    video.source = source
    if video.status is not VideoStatus.READY:
        video.status, video.progress, video.error = VideoStatus.QUEUED, 0.0, None
    return obj


def update(
    resources: VideoResources,
    *,
    video: Video,
    body: VideoUpdate,
    subtitles: list[dict[str, Any]] | None = None,
) -> None:
    """Patch the Video with an admin edit; a subtitle-only change makes the operator
    rewrite the subtitle tracks with a light Job, not transcode again."""
    name = owned_name(resources, video)
    patch = metadata_patch(body, subtitles)
    if name is not None and patch:
        resources.merge_patch(name, patch)


def retranscode(resources: VideoResources, *, video: Video, source: str | None) -> None:
    """A new source, or ``spec.revision`` + 1: either changes the operator's digest,
    so the Video is transcoded again from scratch (the live output stays until then)."""
    name = owned_name(resources, video)
    if name is None:
        if source is None:
            raise ConflictError(f"video {video.id} has no source; pass an upload_id")
        create(resources, video=video, source=source)
        return
    current = resources.get(name)
    spec: dict[str, Any]
    if source is not None:
        spec = {"source": source}
    else:
        spec = {"revision": int((current.get("spec") or {}).get("revision") or 0) + 1}
    version = current["metadata"]["resourceVersion"]
    resources.merge_patch(name, {"metadata": {"resourceVersion": version}, "spec": spec})
    video.error = None
    if source is not None:
        video.source = source
    if video.status is not VideoStatus.READY:
        video.status, video.progress = VideoStatus.QUEUED, 0.0


def delete(resources: VideoResources, *, video: Video) -> bool:
    """Ask the cluster to delete the Video; False when the row has no object (the
    caller deletes it directly)."""
    name = owned_name(resources, video)
    if name is None:
        return False
    try:
        resources.delete(name)
    except NotFoundError:
        return False  # gone already (deleted with kubectl): only the row is left
    return True


# Video phases while the operator works (the catalog only hears of the end).
_WORKING = {"Probing": VideoStatus.PROCESSING, "Transcoding": VideoStatus.PROCESSING,
            "Packaging": VideoStatus.PROCESSING, "Pending": VideoStatus.QUEUED}  # fmt: skip


def live_statuses(
    resources: VideoResources | None, max_age: float = 0.0
) -> dict[str, dict[str, Any]]:
    """The Videos' status by catalog id; empty when the cluster cannot be read (the
    admin list then shows the catalog alone rather than failing). ``max_age``: see
    :meth:`VideoResources.statuses`."""
    if resources is None:
        return {}
    try:
        return resources.statuses(max_age)
    except ApiError:
        return {}


def overlay(video: AdminVideoPublic, status: dict[str, Any] | None) -> AdminVideoPublic:
    """The admin view of a row fed by a Video, with what the operator reports in the
    Video's status (progress, failures) before it reaches the catalog. Pure.

    A failure while an earlier output is live (the row is ready) is a failed
    re-transcode: the row stays ready and says so.
    """
    if not status or video.status is VideoStatus.DRAFT:
        return video
    phase = status.get("phase")
    message = status.get("message") or None
    progress = max(0.0, min(1.0, float(status.get("progress") or 0) / 100))
    if video.status is VideoStatus.READY:
        if phase == "Failed":
            return video.model_copy(
                update={"retranscode_failed": True, "error": message or "the re-transcode failed"}
            )
        return video
    if phase == "Failed":
        return video.model_copy(
            update={"status": VideoStatus.FAILED, "error": message or "the transcode failed"}
        )
    if phase in _WORKING:
        return video.model_copy(update={"status": _WORKING[phase], "progress": progress})
    return video
