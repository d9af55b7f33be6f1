"""The Jobs a Video needs, as plain manifests. Pure: no cluster, no clock, no I/O.

Four steps run the transcoder image (``transcoder_image/``), each a ``batch/v1`` Job:

- **probe**: ``kinema probe SRC --out <output>/probe.json`` stores its JSON beside the
  output so the operator can read it back through :mod:`kinema.storage` (there is no
  reliable way to read a pod's stdout from the API: logs need a kubelet, termination
  messages are capped at 4 KiB);
- **transcode**: an *Indexed* Job, ``completions = parallelism = N`` chunks, each pod
  running ``kinema transcode SRC OUT --chunk $(JOB_COMPLETION_INDEX)/N`` so Kubernetes
  itself tracks which slices are done (``status.completedIndexes``); after a ladder
  change, ``--reuse LIVE_OUTPUT`` makes it encode only the rungs that changed;
- **package**: ``kinema package OUT`` stitches the chunks and writes ``kinema.json``
  (needed only when N > 1: a ``--chunk 0/1`` run packages by itself);
- **subtitles**: ``kinema subtitles OUT --subtitle LANG=URI ...`` replaces the sidecar
  subtitle tracks of a complete output and rewrites its manifests and ``kinema.json``,
  never touching a media segment (a subtitle-only spec change).

Every Job carries the Video's labels, ``backoffLimit`` from the Ladder's retry policy
(per index for the Indexed Job; a pod failure policy so evictions cost no retry and bad
arguments none either), ``terminationMessagePolicy: FallbackToLogsOnError``
(the transcoder's one-line ``error: ...`` becomes the pod's termination message), the
Ladder's scheduling (resources with ``nvidia.com/gpu`` limits, nodeSelector,
tolerations, runtimeClassName) and, when a Kueue queue is named, the
``kueue.x-k8s.io/queue-name`` label and ``suspend: true`` (Kueue unsuspends it on
admission). Owner references are added by the caller (``kopf.adopt``).

The Ladder reaches the pod as YAML in an environment variable, written to a temporary
file by a tiny ``sh`` wrapper: no ConfigMap and no volume to keep in step.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from kinema.output import PROBE_FILE
from kinema.resources.ladder import LadderSpec, Strategy
from kinema.resources.video import VideoSpec
from kinema.settings import Settings
from kinema_operator.config import OperatorSettings
from kinema_operator.video.identity import KUEUE_QUEUE_LABEL, Step, job_labels, job_name

LADDER_ENV = "KINEMA_LADDER_YAML"
SOURCE_ENV = "KINEMA_SOURCE"
OUTPUT_ENV = "KINEMA_OUTPUT"

# Writes the ladder from the environment to a file, then runs kinema with "$@".
_WITH_LADDER = (
    'set -e; d="$(mktemp -d)"; printf "%s" "$' + LADDER_ENV + '" > "$d/ladder.yaml"; '
    'exec kinema "$@" --ladder "$d/ladder.yaml"'
)


@dataclass(frozen=True)
class JobConfig:
    """How the operator's deployment shapes every Job (from its settings)."""

    image: str = "ghcr.io/kinema/transcoder:0.1.0"
    image_pull_policy: str = "IfNotPresent"
    env: dict[str, str] = field(default_factory=dict)  # e.g. KINEMA_S3_ENDPOINT_URL
    env_from_secret: str | None = None  # KINEMA_JOB_ENV_FROM_SECRET
    service_account: str | None = None
    cpu_request: str = "500m"
    memory_request: str = "512Mi"
    memory_limit: str | None = None  # for encoding pods, unless the Ladder sets one
    ttl_seconds_after_finished: int | None = None


@dataclass(frozen=True)
class VideoRef:
    """The Video a Job works for, and where its output goes."""

    namespace: str
    name: str
    digest: str
    output_url: str  # s3://bucket/processed/<ns>/<video>/<digest>
    subtitles_digest: str = ""  # the subtitle set the Job writes (a label on every Job)
    reuse_url: str = ""  # the live output of another digest, whose unchanged rungs are copied


def job_config(settings: Settings, op: OperatorSettings) -> JobConfig:
    """The Jobs' shape from the operator's settings: image, store location, requests."""
    env = {"KINEMA_STORAGE_URL": settings.storage_url or ""}
    if settings.s3_endpoint_url:
        env["KINEMA_S3_ENDPOINT_URL"] = settings.s3_endpoint_url
    if settings.s3_region:
        env["KINEMA_S3_REGION"] = settings.s3_region
    # What sources the Jobs may read (see docs/sources.md): the operator's own settings.
    if settings.allow_private_sources:
        env["KINEMA_ALLOW_PRIVATE_SOURCES"] = "true"
    if settings.source_buckets:
        env["KINEMA_SOURCE_BUCKETS"] = settings.source_buckets
    return JobConfig(
        image=op.image,
        image_pull_policy=op.image_pull_policy,
        env=env,
        env_from_secret=op.job_env_secret or None,
        service_account=op.job_service_account or None,
        cpu_request=op.job_cpu_request,
        memory_request=op.job_memory_request,
        ttl_seconds_after_finished=op.job_ttl_s,
        memory_limit=op.job_memory_limit or None,
    )


