"""Drift of a CloudFront config from a Distribution's spec, and the status saying it was
put back. Pure (the resync against moto is in tests/integration/operator/)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from kinema_operator.distribution import mapping as dist

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "distribution-cloudfront.yaml"


def example() -> dict[str, Any]:
    body: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text())
    body["metadata"] |= {"namespace": "media", "uid": "u-1", "generation": 2}
    return body


def desired(oac_id: str | None = "OAC1") -> dict[str, Any]:
    cf = dist.check(dist.parse(example()))
    assert cf is not None
    return dist.distribution_config(cf, reference="ref", comment="Kinema media", oac_id=oac_id)


def edited(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    config = copy.deepcopy(desired())
    change(config)
    return config


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(config: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = config
        for key in parents:
            node = node[int(key)] if key.isdigit() else node[key]
        node[last] = value

    return change


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (_set("Enabled", False), ["enabled"]),
        (_set("DefaultCacheBehavior.MaxTTL", 60), ["segment cache behaviour (TTLs, key groups)"]),
        (
            _set("CacheBehaviors.Items.0.DefaultTTL", 300),
            ["manifest cache behaviours (TTLs, key groups)"],
        ),
        (
            _set("DefaultCacheBehavior.TrustedKeyGroups", {"Enabled": False, "Quantity": 0}),
            ["segment cache behaviour (TTLs, key groups)"],
        ),
        (
            _set("DefaultCacheBehavior.ViewerProtocolPolicy", "allow-all"),
            ["segment cache behaviour (TTLs, key groups)"],
        ),
        (_set("Origins.Items.0.DomainName", "other.s3.amazonaws.com"), ["origin"]),
        (_set("Origins.Items.0.OriginAccessControlId", ""), ["origin access control"]),
        (_set("Aliases", {"Quantity": 0}), ["aliases"]),
        (_set("ViewerCertificate", {"CloudFrontDefaultCertificate": True}), ["certificate"]),
        (_set("PriceClass", "PriceClass_All"), ["price class"]),
        (_set("Comment", "hand edit"), ["comment"]),
    ],
)
def test_each_managed_setting_changed_by_hand_is_named(
    change: Callable[[dict[str, Any]], None], named: list[str]
) -> None:
    assert dist.drift(edited(change), desired()) == named


def test_several_changes_are_all_named() -> None:
    def change(config: dict[str, Any]) -> None:
        config["Enabled"] = False
        config["DefaultCacheBehavior"]["DefaultTTL"] = 5

    assert dist.drift(edited(change), desired()) == [
        "enabled",
        "segment cache behaviour (TTLs, key groups)",
    ]


def test_what_cloudfront_adds_or_leaves_out_is_no_drift() -> None:
    echoed = {
        **desired(),
        "CallerReference": "another",
        "WebACLId": "",
        "Logging": {"Enabled": False},
        "HttpVersion": "http2",
    }
    assert dist.drift(echoed, desired()) == []
    # moto echoes no OriginAccessControlId: not knowing is not drift.
    silent = copy.deepcopy(desired())
    del silent["Origins"]["Items"][0]["OriginAccessControlId"]
    assert dist.drift(silent, desired()) == []
    # CloudFront echoes "" for no access control: the same as a spec without one.
    none = copy.deepcopy(desired(None))
    none["Origins"]["Items"][0]["OriginAccessControlId"] = ""
    assert dist.drift(none, desired(None)) == []


def remote(status: str) -> dist.Remote:
    return dist.Remote(
        id="E1", arn="arn:aws:cloudfront::1:distribution/E1", domain_name="d1.cloudfront.net",
        status=status, enabled=True, etag="T", config={},
    )  # fmt: skip


def ready(status: dict[str, Any]) -> dict[str, Any]:
    (cond,) = status["conditions"]
    assert cond["type"] == "Ready"
    found: dict[str, Any] = cond
    return found


def test_a_correction_is_the_ready_reason_while_it_deploys_and_after() -> None:
    message = dist.drift_message("E1", ["enabled", "aliases"])
    assert message.startswith("CloudFront distribution E1 had been changed outside Kinema")
    assert "(enabled, aliases)" in message

    deploying = dist.synced_status(example(), remote("InProgress"), "OAC1", corrected=message)
    cond = ready(deploying)
    assert (cond["status"], cond["reason"], cond["observedGeneration"]) == (
        "False", "DriftCorrected", 2,
    )  # fmt: skip
    assert cond["message"] != message
    assert dist.corrected_message(cond["message"]) == message
    assert deploying["deployment"] == "InProgress"

    deployed = dist.synced_status(example(), remote("Deployed"), "OAC1", corrected=message)
    cond = ready(deployed)
    assert (cond["status"], cond["reason"], cond["message"]) == ("True", "DriftCorrected", message)

    plain = ready(dist.synced_status(example(), remote("Deployed"), "OAC1"))
    assert (plain["status"], plain["reason"]) == ("True", "Deployed")


def test_only_a_synced_distribution_is_compared() -> None:
    assert {"Deployed", "Deploying", "DriftCorrected"} == dist.SYNCED_REASONS
    assert "Invalid" not in dist.SYNCED_REASONS and "SyncFailed" not in dist.SYNCED_REASONS
