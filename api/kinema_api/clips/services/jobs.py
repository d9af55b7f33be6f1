"""The Kubernetes Job that makes a clip's preview in cluster mode (pure).

In a cluster the API holds no worker pool, so a preview is made by a ``batch/v1`` Job
running the transcoder image with the same command the embedded worker runs
(``kinema clip-preview OUTPUT DEST --start S --end E``, see
``kinema_api.worker.previews``), reading the published output from the store and
writing ``preview.mp4`` and ``still.jpg`` under ``clips/<id>/``. It is shaped like the
operator's light transcode steps (``kinema_operator.video.jobs``): non-root, no
privilege escalation, small requests, exit code 2 (bad arguments) failing at once,
evictions not counted as retries, and removed a while after it ends.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from kinema.settings import Settings

LABEL_CLIP = "kinema.dev/clip-id"
LABEL_COMPONENT = "app.kubernetes.io/component"
CONTAINER = "clip-preview"


@dataclass(frozen=True, slots=True)
class PreviewJobConfig:
    namespace: str
    image: str = "ghcr.io/kinema/transcoder:0.1.0"
    image_pull_policy: str = "IfNotPresent"
    env: dict[str, str] = field(default_factory=dict)
    service_account: str | None = None
    env_from_secret: str | None = None
    backoff_limit: int = 2
    active_deadline_seconds: int = 600
    ttl_seconds_after_finished: int = 3600


def preview_job_config(settings: Settings, *, namespace: str, image: str) -> PreviewJobConfig:
    """The store location the Job needs, from the API's own settings."""
    env = {"KINEMA_STORAGE_URL": settings.storage_url or ""}
    if settings.s3_endpoint_url:
        env["KINEMA_S3_ENDPOINT_URL"] = settings.s3_endpoint_url
    if settings.s3_region:
        env["KINEMA_S3_REGION"] = settings.s3_region
    return PreviewJobConfig(namespace=namespace, image=image, env=env)


def job_name(clip_id: uuid.UUID) -> str:
    return f"kinema-clip-preview-{clip_id.hex[:20]}"


def preview_job(
    config: PreviewJobConfig,
    *,
    clip_id: uuid.UUID,
    output_url: str,
    dest_url: str,
    start_s: float,
    end_s: float,
) -> dict[str, Any]:
    """The Job manifest: ``output_url`` and ``dest_url`` are ``s3://`` prefixes."""
    labels = {
        "app.kubernetes.io/name": "kinema",
        LABEL_COMPONENT: "clip-preview",
        LABEL_CLIP: clip_id.hex,
    }
    args = [
        "clip-preview",
        output_url,
        dest_url,
        "--start",
        f"{start_s:.3f}",
        "--end",
        f"{end_s:.3f}",
    ]
    container: dict[str, Any] = {
        "name": CONTAINER,
        "image": config.image,
        "imagePullPolicy": config.image_pull_policy,
        "command": ["kinema"],
        "args": args,
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
        "metadata": {"name": job_name(clip_id), "namespace": config.namespace, "labels": labels},
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
