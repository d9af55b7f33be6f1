"""The generated CRDs against the real kube-apiserver: the samples in ``examples/``
apply with strict server-side validation, bad specs are refused with the rule that
caught them, ``kubectl get`` columns exist, and no status field is pruned."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from kinema.media import AudioInfo, ProbeSummary, SubtitleInfo, VideoInfo
from kinema.resources.common import Condition, ConditionStatus, now
from kinema.resources.video import (
    JobRefs,
    Manifests,
    RenditionKind,
    RenditionSummary,
    VideoPhase,
    VideoStatus,
)
from tests.utils.kube_apply import Applier, load_documents
from tests.utils.kube_cluster import KubeCluster

pytestmark = pytest.mark.integration

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


@pytest.fixture
def applier(kube: KubeCluster) -> Iterator[Applier]:
    with Applier(kube) as applier:
        yield applier


def test_every_example_applies_with_strict_validation(
    applier: Applier, kube_namespace: str
) -> None:
    docs = load_documents(sorted(EXAMPLES.glob("*.yaml")))
    kinds = {d["kind"] for d in docs}
    assert kinds == {"Video", "Ladder", "Plan", "Distribution"}
    assert sorted(d["metadata"]["name"] for d in docs if d["kind"] == "Plan") == [
        "basic",
        "family",
        "free",
        "premium",
    ]
    for doc in docs:
        result = applier.apply(doc, namespace=kube_namespace)
        assert result.ok, f"{doc['kind']} {doc['metadata']['name']}: {result.body}"
        # The apiserver filled defaults from the schema and kept every field we sent.
        assert _contains(result.body["spec"], doc["spec"])


def _contains(actual: Any, expected: Any) -> bool:
    """``actual`` holds everything in ``expected`` (plus defaults the server added)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            k in actual and _contains(actual[k], v) for k, v in expected.items()
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(_contains(a, e) for a, e in zip(actual, expected, strict=True))
        )
    return bool(actual == expected)


def _movie() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load((EXAMPLES / "movie.yaml").read_text())
    return doc


def _ladder() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load((EXAMPLES / "ladder-gpu.yaml").read_text())
    return doc


