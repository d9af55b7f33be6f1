"""Names, labels and digests of what the operator creates for a Video. Pure.

Every child is named from the Video and the *digest* of what the output depends on
(source, ladder, sidecar subtitles). Deterministic names are what make the operator
safe to restart and to run level-triggered: a second reconcile (or a restarted
operator) computes the same Job names and finds them instead of creating duplicates;
a spec change that alters the output gets a new digest, hence new Jobs and a new
output prefix, while a metadata-only change (title, genres) re-uses everything.
"""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from typing import Any

from kinema.ladder import LadderSpec
from kinema.resources.video import VideoSpec

MANAGED_BY = "kinema-operator"
LABEL_MANAGED_BY = "app.kubernetes.io/managed-by"
LABEL_COMPONENT = "app.kubernetes.io/component"
LABEL_PART_OF = "app.kubernetes.io/part-of"
LABEL_VIDEO = "kinema.dev/video"
LABEL_DIGEST = "kinema.dev/digest"
LABEL_STEP = "kinema.dev/step"
KUEUE_QUEUE_LABEL = "kueue.x-k8s.io/queue-name"
DIGEST_LENGTH = 10
MAX_NAME = 63  # Job names become pod labels (job-name): a label value is at most 63.


class Step(StrEnum):
    PROBE = "probe"
    TRANSCODE = "transcode"
    PACKAGE = "package"


def digest(spec: VideoSpec, ladder: LadderSpec) -> str:
    """A short hash of everything the transcoded output depends on."""
    inputs: dict[str, Any] = {
        "source": spec.source,
        "ladder": ladder.model_dump(mode="json", by_alias=True),
        "subtitles": [s.model_dump(mode="json", by_alias=True) for s in spec.subtitles],
    }
    if spec.revision:  # absent at 0, so digests from before the field existed still hold
        inputs["revision"] = spec.revision
    text = json.dumps(inputs, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:DIGEST_LENGTH]


def child_name(video: str, suffix: str) -> str:
    """``<video>-<suffix>``, shortened with a hash when it would pass 63 characters."""
    name = f"{video}-{suffix}"
    if len(name) <= MAX_NAME:
        return name
    tag = hashlib.sha256(video.encode()).hexdigest()[:6]
    keep = MAX_NAME - len(suffix) - len(tag) - 2
    return f"{video[:keep].rstrip('-')}-{tag}-{suffix}"


def job_name(video: str, step: Step, video_digest: str) -> str:
    return child_name(video, f"{step.value}-{video_digest}")


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


def job_labels(video: str, step: Step, video_digest: str) -> dict[str, str]:
    return {
        **video_labels(video),
        LABEL_COMPONENT: "transcoder",
        LABEL_STEP: step.value,
        LABEL_DIGEST: video_digest,
    }


def output_key(namespace: str, video: str, video_digest: str) -> str:
    """Where one digest's output lives, relative to the object store's root."""
    return f"{video_root_key(namespace, video)}/{video_digest}"


def video_root_key(namespace: str, video: str) -> str:
    """Everything the operator ever wrote for a Video (what ``Delete`` removes)."""
    return f"processed/{namespace}/{video}"
