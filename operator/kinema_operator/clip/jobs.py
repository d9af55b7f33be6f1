"""Clip preview Jobs: the manifest, how a Job ended, and what to do next. Pure.

In a cluster the API runs no worker pool, so the operator makes shared clips' previews:
one ``batch/v1`` Job per clip, running the transcoder image with the same command the
embedded preview worker runs as a subprocess (``kinema clip-preview OUTPUT DEST --start S
--end E``, see ``kinema_api.worker.previews``), reading the published output from the
store and writing ``preview.mp4`` and ``still.jpg`` under ``clips/<id>/``. The Job is
shaped like the transcode steps (:mod:`kinema_operator.video.jobs`): non-root, no
privilege escalation, small requests, exit code 2 (bad arguments) failing it at once,
evictions not counted as retries, removed a while after it ends; it is owned by the
clip's Video, so deleting the Video takes its preview Jobs with it.

:func:`decide` turns a Job's state into the clip's next step: wait, ready, try again
with a new Job (the attempt number is in the Job's name), or failed with a reason.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from typing import Any

from kinema.settings import Settings
from kinema_operator.config import OperatorSettings
from kinema_operator.labels import LABEL_COMPONENT, LABEL_MANAGED_BY, LABEL_PART_OF, MANAGED_BY

LABEL_CLIP = "kinema.dev/clip-id"
COMPONENT = "clip-preview"
CONTAINER = "clip-preview"
# The Job's Failed reason when the pod failure policy failed it (exit code 2: the
# arguments are wrong, and a new Job would be refused the same way).
PERMANENT_REASONS = frozenset({"PodFailurePolicy"})


@dataclass(frozen=True, slots=True)
class PreviewJobConfig:
    image: str
    image_pull_policy: str = "IfNotPresent"
    command: str = "kinema"
    env: dict[str, str] = field(default_factory=dict)
    env_from_secret: str | None = None
    service_account: str | None = None
    backoff_limit: int = 0  # retries are new Jobs, counted in the catalog
    active_deadline_seconds: int = 600
    ttl_seconds_after_finished: int = 3600


def preview_job_config(settings: Settings, op: OperatorSettings) -> PreviewJobConfig:
    """The store location and image the Jobs need, from the operator's own settings."""
    env = {"KINEMA_STORAGE_URL": settings.storage_url or ""}
    if settings.s3_endpoint_url:
        env["KINEMA_S3_ENDPOINT_URL"] = settings.s3_endpoint_url
    if settings.s3_region:
        env["KINEMA_S3_REGION"] = settings.s3_region
    return PreviewJobConfig(
        image=op.image,
        image_pull_policy=op.image_pull_policy,
        command=op.command,
        env=env,
        env_from_secret=op.job_env_secret or None,
        service_account=op.job_service_account or None,
        ttl_seconds_after_finished=op.job_ttl_s,
    )


def job_name(clip_id: uuid.UUID, attempt: int) -> str:
    return f"kinema-clip-preview-{clip_id.hex[:20]}-{attempt}"


def preview_args(*, output_url: str, dest_url: str, start_s: float, end_s: float) -> list[str]:
    """``clip-preview`` and its arguments: the embedded worker's very command."""
    return ["clip-preview", output_url, dest_url, "--start", f"{start_s:.3f}", "--end",
            f"{end_s:.3f}"]  # fmt: skip


def owner_reference(video: dict[str, Any]) -> dict[str, Any]:
    """The clip's Video as the Job's owner: the Job goes when the Video does."""
    meta = video["metadata"]
    return {
        "apiVersion": video["apiVersion"],
        "kind": video["kind"],
        "name": meta["name"],
        "uid": meta["uid"],
        "blockOwnerDeletion": True,
    }


