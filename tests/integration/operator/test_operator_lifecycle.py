"""The operator's behaviour that needs no transcode: bad specs, missing and invalid
Ladders, Events, /metrics, and what deletion does to output under Delete and Retain.

The operator runs in-process (KopfRunner) against the real apiserver, S3 and
PostgreSQL; no Pod runs, so these tests take seconds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from kubernetes import client as k8s
from kubernetes.client.exceptions import ApiException
from sqlalchemy import select

from kinema.catalog.models import Clip
from kinema.catalog.services import clips as clip_rows
from tests.utils.factories import make_ready_video, make_user, migrated_session
from tests.utils.kube_cluster import KubeCluster
from tests.utils.operator_run import (
    GROUP,
    VERSION,
    conditions_of,
    operator,
    video,
    wait,
)
from tests.utils.s3_server import S3Server

pytestmark = pytest.mark.integration


def test_specs_and_ladders_the_operator_refuses(
    operator_settings: dict[str, Any], kube: KubeCluster, kube_namespace: str
) -> None:
    with kube.api_client() as api_client:
        api: Any = k8s.CustomObjectsApi(api_client)
        core: Any = k8s.CoreV1Api(api_client)
        batch: Any = k8s.BatchV1Api(api_client)

        def get(plural: str, name: str) -> dict[str, Any]:
            obj: dict[str, Any] = api.get_namespaced_custom_object(
                GROUP, VERSION, kube_namespace, plural, name
            )
            return obj

        def create(plural: str, body: dict[str, Any]) -> None:
            api.create_namespaced_custom_object(GROUP, VERSION, kube_namespace, plural, body)

        with operator(kube_namespace):
            # Valid for the schema, refused by the model: two subtitles in one language.
            subs = [
                {"language": "fr", "source": "s3://media-bucket/a.fr.srt"},
                {"language": "fr", "source": "s3://media-bucket/b.fr.srt"},
            ]
            create("videos", video("twice", "s3://media-bucket/raw/a.mp4", subtitles=subs))
            # A Ladder that does not exist yet: the Video waits for it.
            create("videos", video("waiting", "s3://media-bucket/raw/b.mp4",
                                   ladderRef={"name": "later"}))  # fmt: skip
            # A Ladder the schema accepts but the planner cannot use.
            bad_ladder = {
                "apiVersion": f"{GROUP}/{VERSION}",
                "kind": "Ladder",
                "metadata": {"name": "uneven"},
                "spec": {
                    "rungs": [{"height": 360, "bitrateKbps": 500}],
                    "segmentSeconds": 5,
                    "gopSeconds": 2,
                },
            }
            create("ladders", bad_ladder)
            create("videos", video("uneven", "s3://media-bucket/raw/c.mp4",
                                   ladderRef={"name": "uneven"}))  # fmt: skip

            twice = wait(
                "InvalidSpec",
                lambda: (
                    (v := get("videos", "twice"))
                    and conditions_of(v).get("Failed", {}).get("reason") == "InvalidSpec"
                    and v
                ),
            )
            failed = conditions_of(twice)["Failed"]
            assert failed["status"] == "True"
            assert "one subtitle per language" in failed["message"]
            assert failed["observedGeneration"] == twice["metadata"]["generation"]
            assert twice["status"]["phase"] == "Failed"

            waiting = wait(
                "LadderNotFound",
                lambda: (
                    (v := get("videos", "waiting"))
                    and conditions_of(v).get("Ready", {}).get("reason") == "LadderNotFound"
                    and v
                ),
            )
            assert waiting["status"]["phase"] == "Pending"
            assert "later" in conditions_of(waiting)["Ready"]["message"]

            uneven = wait(
                "LadderInvalid",
                lambda: (
                    (v := get("videos", "uneven"))
                    and conditions_of(v).get("Failed", {}).get("reason") == "LadderInvalid"
                    and v
                ),
            )
            assert "gopSeconds" in conditions_of(uneven)["Failed"]["message"]
            ladder_ready = wait(
                "the Ladder's status",
                lambda: conditions_of(get("ladders", "uneven")).get("Ready"),
            )
            assert ladder_ready["status"] == "False" and ladder_ready["reason"] == "Invalid"

            # Once the Ladder exists, the waiting Video moves on: a probe Job, owned by it.
            good = {**bad_ladder, "metadata": {"name": "later"}}
            good["spec"] = {"rungs": [{"height": 360, "bitrateKbps": 500}]}
            create("ladders", good)
            jobs = wait(
                "the probe Job",
                lambda: (
                    batch.list_namespaced_job(
                        kube_namespace, label_selector="kinema.dev/video=waiting"
                    ).items
                ),
            )
            assert [j.metadata.labels["kinema.dev/step"] for j in jobs] == ["probe"]
            assert jobs[0].metadata.owner_references[0].name == "waiting"
            probing = wait(
                "Probing",
                lambda: (
                    (v := get("videos", "waiting"))
                    and (v.get("status") or {}).get("phase") == "Probing"
                    and v
                ),
            )
            assert conditions_of(probing)["Transcoding"]["status"] == "True"
            assert probing["status"]["ladder"] == "later"

            # Each step is an Event on the Video (what `kubectl describe video` lists).
            def reasons() -> set[str]:
                events = core.list_namespaced_event(
                    kube_namespace, field_selector="involvedObject.name=waiting"
                ).items
                return {e.reason for e in events}

            wait("Events", lambda: {"LadderNotFound", "JobCreated"} <= reasons())

            # Jobs in flight are counted when a reconcile sees them (the next one).
            in_flight = 'kinema_operator_jobs_in_flight{step="probe"} 1.0'
            text = wait(
                "the in-flight gauge",
                lambda: in_flight in (t := httpx.get(operator_settings["metrics"]).text) and t,
            )
    assert 'kinema_operator_reconciles_total{kind="Video",result="invalid"}' in text
    assert 'kinema_operator_reconciles_total{kind="Video",result="ok"}' in text
    assert 'kinema_operator_jobs_created_total{step="probe"}' in text
    assert "kinema_operator_reconcile_duration_seconds_bucket" in text


@pytest.mark.parametrize("policy", ["Delete", "Retain"])
def test_deleting_a_video_applies_its_deletion_policy(
    policy: str,
    operator_settings: dict[str, Any],
    kube: KubeCluster,
    kube_namespace: str,
    s3: S3Server,
    pg_url: str,
) -> None:
    """The finalizer empties processed/<ns>/<video>/ under Delete, keeps it under Retain,
    and never touches the source. The catalog row goes either way, and with it the
    video's shared clips and their preview files (another video's clip stays)."""
    prefix = operator_settings["prefix"]
    client = s3.client()
    source_key = f"{prefix}raw/keep-me.mp4"
    client.put_object(Bucket=s3.bucket, Key=source_key, Body=b"master")
    outputs = [f"{prefix}processed/{kube_namespace}/doomed/{d}/master.m3u8" for d in ("d0", "d1")]
    for key in outputs:
        client.put_object(Bucket=s3.bucket, Key=key, Body=b"#EXTM3U\n")
    doomed_clip, kept_clip = _clips_of(pg_url, f"{kube_namespace}/doomed")
    for clip in (doomed_clip, kept_clip):
        for name in ("preview.mp4", "still.jpg"):
            client.put_object(Bucket=s3.bucket, Key=f"{prefix}clips/{clip}/{name}", Body=b"x")
    with kube.api_client() as api_client:
        api: Any = k8s.CustomObjectsApi(api_client)
        with operator(kube_namespace):
            body = video(
                "doomed",
                f"s3://{s3.bucket}/{source_key}",
                ladderRef={"name": "never"},
                deletionPolicy=policy,
            )
            api.create_namespaced_custom_object(GROUP, VERSION, kube_namespace, "videos", body)

            def finalizer() -> bool:
                obj = api.get_namespaced_custom_object(
                    GROUP, VERSION, kube_namespace, "videos", "doomed"
                )
                return "kinema.dev/finalizer" in (obj["metadata"].get("finalizers") or [])

            wait("the finalizer", finalizer)
            api.delete_namespaced_custom_object(GROUP, VERSION, kube_namespace, "videos", "doomed")

            def gone() -> bool:
                try:
                    api.get_namespaced_custom_object(
                        GROUP, VERSION, kube_namespace, "videos", "doomed"
                    )
                except ApiException as exc:
                    return bool(exc.status == 404)
                return False

            wait("the Video to go", gone)
    left = client.list_objects_v2(Bucket=s3.bucket, Prefix=f"{prefix}processed/")
    keys = sorted(o["Key"] for o in left.get("Contents", []))
    assert keys == ([] if policy == "Delete" else sorted(outputs))
    assert client.get_object(Bucket=s3.bucket, Key=source_key)["Body"].read() == b"master"
    left = client.list_objects_v2(Bucket=s3.bucket, Prefix=f"{prefix}clips/")
    assert sorted(o["Key"] for o in left.get("Contents", [])) == [
        f"{prefix}clips/{kept_clip}/preview.mp4",
        f"{prefix}clips/{kept_clip}/still.jpg",
    ]
    with migrated_session(pg_url) as session:
        assert [c.hex for c in session.scalars(select(Clip.id))] == [kept_clip]


def _clips_of(pg_url: str, resource: str) -> tuple[str, str]:
    """A catalog row for the Video ``resource`` with one clip, and another video's clip."""
    with migrated_session(pg_url) as session:
        profile = make_user(session).profiles[0]
        doomed = make_ready_video(session)
        doomed.resource_name = resource
        other = make_ready_video(session)
        made = [
            clip_rows.add_clip(
                session,
                user_id=profile.user_id,
                profile_id=profile.id,
                video_id=v.id,
                start_s=0.0,
                end_s=2.0,
                caption=None,
            )
            for v in (doomed, other)
        ]
        session.commit()
        return made[0].id.hex, made[1].id.hex


