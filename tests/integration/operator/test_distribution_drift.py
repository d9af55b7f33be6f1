"""Drift: a CloudFront distribution edited by hand in AWS is put back to its spec.

Drift is made the way a person makes it: boto3's UpdateDistribution on moto behind the
operator's back. moto keeps a distribution's status across updates (a hand edit does
not start a new "InProgress" as on AWS), so "never write during a deployment" is shown
on a distribution whose creation is still deploying.
"""

from __future__ import annotations

import copy
import time
from typing import Any

import pytest

from tests.integration.operator.distributions import (
    Distributions,
    drift_events,
    example,
    hand_edit,
    live_config,
    moto_ids,
    synced,
    ttl,
    wait,
)
from tests.utils.moto_server import MotoServer
from tests.utils.operator_run import conditions_of, operator

pytestmark = pytest.mark.integration


def test_resync_puts_back_what_was_changed_by_hand(cloudfront_env: MotoServer) -> None:
    moto = cloudfront_env
    sync, body = synced(moto)
    dist_id = body["status"]["distributionId"]
    first = sync.resync(body)  # moto deploys on the first read
    assert first is not None and not first.corrected
    assert first.status["deployment"] == "Deployed"
    body["status"] = first.status
    assert sync.resync(body) is None  # in line with the spec: one read, nothing to write

    hand_edit(moto, dist_id, enabled=False, manifest_ttl=300)
    assert live_config(moto, dist_id)["Enabled"] is False
    found = sync.resync(body)
    assert found is not None
    assert "(enabled, manifest cache behaviours (TTLs, key groups))" in found.corrected
    ready = conditions_of({"status": found.status})["Ready"]
    assert (ready["status"], ready["reason"], ready["message"]) == (
        "True", "DriftCorrected", found.corrected,
    )  # fmt: skip
    config = live_config(moto, dist_id)
    assert config["Enabled"] is True
    assert ttl(config, "*.m3u8") == ttl(config, "*.mpd") == (0, 2, 2)
    assert ttl(config, "") == (31_536_000,) * 3
    body["status"] = found.status
    assert sync.resync(body) is None  # put back once, then left alone
    assert moto_ids(moto) == [dist_id]


def test_resync_never_fights_a_deployment_or_a_newer_spec(cloudfront_env: MotoServer) -> None:
    moto = cloudfront_env
    moto.set_transition("cloudfront::distribution", {"progression": "manual", "times": 1000})
    try:
        sync, body = synced(moto)
        dist_id = body["status"]["distributionId"]
        assert body["status"]["deployment"] == "InProgress"
        hand_edit(moto, dist_id, enabled=False)
        assert sync.resync(body) is None  # still deploying: nothing new, nothing written
        assert live_config(moto, dist_id)["Enabled"] is False
    finally:
        moto.unset_transition("cloudfront::distribution")

    # Objects the change handler has not caught up with, or that are going away.
    newer = copy.deepcopy(body)
    newer["metadata"]["generation"] = 2
    failed = copy.deepcopy(body)
    failed["status"]["conditions"][0]["reason"] = "SyncFailed"
    deleting = copy.deepcopy(body)
    deleting["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    for skipped in (newer, failed, deleting):
        assert sync.resync(skipped) is None
    assert live_config(moto, dist_id)["Enabled"] is False

    # A newer spec applied by the change handler is never overwritten by an older read.
    newer["spec"]["cloudfront"]["cache"]["manifestTtlSeconds"] = 6
    newer["status"] = sync.sync(newer)
    assert live_config(moto, dist_id)["Enabled"] is True
    hand_edit(moto, dist_id, manifest_ttl=300)
    assert sync.resync(body) is None  # generation 1: stale
    found = sync.resync(newer)
    assert found is not None and "manifest cache behaviours" in found.corrected
    assert ttl(live_config(moto, dist_id), "*.m3u8") == (0, 6, 6)


def test_the_operator_corrects_a_hand_edit_on_its_resync_timer(
    operator_settings: dict[str, Any],
    cloudfront_env: MotoServer,
    dists: Distributions,
    kube_namespace: str,
) -> None:
    """Disabled and a TTL changed in AWS: within a few resync ticks (1 s in tests) the
    spec's settings are back, Ready says DriftCorrected and an Event says what changed."""
    moto = cloudfront_env
    with operator(kube_namespace):
        dists.create(example())
        body = wait("the Distribution to be Ready", dists.ready)
        dist_id = body["status"]["distributionId"]
        assert not drift_events(dists.client, kube_namespace, "cdn")

        hand_edit(moto, dist_id, enabled=False, manifest_ttl=300)

        def corrected() -> dict[str, Any] | None:
            ready = conditions_of(dists.get() or {}).get("Ready") or {}
            return ready if ready.get("reason") == "DriftCorrected" else None

        ready = wait("the hand edit to be corrected", corrected)
        assert ready["status"] == "True"
        assert ready["observedGeneration"] == 1
        assert "(enabled, manifest cache behaviours (TTLs, key groups))" in ready["message"]
        config = live_config(moto, dist_id)
        assert config["Enabled"] is True
        assert ttl(config, "*.m3u8") == ttl(config, "*.mpd") == (0, 2, 2)
        (event,) = wait(
            "the DriftCorrected event", lambda: drift_events(dists.client, kube_namespace, "cdn")
        )
        assert event == ready["message"]
        assert moto_ids(moto) == [dist_id]

        # Left alone once put back: no second correction on later ticks.
        time.sleep(3)
        assert len(drift_events(dists.client, kube_namespace, "cdn")) == 1

        dists.delete()
        wait("the Distribution to be deleted", lambda: dists.get() is None, timeout=60)
        assert moto_ids(moto) == []