def preview_job(
    config: PreviewJobConfig,
    *,
    namespace: str,
    clip_id: uuid.UUID,
    attempt: int,
    output_url: str,
    dest_url: str,
    start_s: float,
    end_s: float,
    owner: dict[str, Any],
) -> dict[str, Any]:
    """The Job manifest: ``output_url`` and ``dest_url`` are ``s3://`` prefixes."""
    labels = {
        LABEL_MANAGED_BY: MANAGED_BY,
        LABEL_PART_OF: "kinema",
        LABEL_COMPONENT: COMPONENT,
        LABEL_CLIP: clip_id.hex,
    }
    container: dict[str, Any] = {
        "name": CONTAINER,
        "image": config.image,
        "imagePullPolicy": config.image_pull_policy,
        "command": [config.command],
        "args": preview_args(
            output_url=output_url, dest_url=dest_url, start_s=start_s, end_s=end_s
        ),
        "env": [{"name": k, "value": v} for k, v in sorted(config.env.items())],
        "resources": {
            "requests": {"cpu": "500m", "memory": "512Mi"},
            "limits": {"memory": "1Gi"},
        },
        "terminationMessagePolicy": "FallbackToLogsOnError",
        "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
    }
    if config.env_from_secret:
        container["envFrom"] = [{"secretRef": {"name": config.env_from_secret}}]
    pod: dict[str, Any] = {
        "restartPolicy": "Never",
        "securityContext": {"runAsNonRoot": True},
        "containers": [container],
    }
    if config.service_account:
        pod["serviceAccountName"] = config.service_account
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": job_name(clip_id, attempt),
            "namespace": namespace,
            "labels": labels,
            "ownerReferences": [owner],
        },
        "spec": {
            "backoffLimit": config.backoff_limit,
            "activeDeadlineSeconds": config.active_deadline_seconds,
            "ttlSecondsAfterFinished": config.ttl_seconds_after_finished,
            "podFailurePolicy": {
                "rules": [
                    {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget"}]},
                    {
                        "action": "FailJob",
                        "onExitCodes": {
                            "containerName": CONTAINER,
                            "operator": "In",
                            "values": [2],
                        },
                    },
                ]
            },
            "template": {"metadata": {"labels": dict(labels)}, "spec": pod},
        },
    }


# --- how a Job ended, and the clip's next step ------------------------------------------


class Ended(enum.StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class JobOutcome:
    ended: Ended
    error: str = ""
    permanent: bool = False


def _true_condition(job: dict[str, Any], kind: str) -> dict[str, Any] | None:
    for cond in (job.get("status") or {}).get("conditions") or []:
        if cond.get("type") == kind and cond.get("status") == "True":
            found: dict[str, Any] = cond
            return found
    return None


def pod_error(pods: list[dict[str, Any]]) -> str:
    """The last line a failed preview pod left (its termination message or log tail)."""
    for pod in reversed(pods):
        for status in (pod.get("status") or {}).get("containerStatuses") or []:
            message = ((status.get("state") or {}).get("terminated") or {}).get("message") or ""
            lines = [line.strip() for line in message.splitlines() if line.strip()]
            if lines:
                return lines[-1].removeprefix("error: ")[:400]
    return ""


def outcome(job: dict[str, Any] | None, pods: list[dict[str, Any]], *, name: str) -> JobOutcome:
    """How the preview Job ``name`` stands; a Job that is gone counts as failed."""
    if job is None:
        return JobOutcome(Ended.FAILED, f"the preview Job {name} disappeared")
    if _true_condition(job, "Complete") is not None:
        return JobOutcome(Ended.SUCCEEDED)
    failed = _true_condition(job, "Failed")
    if failed is None:
        return JobOutcome(Ended.RUNNING)
    reason = str(failed.get("reason") or "Failed")
    error = pod_error(pods) or f"{reason}: {failed.get('message') or 'the preview Job failed'}"
    return JobOutcome(Ended.FAILED, error, permanent=reason in PERMANENT_REASONS)


class Step(enum.StrEnum):
    WAIT = "wait"
    READY = "ready"
    RETRY = "retry"
    FAIL = "fail"


@dataclass(frozen=True, slots=True)
class Next:
    step: Step
    error: str = ""


def decide(found: JobOutcome, *, attempt: int, max_attempts: int) -> Next:
    """The clip's next step after its ``attempt``-th Job."""
    if found.ended is Ended.RUNNING:
        return Next(Step.WAIT)
    if found.ended is Ended.SUCCEEDED:
        return Next(Step.READY)
    if found.permanent:
        return Next(Step.FAIL, found.error)
    if attempt < max_attempts:
        return Next(Step.RETRY, found.error)
    return Next(Step.FAIL, f"{found.error} (after {attempt} attempts)")