def test_plans_reach_the_catalog(
    operator_settings: dict[str, Any], kube: KubeCluster, kube_namespace: str, pg_url: str
) -> None:
    from pathlib import Path

    import yaml
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    from kinema.catalog.models import Plan

    examples = Path(__file__).resolve().parents[3] / "examples" / "plans.yaml"
    with kube.api_client() as api_client:
        api: Any = k8s.CustomObjectsApi(api_client)
        with operator(kube_namespace):
            for doc in yaml.safe_load_all(examples.read_text()):
                api.create_namespaced_custom_object(GROUP, VERSION, kube_namespace, "plans", doc)

            def synced() -> bool:
                items = api.list_namespaced_custom_object(GROUP, VERSION, kube_namespace, "plans")[
                    "items"
                ]
                ready = [conditions_of(p).get("Ready", {}).get("status") for p in items]
                return ready == ["True"] * 4

            wait("4 Plans Ready", synced)
    engine = create_engine(pg_url)
    try:
        with Session(engine) as session:
            rows = {
                p.slug: (p.name, p.max_height, p.price_cents) for p in session.scalars(select(Plan))
            }
    finally:
        engine.dispose()
    assert rows == {
        "free": ("Free", 480, 0),
        "basic": ("Basic", 720, 999),
        "premium": ("Premium", 2160, 1499),
        "family": ("Family", 2160, 1999),
    }


def test_kinema_operator_command_serves_liveness_and_metrics(
    operator_settings: dict[str, Any], kube_namespace: str, tmp_path: Path
) -> None:
    """The command the chart's Deployment runs: liveness and /metrics answer, and it
    stops cleanly on SIGTERM."""
    import os
    import signal
    import subprocess
    import sys

    from tests.utils.ports import free_port

    live = f"http://127.0.0.1:{free_port()}/healthz"
    kinema = Path(sys.executable).with_name("kinema")
    log = (tmp_path / "operator.log").open("wb")
    proc = subprocess.Popen(
        [str(kinema), "operator", "--namespace", kube_namespace, "--liveness", live],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=dict(os.environ),
    )
    try:

        def answers(url: str) -> bool:
            try:
                return httpx.get(url, timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait("the liveness probe", lambda: answers(live), timeout=60)
        assert "kinema_operator_reconciles_total" in httpx.get(operator_settings["metrics"]).text
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=30)
        log.close()
    assert code == 0, (tmp_path / "operator.log").read_text()[-3000:]
