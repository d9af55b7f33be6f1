"""Distribution spec -> CloudFront DistributionConfig, drift view and status. Pure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from kinema.resources.distribution import CloudFront
from kinema_operator.distribution import mapping as dist
from kinema_operator.errors import InvalidSpec

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "distribution-cloudfront.yaml"


def example() -> dict[str, Any]:
    body: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text())
    body["metadata"] |= {"namespace": "media", "uid": "u-1", "generation": 1}
    return body


def config_of(body: dict[str, Any], oac_id: str | None = "OAC1") -> dict[str, Any]:
    cf = dist.check(dist.parse(body))
    assert cf is not None
    return dist.distribution_config(cf, reference="ref", comment="c", oac_id=oac_id)


def by_pattern(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["PathPattern"]: b for b in config["CacheBehaviors"]["Items"]}


def test_example_maps_to_a_private_s3_origin_with_its_access_control() -> None:
    config = config_of(example())
    (origin,) = config["Origins"]["Items"]
    assert origin["DomainName"] == "kinema-media.s3.amazonaws.com"
    assert origin["OriginPath"] == "/processed"
    assert origin["OriginAccessControlId"] == "OAC1"
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    assert config["CallerReference"] == "ref"
    assert config["Enabled"] is True
    assert "OriginAccessControlId" not in config_of(example(), None)["Origins"]["Items"][0]


def test_segments_are_immutable_and_manifests_short() -> None:
    config = config_of(example())
    default = config["DefaultCacheBehavior"]
    assert (default["MinTTL"], default["DefaultTTL"], default["MaxTTL"]) == (31_536_000,) * 3
    assert set(by_pattern(config)) == {"*.m3u8", "*.mpd"}
    for behaviour in by_pattern(config).values():
        assert (behaviour["MinTTL"], behaviour["DefaultTTL"], behaviour["MaxTTL"]) == (0, 2, 2)
        assert behaviour["TargetOriginId"] == dist.ORIGIN_ID
    for behaviour in [default, *by_pattern(config).values()]:
        assert behaviour["ViewerProtocolPolicy"] == "redirect-to-https"


def test_signed_cookies_trust_the_key_group_everywhere() -> None:
    config = config_of(example())
    for behaviour in [config["DefaultCacheBehavior"], *by_pattern(config).values()]:
        assert behaviour["TrustedKeyGroups"] == {
            "Enabled": True, "Quantity": 1, "Items": ["K2JCJMDEHXQW5F"],
        }  # fmt: skip
    body = example()
    body["spec"]["cloudfront"]["signedCookies"]["enabled"] = False
    off = config_of(body)["DefaultCacheBehavior"]["TrustedKeyGroups"]
    assert off == {"Enabled": False, "Quantity": 0, "Items": []}


def test_aliases_use_the_acm_certificate_else_the_default_one() -> None:
    config = config_of(example())
    assert config["Aliases"] == {"Quantity": 1, "Items": ["media.example.com"]}
    assert config["ViewerCertificate"]["ACMCertificateArn"].startswith("arn:aws:acm:us-east-1:")
    assert config["ViewerCertificate"]["SSLSupportMethod"] == "sni-only"
    assert config["PriceClass"] == "PriceClass_100"
    bare = CloudFront(origin_bucket="kinema-media")
    plain = dist.distribution_config(bare, reference="r", comment="c", oac_id=None)
    assert plain["ViewerCertificate"] == {"CloudFrontDefaultCertificate": True}
    assert plain["Aliases"] == {"Quantity": 0, "Items": []}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"provider": "cloudfront"}, "provider cloudfront needs spec.cloudfront"),
        ({"provider": "none"}, "provider none needs spec.baseUrl"),
        (
            {"provider": "cloudfront", "cloudfront": {"originBucket": "b-1", "aliases": ["a.io"]}},
            "aliases need a certificateArn",
        ),
        (
            {
                "provider": "cloudfront",
                "cloudfront": {"originBucket": "b-1", "signedCookies": {"enabled": True}},
            },
            "needs keyGroupId",
        ),
        ({"provider": "akamai"}, "invalid spec at provider"),
        ({"provider": "cloudfront", "cloudfront": {"originBucket": "B!"}}, "originBucket"),
    ],
)
def test_specs_that_cannot_work_say_why(spec: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidSpec, match=message):
        dist.check(dist.parse({"spec": spec}))


def test_provider_none_needs_nothing_from_cloudfront() -> None:
    spec = dist.parse({"spec": {"provider": "none", "baseUrl": "https://edge.example.com"}})
    assert dist.check(spec) is None


def test_managed_view_sees_a_ttl_change_and_ignores_echoed_extras() -> None:
    config = config_of(example())
    echoed = {**config, "WebACLId": "", "Logging": {"Enabled": False}, "CallerReference": "x"}
    assert dist.managed_view(echoed) == dist.managed_view(config)
    body = example()
    body["spec"]["cloudfront"]["cache"]["manifestTtlSeconds"] = 6
    assert dist.managed_view(config_of(body)) != dist.managed_view(config)
    assert dist.managed_view({**config, "Enabled": False}) != dist.managed_view(config)


def test_caller_reference_and_oac_name_are_per_object() -> None:
    assert dist.caller_reference("u-1") == dist.caller_reference("u-1")
    assert dist.caller_reference("u-1") != dist.caller_reference("u-2")
    assert len(dist.oac_name("0" * 36)) <= 64


def remote(status: str) -> dist.Remote:
    return dist.Remote(
        id="E1", arn="arn:aws:cloudfront::1:distribution/E1", domain_name="d1.cloudfront.net",
        status=status, enabled=True, etag="T", config={},
    )  # fmt: skip


def test_status_is_ready_once_deployed() -> None:
    body = example()
    deploying = dist.synced_status(body, remote("InProgress"), "OAC1")
    assert deploying["distributionId"] == "E1"
    assert deploying["domainName"] == "d1.cloudfront.net"
    assert deploying["originAccessControlId"] == "OAC1"
    assert deploying["deployment"] == "InProgress"
    assert deploying["observedGeneration"] == 1
    (ready,) = deploying["conditions"]
    assert (ready["status"], ready["reason"]) == ("False", "Deploying")
    body["status"] = deploying
    (ready,) = dist.synced_status(body, remote("Deployed"), "OAC1")["conditions"]
    assert (ready["type"], ready["status"], ready["reason"]) == ("Ready", "True", "Deployed")


def test_a_failure_keeps_what_was_known() -> None:
    body = example()
    body["status"] = dist.synced_status(body, remote("Deployed"), "OAC1")
    failed = dist.distribution_status(body, ready=False, reason="SyncFailed", message="boom")
    assert failed["distributionId"] == "E1"
    assert failed["conditions"][0]["message"] == "boom"


def test_public_base_prefers_the_cdn_domain() -> None:
    assert dist.public_base({"status": {"domainName": "d1.cloudfront.net"}}) == (
        "https://d1.cloudfront.net"
    )
    assert dist.public_base({"spec": {"baseUrl": "https://edge.io"}}) == "https://edge.io"
    assert dist.public_base({"spec": {"provider": "cloudfront"}}) == ""


def test_provider_none_clears_what_cloudfront_left_in_status() -> None:
    body = example()
    body["status"] = dist.synced_status(body, remote("Deployed"), "OAC1")
    status = dist.none_status(body, "https://edge.io")
    for field in ("distributionId", "domainName", "arn", "originAccessControlId", "deployment"):
        assert field in status and status[field] is None  # null drops it in a merge patch
    assert status["conditions"][0]["reason"] == "NoCDN"