def ladder_yaml(ladder: LadderSpec) -> str:
    """The ladder as a Ladder resource document (JSON is YAML) for ``--ladder FILE``."""
    spec = ladder.model_dump(mode="json", by_alias=True, exclude_none=True)
    return json.dumps({"apiVersion": "kinema.dev/v1alpha1", "kind": "Ladder", "spec": spec})


def _env(config: JobConfig, video: VideoRef, extra: dict[str, str]) -> list[dict[str, Any]]:
    values = {**config.env, SOURCE_ENV: "", OUTPUT_ENV: video.output_url, **extra}
    return [{"name": k, "value": v} for k, v in values.items()]


def _resources(ladder: LadderSpec, config: JobConfig) -> dict[str, Any]:
    wanted = ladder.scheduling.resources
    requests = {"cpu": config.cpu_request, "memory": config.memory_request, **wanted.requests}
    limits = dict(wanted.limits)
    if config.memory_limit and "memory" not in limits:
        limits["memory"] = config.memory_limit
    # Extended resources (GPUs) must be requested exactly as limited.
    for key, value in limits.items():
        if "/" in key and key not in requests:
            requests[key] = value
    out: dict[str, Any] = {"requests": requests}
    if limits:
        out["limits"] = limits
    return out


def _pod_spec(
    ladder: LadderSpec,
    config: JobConfig,
    container: dict[str, Any],
    *,
    scheduled: bool,
) -> dict[str, Any]:
    # The image runs as a numeric non-root user (transcoder_image/Dockerfile).
    pod: dict[str, Any] = {
        "restartPolicy": "Never",
        "securityContext": {"runAsNonRoot": True},
        "containers": [container],
    }
    if config.service_account:
        pod["serviceAccountName"] = config.service_account
    if scheduled:  # encoding steps follow the Ladder's scheduling; probe/package stay light
        sched = ladder.scheduling
        container["resources"] = _resources(ladder, config)
        if sched.node_selector:
            pod["nodeSelector"] = dict(sched.node_selector)
        if sched.tolerations:
            pod["tolerations"] = [
                t.model_dump(mode="json", by_alias=True, exclude_none=True)
                for t in sched.tolerations
            ]
        if sched.runtime_class_name:
            pod["runtimeClassName"] = sched.runtime_class_name
    else:
        container["resources"] = {
            "requests": {"cpu": "100m", "memory": "256Mi"},
        }
    return pod


def _container(
    config: JobConfig, name: str, command: list[str], args: list[str], env: list[dict[str, Any]]
) -> dict[str, Any]:
    container: dict[str, Any] = {
        "name": name,
        "image": config.image,
        "imagePullPolicy": config.image_pull_policy,
        "command": command,
        "args": args,
        "env": env,
        "terminationMessagePolicy": "FallbackToLogsOnError",
        "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
    }
    if config.env_from_secret:
        container["envFrom"] = [{"secretRef": {"name": config.env_from_secret}}]
    return container


def pod_failure_policy(container: str, *, indexed: bool) -> dict[str, Any]:
    """Evictions and preemptions (a drained GPU node, Kueue) do not use up retries; bad
    arguments (the transcoder's exit code 2) fail at once, since retrying cannot help."""
    return {
        "rules": [
            {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget"}]},
            {
                "action": "FailIndex" if indexed else "FailJob",
                "onExitCodes": {"containerName": container, "operator": "In", "values": [2]},
            },
        ]
    }


def _job(
    step: Step,
    video: VideoRef,
    ladder: LadderSpec,
    config: JobConfig,
    pod: dict[str, Any],
    *,
    completions: int = 1,
    indexed: bool = False,
    queue: bool = False,
) -> dict[str, Any]:
    labels = job_labels(video.name, step, video.digest, video.subtitles_digest)
    if queue and ladder.scheduling.kueue_queue_name:
        labels[KUEUE_QUEUE_LABEL] = ladder.scheduling.kueue_queue_name
    spec: dict[str, Any] = {
        "backoffLimit": ladder.retry.backoff_limit,
        "completions": completions,
        "parallelism": completions,
        "template": {"metadata": {"labels": dict(labels)}, "spec": pod},
    }
    if indexed:
        spec["completionMode"] = "Indexed"
        # Retries are counted per chunk, so one bad slice cannot use up the others' budget.
        spec["backoffLimitPerIndex"] = ladder.retry.backoff_limit
        spec["maxFailedIndexes"] = 0
        spec.pop("backoffLimit")
    spec["podFailurePolicy"] = pod_failure_policy(pod["containers"][0]["name"], indexed=indexed)
    if ladder.retry.active_deadline_seconds is not None:
        spec["activeDeadlineSeconds"] = ladder.retry.active_deadline_seconds
    if config.ttl_seconds_after_finished is not None:
        spec["ttlSecondsAfterFinished"] = config.ttl_seconds_after_finished
    if queue and ladder.scheduling.kueue_queue_name:
        spec["suspend"] = True
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": job_name(video.name, step, video.digest, video.subtitles_digest),
            "namespace": video.namespace,
            "labels": labels,
        },
        "spec": spec,
    }


