"""The clip preview Job (its manifest runs the embedded worker's very command), how a
Job ended, and the clip's next step. Pure: no cluster."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from kinema.settings import Settings
from kinema_api.worker.previews import PreviewTask, preview_arguments
from kinema_operator.clip import jobs
from kinema_operator.config import OperatorSettings

VIDEO = {
    "apiVersion": "kinema.dev/v1alpha1",
    "kind": "Video",
    "metadata": {"name": "talk", "namespace": "media", "uid": "u-1"},
}


def test_the_job_runs_the_workers_command_owned_by_the_video() -> None:
    clip_id = uuid.UUID(int=7)
    config = jobs.preview_job_config(
        Settings(storage_url="s3://media/kinema", s3_endpoint_url="http://s3:9000"),
        OperatorSettings(image="ghcr.io/kinema/transcoder:1.2.3", job_env_secret="s3-creds"),
    )
    job = jobs.preview_job(
        config,
        namespace="media",
        clip_id=clip_id,
        attempt=2,
        output_url="s3://media/kinema/processed/abc/1",
        dest_url=f"s3://media/kinema/clips/{clip_id.hex}",
        start_s=12.5,
        end_s=40,
        owner=jobs.owner_reference(VIDEO),
    )
    meta = job["metadata"]
    assert meta["name"] == f"kinema-clip-preview-{clip_id.hex[:20]}-2"
    assert meta["namespace"] == "media" and meta["labels"][jobs.LABEL_CLIP] == clip_id.hex
    assert meta["labels"]["app.kubernetes.io/component"] == "clip-preview"
    assert meta["ownerReferences"] == [
        {"apiVersion": "kinema.dev/v1alpha1", "kind": "Video", "name": "talk", "uid": "u-1",
         "blockOwnerDeletion": True}
    ]  # fmt: skip
    pod = job["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert pod["restartPolicy"] == "Never" and pod["securityContext"] == {"runAsNonRoot": True}
    assert container["image"] == "ghcr.io/kinema/transcoder:1.2.3"
    task = PreviewTask(clip_id, "processed/abc/1", 12.5, 40.0, f"clips/{clip_id.hex}")
    assert container["command"] == ["kinema"]
    assert container["args"] == preview_arguments(
        task,
        output="s3://media/kinema/processed/abc/1",
        dest=f"s3://media/kinema/clips/{clip_id.hex}",
    )
    assert {"name": "KINEMA_S3_ENDPOINT_URL", "value": "http://s3:9000"} in container["env"]
    assert container["envFrom"] == [{"secretRef": {"name": "s3-creds"}}]
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    rules = job["spec"]["podFailurePolicy"]["rules"]
    assert rules[1]["onExitCodes"]["values"] == [2] and rules[1]["action"] == "FailJob"
    assert job["spec"]["backoffLimit"] == 0  # a retry is a new Job, counted in the catalog
    assert job["spec"]["ttlSecondsAfterFinished"] > 0 and job["spec"]["activeDeadlineSeconds"] > 0


def _job(kind: str | None, reason: str = "", message: str = "") -> dict[str, Any]:
    conditions = [{"type": kind, "status": "True", "reason": reason, "message": message}]
    return {"status": {"conditions": conditions if kind else []}}


def _pod(message: str) -> dict[str, Any]:
    state = {"terminated": {"exitCode": 1, "message": message}}
    return {"status": {"containerStatuses": [{"state": state}]}}


OUTCOMES = [
    (_job(None), [], jobs.JobOutcome(jobs.Ended.RUNNING)),
    (_job("Complete"), [], jobs.JobOutcome(jobs.Ended.SUCCEEDED)),
    (
        _job("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit"),
        [_pod("reading segments\nerror: no video rung in s3://m/processed/x\n")],
        jobs.JobOutcome(jobs.Ended.FAILED, "no video rung in s3://m/processed/x"),
    ),
    (
        _job("Failed", "DeadlineExceeded", "Job was active longer than specified deadline"),
        [],
        jobs.JobOutcome(
            jobs.Ended.FAILED, "DeadlineExceeded: Job was active longer than specified deadline"
        ),
    ),
    (
        _job("Failed", "PodFailurePolicy", "Container clip-preview exited with 2"),
        [],
        jobs.JobOutcome(
            jobs.Ended.FAILED, "PodFailurePolicy: Container clip-preview exited with 2", True
        ),
    ),
    (None, [], jobs.JobOutcome(jobs.Ended.FAILED, "the preview Job j-1 disappeared")),
]


@pytest.mark.parametrize(("job", "pods", "expected"), OUTCOMES)
def test_how_a_job_ended(
    job: dict[str, Any] | None, pods: list[dict[str, Any]], expected: jobs.JobOutcome
) -> None:
    assert jobs.outcome(job, pods, name="j-1") == expected


FAILED = jobs.JobOutcome(jobs.Ended.FAILED, "boom")


@pytest.mark.parametrize(
    ("found", "attempt", "expected"),
    [
        (jobs.JobOutcome(jobs.Ended.RUNNING), 1, jobs.Next(jobs.Step.WAIT)),
        (jobs.JobOutcome(jobs.Ended.SUCCEEDED), 3, jobs.Next(jobs.Step.READY)),
        (FAILED, 1, jobs.Next(jobs.Step.RETRY, "boom")),
        (FAILED, 2, jobs.Next(jobs.Step.RETRY, "boom")),
        (FAILED, 3, jobs.Next(jobs.Step.FAIL, "boom (after 3 attempts)")),
        (jobs.JobOutcome(jobs.Ended.FAILED, "bad", True), 1, jobs.Next(jobs.Step.FAIL, "bad")),
    ],
)
def test_the_clips_next_step(found: jobs.JobOutcome, attempt: int, expected: jobs.Next) -> None:
    assert jobs.decide(found, attempt=attempt, max_attempts=3) == expected
