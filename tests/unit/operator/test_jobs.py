"""Job manifests built from a Video and its Ladder: pure, checked field by field."""

from __future__ import annotations

import json
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest

from kinema.resources.ladder import LadderSpec, Strategy, ladder_from_data
from kinema.resources.video import VideoSpec
from kinema_operator.video.identity import KUEUE_QUEUE_LABEL, LABEL_STEP, LABEL_VIDEO
from kinema_operator.video.jobs import (
    LADDER_ENV,
    OUTPUT_ENV,
    SOURCE_ENV,
    JobConfig,
    VideoRef,
    ladder_yaml,
    package_job,
    probe_job,
    subtitles_job,
    transcode_job,
)

CPU = LadderSpec.model_validate(
    {
        "rungs": [{"height": 144, "width": 256, "bitrateKbps": 120}],
        "retry": {"backoffLimit": 3},
        "chunking": {"chunks": 4},
    }
)
GPU = LadderSpec.model_validate(
    {
        "rungs": [{"height": 720, "width": 1280, "bitrateKbps": 3000}],
        "encoder": "nvenc",
        "scheduling": {
            "resources": {"limits": {"nvidia.com/gpu": "1"}, "requests": {"cpu": "2"}},
            "nodeSelector": {"nvidia.com/gpu.present": "true"},
            "tolerations": [
                {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
            ],
            "runtimeClassName": "nvidia",
            "kueueQueueName": "gpu",
        },
    }
)
SPEC = VideoSpec.model_validate(
    {
        "source": "s3://media/in/movie.mov",
        "title": "Movie",
        "subtitles": [{"language": "fr", "source": "s3://media/in/movie.fr.srt"}],
    }
)
REF = VideoRef("ns", "movie", "abc123", "s3://out/processed/ns/movie/abc123")
CONFIG = JobConfig(
    image="ghcr.io/kinema/transcoder:test", env={"KINEMA_S3_ENDPOINT_URL": "http://s3"}
)


def container(job: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = job["spec"]["template"]["spec"]["containers"][0]
    return found


def env(job: dict[str, Any]) -> dict[str, str]:
    return {e["name"]: e["value"] for e in container(job)["env"]}


def test_probe_job_is_light_and_says_why_it_failed() -> None:
    job = probe_job(REF, SPEC, GPU, CONFIG)
    assert job["metadata"]["namespace"] == "ns"
    assert job["metadata"]["labels"][LABEL_VIDEO] == "movie"
    assert job["metadata"]["labels"][LABEL_STEP] == "probe"
    c = container(job)
    assert c["image"] == "ghcr.io/kinema/transcoder:test"
    assert c["terminationMessagePolicy"] == "FallbackToLogsOnError"
    assert env(job)[SOURCE_ENV] == SPEC.source and env(job)[OUTPUT_ENV] == REF.output_url
    assert env(job)["KINEMA_S3_ENDPOINT_URL"] == "http://s3"
    # Probing needs no GPU and no queue, even for a GPU ladder.
    assert "nvidia.com/gpu" not in json.dumps(c["resources"])
    assert "nodeSelector" not in job["spec"]["template"]["spec"]
    assert "suspend" not in job["spec"] and KUEUE_QUEUE_LABEL not in job["metadata"]["labels"]


def test_transcode_job_is_indexed_over_chunks_with_per_index_retries() -> None:
    job = transcode_job(REF, SPEC, CPU, CONFIG, chunks=4)
    spec = job["spec"]
    assert spec["completionMode"] == "Indexed"
    assert spec["completions"] == spec["parallelism"] == 4
    assert spec["backoffLimitPerIndex"] == 3 and spec["maxFailedIndexes"] == 0
    assert "suspend" not in spec
    args = container(job)["args"]
    assert args[:3] == ["transcode", SPEC.source, REF.output_url]
    assert args[args.index("--chunk") + 1] == "$(JOB_COMPLETION_INDEX)/4"
    assert args[args.index("--subtitle") + 1] == "fr=s3://media/in/movie.fr.srt"
    assert ladder_from_data(json.loads(env(job)[LADDER_ENV])) == CPU
    requests = container(job)["resources"]["requests"]
    assert requests == {"cpu": CONFIG.cpu_request, "memory": CONFIG.memory_request}
    assert "--reuse" not in args and "--revision" not in args


def test_sidecar_labels_reach_the_transcoder() -> None:
    spec = VideoSpec.model_validate(
        {
            "source": "s3://media/in/movie.mov",
            "title": "Movie",
            "subtitles": [
                {"language": "fr", "source": "s3://media/in/fr.srt", "label": "Français (SDH)"},
                {"language": "de", "source": "s3://media/in/de.srt"},
            ],
        }
    )
    sidecars = [
        "--subtitle", "fr=s3://media/in/fr.srt", "--subtitle-label", "fr=Français (SDH)",
        "--subtitle", "de=s3://media/in/de.srt",
    ]  # fmt: skip
    args = container(transcode_job(REF, spec, CPU, CONFIG, chunks=1))["args"]
    assert args[-len(sidecars) :] == sidecars
    assert container(subtitles_job(REF, spec, CPU, CONFIG))["args"][3:] == sidecars


def test_a_ladder_change_points_the_transcode_at_the_live_output() -> None:
    live = "s3://out/processed/ns/movie/old456"
    ref = VideoRef(REF.namespace, REF.name, REF.digest, REF.output_url, reuse_url=live)
    spec = SPEC.model_copy(update={"revision": 3})
    args = container(transcode_job(ref, spec, CPU, CONFIG, chunks=4))["args"]
    assert args[args.index("--reuse") + 1] == live
    # The revision travels too: the transcoder never copies across revisions.
    assert args[args.index("--revision") + 1] == "3"


def test_gpu_ladder_fields_and_kueue_reach_the_transcode_job() -> None:
    job = transcode_job(REF, SPEC, GPU, CONFIG, chunks=1)
    pod = job["spec"]["template"]["spec"]
    resources = container(job)["resources"]
    assert resources["limits"] == {"nvidia.com/gpu": "1"}
    assert resources["requests"]["nvidia.com/gpu"] == "1"  # extended resources: request = limit
    assert resources["requests"]["cpu"] == "2"
    assert pod["nodeSelector"] == {"nvidia.com/gpu.present": "true"}
    assert pod["tolerations"] == [
        {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
    ]
    assert pod["runtimeClassName"] == "nvidia"
    assert job["metadata"]["labels"][KUEUE_QUEUE_LABEL] == "gpu"
    assert job["spec"]["suspend"] is True


def test_package_job_and_shared_settings() -> None:
    config = JobConfig(env_from_secret="kinema-s3", service_account="transcoder")
    job = package_job(REF, SPEC, CPU, config)
    c = container(job)
    assert c["command"] == ["kinema"] and c["args"][:2] == ["package", REF.output_url]
    assert c["envFrom"] == [{"secretRef": {"name": "kinema-s3"}}]
    assert job["spec"]["template"]["spec"]["serviceAccountName"] == "transcoder"
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    assert job["spec"]["backoffLimit"] == 3


def test_job_names_differ_per_step_and_digest() -> None:
    names = {
        probe_job(REF, SPEC, CPU, CONFIG)["metadata"]["name"],
        transcode_job(REF, SPEC, CPU, CONFIG, chunks=2)["metadata"]["name"],
        package_job(REF, SPEC, CPU, CONFIG)["metadata"]["name"],
        probe_job(VideoRef("ns", "movie", "def456", "s3://x/y"), SPEC, CPU, CONFIG)["metadata"][
            "name"
        ],
    }
    assert len(names) == 4


def test_chunks_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        transcode_job(REF, SPEC, CPU, CONFIG, chunks=0)


def test_the_sh_wrapper_hands_kinema_the_ladder_file(tmp_path: Path) -> None:
    """Run the transcode container's command with a stand-in ``kinema`` on PATH."""
    fake = tmp_path / "kinema"
    fake.write_text(
        '#!/bin/sh\nprev=""\nfor a in "$@"; do\n  echo "$a"\n'
        '  if [ "$prev" = "--ladder" ]; then cat "$a" >&2; fi\n  prev="$a"\ndone\n'
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    job = transcode_job(REF, SPEC, CPU, CONFIG, chunks=4)
    c = container(job)
    args = [a.replace("$(JOB_COMPLETION_INDEX)", "2") for a in c["args"]]
    run = subprocess.run(
        [*c["command"], *args],
        env={"PATH": f"{tmp_path}:/usr/bin:/bin", LADDER_ENV: ladder_yaml(CPU)},
        capture_output=True,
        text=True,
        check=True,
    )
    lines = run.stdout.splitlines()
    assert lines[:3] == ["transcode", SPEC.source, REF.output_url]
    assert lines[lines.index("--chunk") + 1] == "2/4"
    assert lines[-2] == "--ladder"
    assert ladder_from_data(json.loads(run.stderr)) == CPU


@pytest.mark.parametrize(("indexed", "action"), [(True, "FailIndex"), (False, "FailJob")])
def test_pod_failure_policy_spares_evictions_and_stops_bad_arguments(
    indexed: bool, action: str
) -> None:
    job = (
        transcode_job(REF, SPEC, CPU, CONFIG, chunks=2)
        if indexed
        else probe_job(REF, SPEC, CPU, CONFIG)
    )
    rules = job["spec"]["podFailurePolicy"]["rules"]
    assert rules[0] == {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget"}]}
    assert rules[1]["action"] == action
    assert rules[1]["onExitCodes"] == {
        "containerName": container(job)["name"],
        "operator": "In",
        "values": [2],
    }


def test_pods_run_unprivileged_with_a_memory_limit_for_encoding() -> None:
    config = JobConfig(memory_limit="4Gi")
    job = transcode_job(REF, SPEC, CPU, config, chunks=1)
    assert job["spec"]["template"]["spec"]["securityContext"] == {"runAsNonRoot": True}
    assert container(job)["securityContext"]["allowPrivilegeEscalation"] is False
    assert container(job)["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert container(job)["resources"]["limits"] == {"memory": "4Gi"}
    gpu = transcode_job(REF, SPEC, GPU, config, chunks=1)
    assert container(gpu)["resources"]["limits"] == {"nvidia.com/gpu": "1", "memory": "4Gi"}


def test_source_rules_reach_the_jobs() -> None:
    from kinema.settings import Settings
    from kinema_operator.config import OperatorSettings
    from kinema_operator.video.jobs import job_config

    plain = job_config(Settings(storage_url="s3://media/out"), OperatorSettings())
    assert "KINEMA_ALLOW_PRIVATE_SOURCES" not in plain.env
    assert "KINEMA_SOURCE_BUCKETS" not in plain.env
    opened = job_config(
        Settings(storage_url="s3://media/out", allow_private_sources=True, source_buckets="a,b"),
        OperatorSettings(),
    )
    assert opened.env["KINEMA_ALLOW_PRIVATE_SOURCES"] == "true"
    assert opened.env["KINEMA_SOURCE_BUCKETS"] == "a,b"


def test_a_per_title_probe_job_decides_the_ladder_once_for_every_chunk() -> None:
    per_title = CPU.model_copy(update={"strategy": Strategy.PER_TITLE})
    job = probe_job(REF, SPEC, per_title, CONFIG)
    c = container(job)
    assert c["command"][:2] == ["sh", "-c"] and "--ladder" in c["command"][2]
    assert c["args"][:4] == ["probe", SPEC.source, "--out", f"{REF.output_url}/probe.json"]
    assert ladder_from_data(json.loads(env(job)[LADDER_ENV])) == per_title
    # the fixed ladder's probe stays a plain `kinema probe`
    assert container(probe_job(REF, SPEC, CPU, CONFIG))["command"] == ["kinema"]