def probe_job(
    video: VideoRef, spec: VideoSpec, ladder: LadderSpec, config: JobConfig
) -> dict[str, Any]:
    """``kinema probe`` of the source, JSON stored at ``<output>/probe.json``.

    With a ``perTitle`` ladder the probe Job also decides the per-title ladder, once,
    and stores it beside (``pertitle.json``): every chunk of the transcode reads it."""
    args = ["probe", spec.source, "--out", f"{video.output_url.rstrip('/')}/{PROBE_FILE}"]
    if ladder.strategy == Strategy.PER_TITLE:
        env = _env(config, video, {SOURCE_ENV: spec.source, LADDER_ENV: ladder_yaml(ladder)})
        args += ["--revision", str(spec.revision)] if spec.revision else []
        container = _container(config, "probe", ["sh", "-c", _WITH_LADDER, "kinema"], args, env)
        pod = _pod_spec(ladder, config, container, scheduled=True)
        return _job(Step.PROBE, video, ladder, config, pod)
    env = _env(config, video, {SOURCE_ENV: spec.source})
    container = _container(config, "probe", ["kinema"], args, env)
    pod = _pod_spec(ladder, config, container, scheduled=False)
    return _job(Step.PROBE, video, ladder, config, pod)


def transcode_args(spec: VideoSpec, video: VideoRef, chunks: int) -> list[str]:
    """``kinema transcode`` arguments; Kubernetes expands ``$(JOB_COMPLETION_INDEX)``.

    With ``reuse_url`` the transcoder copies the rungs (and audio, pictures) the new
    ladder did not change from that output instead of encoding them; it checks for
    itself that the source, the revision and the encode settings match.
    """
    args = ["transcode", spec.source, video.output_url, "--json-progress"]
    args += ["--chunk", f"$(JOB_COMPLETION_INDEX)/{chunks}"]
    if spec.revision:
        args += ["--revision", str(spec.revision)]
    if video.reuse_url:
        args += ["--reuse", video.reuse_url]
    return args + sidecar_args(spec)


def sidecar_args(spec: VideoSpec) -> list[str]:
    """``--subtitle LANG=URI`` (and ``--subtitle-label LANG=LABEL``) per sidecar."""
    args: list[str] = []
    for sub in spec.subtitles:
        args += ["--subtitle", f"{sub.language}={sub.source}"]
        if sub.label:
            args += ["--subtitle-label", f"{sub.language}={sub.label}"]
    return args


def transcode_job(
    video: VideoRef, spec: VideoSpec, ladder: LadderSpec, config: JobConfig, *, chunks: int
) -> dict[str, Any]:
    """The Indexed Job: one pod per chunk, all rungs from one decode per chunk."""
    if chunks < 1:
        raise ValueError(f"chunks must be at least 1, got {chunks}")
    env = _env(config, video, {SOURCE_ENV: spec.source, LADDER_ENV: ladder_yaml(ladder)})
    command = ["sh", "-c", _WITH_LADDER, "kinema"]
    container = _container(config, "transcode", command, transcode_args(spec, video, chunks), env)
    pod = _pod_spec(ladder, config, container, scheduled=True)
    return _job(
        Step.TRANSCODE, video, ladder, config, pod, completions=chunks, indexed=True, queue=True
    )


def package_job(
    video: VideoRef, spec: VideoSpec, ladder: LadderSpec, config: JobConfig
) -> dict[str, Any]:
    """``kinema package OUT``: final HLS/DASH manifests and ``kinema.json``."""
    env = _env(config, video, {SOURCE_ENV: spec.source})
    args = ["package", video.output_url, "--json-progress"]
    container = _container(config, "package", ["kinema"], args, env)
    pod = _pod_spec(ladder, config, container, scheduled=False)
    return _job(Step.PACKAGE, video, ladder, config, pod)


def subtitles_args(spec: VideoSpec, video: VideoRef) -> list[str]:
    """``kinema subtitles`` arguments: the output and exactly the wanted sidecar set."""
    return ["subtitles", video.output_url, "--json-progress", *sidecar_args(spec)]


def subtitles_job(
    video: VideoRef, spec: VideoSpec, ladder: LadderSpec, config: JobConfig
) -> dict[str, Any]:
    """Replace the sidecar subtitles of a complete output (no media is re-encoded)."""
    env = _env(config, video, {SOURCE_ENV: spec.source})
    container = _container(config, "subtitles", ["kinema"], subtitles_args(spec, video), env)
    pod = _pod_spec(ladder, config, container, scheduled=False)
    return _job(Step.SUBTITLES, video, ladder, config, pod)