def _with(doc: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    node: Any = doc
    *parents, last = path.split(".")
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if value is _DELETE:
        del node[last]
    elif last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value
    return doc


_DELETE = object()

BAD_SPECS = [
    ("movie-no-title", _movie, "spec.title", _DELETE, "spec.title: Required"),
    ("movie-ftp", _movie, "spec.source", "ftp://host/file.mov", "spec.source"),
    ("movie-rating", _movie, "spec.maturityRating", "PG-13", "spec.maturityRating"),
    ("movie-episode", _movie, "spec.type", "episode", "an episode needs spec.episode"),
    ("movie-policy", _movie, "spec.deletionPolicy", "Archive", "spec.deletionPolicy"),
    # Server-side apply refuses undeclared fields before validation runs (a 500 there).
    ("movie-unknown", _movie, "spec.colour", "blue", ".spec.colour: field not declared"),
    ("movie-year", _movie, "spec.year", 1500, "spec.year"),
    ("ladder-odd", _ladder, "spec.rungs.0.height", 361, "height must be even"),
    ("ladder-profile", _ladder, "spec.rungs.4.profile", "high", "profile does not belong"),
    (
        "ladder-gpu-qty",
        _ladder,
        "spec.scheduling.resources.limits",
        {"nvidia.com/gpu": "one"},
        "limits",
    ),
    ("ladder-chunks", _ladder, "spec.chunking.chunkSeconds", 60, "either chunks or chunkSeconds"),
    ("ladder-queue", _ladder, "spec.scheduling.kueueQueueName", "GPU_Queue", "kueueQueueName"),
    ("ladder-encoder", _ladder, "spec.encoder", "quicksync", "spec.encoder"),
    ("ladder-no-rungs", _ladder, "spec.rungs", [], "spec.rungs"),
]


@pytest.mark.parametrize(
    ("name", "factory", "path", "value", "expected"),
    BAD_SPECS,
    ids=[case[0] for case in BAD_SPECS],
)
def test_bad_specs_are_refused_by_the_apiserver(
    applier: Applier,
    kube_namespace: str,
    name: str,
    factory: Any,
    path: str,
    value: Any,
    expected: str,
) -> None:
    doc = _with(factory(), path, value)
    doc["metadata"]["name"] = name
    result = applier.apply(doc, namespace=kube_namespace, dry_run=True)
    assert result.status_code == (500 if name == "movie-unknown" else 422), result.body
    assert expected in result.body["message"]


def test_video_printer_columns_and_short_names(kube: KubeCluster, kube_namespace: str) -> None:
    with Applier(kube) as applier:
        assert applier.apply(_movie(), namespace=kube_namespace).ok
        table = applier.http.get(
            f"/apis/kinema.dev/v1alpha1/namespaces/{kube_namespace}/videos",
            headers={"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"},
        ).json()
        discovery = applier.http.get("/apis/kinema.dev/v1alpha1").json()
    names = [c["name"] for c in table["columnDefinitions"] if c["priority"] == 0]
    assert names == ["Name", "Ready", "Phase", "Progress", "Duration", "Age"]
    videos = next(r for r in discovery["resources"] if r["name"] == "videos")
    assert "vid" in videos["shortNames"]
    assert videos["categories"] == ["kinema"]


def _full_status() -> VideoStatus:
    probe = ProbeSummary(
        format_name="mov,mp4,m4a,3gp,3g2,mj2",
        duration=12.5,
        size=123456,
        bit_rate=800000,
        video=VideoInfo(
            index=0,
            codec="h264",
            profile="High",
            width=1920,
            height=1080,
            sample_aspect_ratio="1:1",
            rotation=90,
            pix_fmt="yuv420p",
            bit_depth=8,
            frame_rate="30000/1001",
            vfr=True,
            color_transfer="bt709",
            color_primaries="bt709",
            color_space="bt709",
            bit_rate=700000,
            frames=375,
        ),
        audio=[
            AudioInfo(
                index=1,
                codec="aac",
                channels=2,
                sample_rate=48000,
                language="en",
                title="English",
                default=True,
            )
        ],
        subtitles=[SubtitleInfo(index=2, codec="subrip", language="fr", title="FR", text=True)],
    )
    return VideoStatus(
        observed_generation=3,
        phase=VideoPhase.READY,
        progress=100,
        duration="12.5s",
        message="ready",
        conditions=[
            Condition(
                type="Ready",
                status=ConditionStatus.TRUE,
                reason="Transcoded",
                message="HLS and DASH are ready",
                last_transition_time=now(),
                observed_generation=3,
            )
        ],
        digest="abc123",
        ladder="builtin:default",
        output="s3://bucket/processed/ns/v/abc123",
        published_digest="abc123",
        probe=probe,
        chunks=2,
        jobs=JobRefs(probe="v-probe-abc123", transcode="v-transcode-abc123", package="v-package"),
        renditions=[
            RenditionSummary(
                name="720p",
                kind=RenditionKind.VIDEO,
                width=1280,
                height=720,
                bitrate_kbps=4500,
                codec="avc1.64001f",
                size_bytes=1000,
            ),
            RenditionSummary(name="audio-en", kind=RenditionKind.AUDIO, language="en"),
        ],
        manifests=Manifests(
            hls="https://cdn/x/master.m3u8",
            dash="https://cdn/x/manifest.mpd",
            thumbnails="https://cdn/x/thumbnails.vtt",
            poster="https://cdn/x/p.jpg",
        ),
    )


def test_every_status_field_survives_the_status_subresource(
    kube: KubeCluster, kube_namespace: str
) -> None:
    status = _full_status().to_wire()
    with Applier(kube) as applier:
        assert applier.apply(_movie(), namespace=kube_namespace).ok
        path = f"/apis/kinema.dev/v1alpha1/namespaces/{kube_namespace}/videos/big-buck-bunny"
        response = applier.http.patch(
            f"{path}/status",
            json={"status": status},
            headers={"Content-Type": "application/merge-patch+json"},
        )
        assert response.status_code == 200, response.text
        stored = applier.http.get(path).json()["status"]
    assert stored == status
    # The printer columns read what the operator writes.
    assert VideoStatus.model_validate(stored).phase is VideoPhase.READY


def test_status_is_not_writable_through_the_main_resource(
    kube: KubeCluster, kube_namespace: str
) -> None:
    with Applier(kube) as applier:
        assert applier.apply(_movie(), namespace=kube_namespace).ok
        path = f"/apis/kinema.dev/v1alpha1/namespaces/{kube_namespace}/videos/big-buck-bunny"
        response = applier.http.patch(
            path,
            json={"status": {"phase": "Ready"}},
            headers={"Content-Type": "application/merge-patch+json"},
        )
        assert response.status_code == 200
        assert "status" not in response.json() or response.json()["status"].get("phase") != "Ready"


def test_apiserver_answers_over_https(kube: KubeCluster) -> None:
    assert httpx.get(f"{kube.server}/readyz", verify=kube.ssl_context()).status_code == 200
