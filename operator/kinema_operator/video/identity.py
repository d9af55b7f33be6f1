"""Names, labels and digests of what the operator creates for a Video. Pure.

Every child is named from the Video and the *digest* of what the media output depends
on (source, ladder, revision). Deterministic names are what make the operator safe to
restart and to run level-triggered: a second reconcile (or a restarted operator)
computes the same Job names and finds them instead of creating duplicates; a spec
change that alters the media gets a new digest, hence new Jobs and a new output prefix,
while a metadata-only change (title, genres) re-uses everything.

Sidecar subtitles have a digest of their own (:func:`subtitles_digest`): changing them
keeps the output prefix and runs one small ``subtitles`` Job that rewrites the
manifests, instead of re-encoding every segment. :func:`legacy_digest` is the formula
used before the split (subtitles inside the one digest), so a Video whose status was
written by an older operator is recognised as up to date instead of re-transcoded.
"""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from typing import Any

from kinema.resources.ladder import LadderSpec
from kinema.resources.video import VideoSpec
from kinema_operator.labels import LABEL_COMPONENT, LABEL_MANAGED_BY, LABEL_PART_OF, MANAGED_BY

LABEL_VIDEO = "kinema.dev/video"
LABEL_DIGEST = "kinema.dev/digest"
LABEL_STEP = "kinema.dev/step"
LABEL_SUBTITLES = "kinema.dev/subtitles"  # the subtitles digest a Job writes
KUEUE_QUEUE_LABEL = "kueue.x-k8s.io/queue-name"
DIGEST_LENGTH = 10
MAX_NAME = 63  # Job names become pod labels (job-name): a label value is at most 63.


class Step(StrEnum):
    PROBE = "probe"
    TRANSCODE = "transcode"
    PACKAGE = "package"
    SUBTITLES = "subtitles"


def _hash(inputs: dict[str, Any]) -> str:
    text = json.dumps(inputs, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:DIGEST_LENGTH]


def _subtitle_list(spec: VideoSpec) -> list[dict[str, Any]]:
    return [s.model_dump(mode="json", by_alias=True) for s in spec.subtitles]


def _inputs(spec: VideoSpec, ladder: LadderSpec, subtitles: list[dict[str, Any]]) -> dict[str, Any]:
    inputs: dict[str, Any] = {
        "source": spec.source,
        "ladder": ladder.model_dump(mode="json", by_alias=True),
        "subtitles": subtitles,
    }
    if spec.revision:  # absent at 0, so digests from before the field existed still hold
        inputs["revision"] = spec.revision
    return inputs


def digest(spec: VideoSpec, ladder: LadderSpec) -> str:
    """A short hash of everything the media (video and audio) output depends on.

    The subtitle list stays in the hashed document, always empty: a Video without
    sidecar subtitles keeps the digest (and the output prefix) an older operator gave it.
    """
    return _hash(_inputs(spec, ladder, []))


def subtitles_digest(spec: VideoSpec) -> str:
    """A short hash of the sidecar subtitle set (what the ``subtitles`` Job writes)."""
    return _hash({"subtitles": _subtitle_list(spec)})


def legacy_digest(spec: VideoSpec, ladder: LadderSpec) -> str:
    """The single digest of older operators: media and subtitles together."""
    return _hash(_inputs(spec, ladder, _subtitle_list(spec)))


def output_digest(
    status_digest: str | None, status_media: str | None, media: str, legacy: str
) -> str:
    """The digest naming the output to work on: the status's own while its media still
    matches the spec (also for a status an older operator wrote, recognised by the
    legacy formula), else the new media digest."""
    if status_digest and status_media == media:
        return status_digest
    if status_digest and status_media is None and status_digest == legacy:
        return status_digest
    return media


def child_name(video: str, suffix: str) -> str:
    """``<video>-<suffix>``, shortened with a hash when it would pass 63 characters."""
    name = f"{video}-{suffix}"
    if len(name) <= MAX_NAME:
        return name
    tag = hashlib.sha256(video.encode()).hexdigest()[:6]
    keep = MAX_NAME - len(suffix) - len(tag) - 2
    return f"{video[:keep].rstrip('-')}-{tag}-{suffix}"


def job_name(video: str, step: Step, video_digest: str, subtitles: str = "") -> str:
    """``<video>-<step>-<digest>``; a subtitles Job also names the set it writes."""
    tag = f"{video_digest}-{subtitles}" if step is Step.SUBTITLES and subtitles else video_digest
    return child_name(video, f"{step.value}-{tag}")


def rendition_name(video: str, rendition: str) -> str:
    return child_name(video, rendition)


def video_labels(video: str) -> dict[str, str]:
    return {
        LABEL_MANAGED_BY: MANAGED_BY,
        LABEL_PART_OF: "kinema",
        LABEL_VIDEO: video_label(video),
    }


def video_label(video: str) -> str:
    """The ``kinema.dev/video`` label value (label values stop at 63 characters)."""
    return video if len(video) <= MAX_NAME else child_name(video, "video")


def job_labels(video: str, step: Step, video_digest: str, subtitles: str = "") -> dict[str, str]:
    labels = {
        **video_labels(video),
        LABEL_COMPONENT: "transcoder",
        LABEL_STEP: step.value,
        LABEL_DIGEST: video_digest,
    }
    if subtitles:
        labels[LABEL_SUBTITLES] = subtitles
    return labels


def output_key(namespace: str, video: str, video_digest: str) -> str:
    """Where one digest's output lives, relative to the object store's root."""
    return f"{video_root_key(namespace, video)}/{video_digest}"


def video_root_key(namespace: str, video: str) -> str:
    """Everything the operator ever wrote for a Video (what ``Delete`` removes)."""
    return f"processed/{namespace}/{video}"
