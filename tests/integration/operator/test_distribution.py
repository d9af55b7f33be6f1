"""Distributions against a real kube-apiserver and CloudFront's API as moto serves it.

The operator runs in-process (``kopf.testing.KopfRunner``) with
``KINEMA_CLOUDFRONT_ENDPOINT_URL`` pointing at moto; the tests read moto back with
their own boto3 client. What is asserted is what a platform engineer sees: the
Distribution's status, and the distribution CloudFront holds (behaviours, TTLs, key
group, origin access control), one per object whatever restarts or lost status.

moto's limits, and what they leave unproven: it echoes no ``OriginAccessControlId`` on
origins (the OAC's existence and the status id are checked instead); it accepts any
ACM certificate, key group and credentials; its deployments finish on the first read
unless a transition is set (one test sets one to follow a real "InProgress").

What the operator does when someone edits the distribution in AWS is in
``test_distribution_drift.py``.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.integration.operator.conftest import TINY_LADDER
from tests.integration.operator.distributions import Distributions, example, moto_ids, ttl, wait
from tests.utils.kubelet import FakeKubelet
from tests.utils.moto_server import MotoServer
from tests.utils.operator_run import GROUP, VERSION, conditions_of, operator, video
from tests.utils.s3_server import S3Server

FRENCH = "1\n00:00:00,200 --> 00:00:01,500\nBonjour tout le monde\n"

pytestmark = pytest.mark.integration


def test_distribution_lifecycle_in_cloudfront(
    operator_settings: dict[str, Any],
    cloudfront_env: MotoServer,
    dists: Distributions,
    kube_namespace: str,
) -> None:
    """Created Ready with the example's behaviours, updated in place on a TTL change,
    adopted (never duplicated) after a restart and a lost status, gone after delete."""
    moto = cloudfront_env
    cf = moto.cloudfront()
    with operator(kube_namespace):
        dists.create(example())
        body = wait("the Distribution to be Ready", dists.ready)
        status = body["status"]
        dist_id, domain = status["distributionId"], status["domainName"]
        assert domain.endswith(".cloudfront.net")
        assert status["arn"].endswith(f"distribution/{dist_id}")
        assert status["deployment"] == "Deployed"
        assert conditions_of(body)["Ready"]["reason"] == "Deployed"
        assert moto_ids(moto) == [dist_id]

        config = cf.get_distribution_config(Id=dist_id)["DistributionConfig"]
        assert config["Enabled"] is True
        assert config["Comment"] == "Kinema media"
        assert config["PriceClass"] == "PriceClass_100"
        assert config["Aliases"]["Items"] == ["media.example.com"]
        assert config["ViewerCertificate"]["ACMCertificateArn"].endswith(
            "0a1b2c3d-4e5f-6789-abcd-ef0123456789"
        )
        (origin,) = config["Origins"]["Items"]
        assert origin["DomainName"] == "kinema-media.s3.amazonaws.com"
        assert origin["OriginPath"] == "/processed"
        assert ttl(config, "") == (31_536_000,) * 3
        assert ttl(config, "*.m3u8") == ttl(config, "*.mpd") == (0, 2, 2)
        for behaviour in [config["DefaultCacheBehavior"], *config["CacheBehaviors"]["Items"]]:
            assert behaviour["TrustedKeyGroups"]["Items"] == ["K2JCJMDEHXQW5F"]
            assert behaviour["ViewerProtocolPolicy"] == "redirect-to-https"
        oacs = cf.list_origin_access_controls()["OriginAccessControlList"]["Items"]
        assert [o["Id"] for o in oacs] == [status["originAccessControlId"]]
        assert oacs[0]["OriginAccessControlOriginType"] == "s3"

        # A TTL change updates the same distribution.
        dists.patch("cdn", {"spec": {"cloudfront": {"cache": {"manifestTtlSeconds": 6}}}})
        wait("the new generation to be Ready", lambda: dists.ready("cdn", generation=2))
        config = cf.get_distribution_config(Id=dist_id)["DistributionConfig"]
        assert ttl(config, "*.m3u8") == (0, 6, 6)
        assert moto_ids(moto) == [dist_id]

    # A restart after the status lost the id (a crash between create and status write):
    # the CallerReference brings back the same distribution.
    dists.api.patch_namespaced_custom_object_status(
        GROUP, VERSION, kube_namespace, "distributions", "cdn",
        {"status": {"distributionId": None, "deployment": None}},
    )  # fmt: skip
    assert "distributionId" not in (dists.get() or {})["status"]
    with operator(kube_namespace):
        adopted = wait(
            "the Distribution to adopt its CloudFront distribution",
            lambda: (dists.get() or {}).get("status", {}).get("distributionId"),
        )
        assert adopted == dist_id
        assert moto_ids(moto) == [dist_id]
        assert len(cf.list_origin_access_controls()["OriginAccessControlList"]["Items"]) == 1

        dists.delete()
        wait("the Distribution to be deleted", lambda: dists.get() is None, timeout=60)
        assert moto_ids(moto) == []
        assert not cf.list_origin_access_controls()["OriginAccessControlList"].get("Items")


def test_delete_waits_for_the_disabled_distribution_to_deploy(
    operator_settings: dict[str, Any],
    cloudfront_env: MotoServer,
    dists: Distributions,
    kube_namespace: str,
) -> None:
    """As on AWS, a change stays InProgress for a while: Ready waits for Deployed, and
    the finalizer deletes only once the disabled distribution is deployed."""
    moto = cloudfront_env
    moto.set_transition("cloudfront::distribution", {"progression": "manual", "times": 3})
    try:
        with operator(kube_namespace):
            body = example()
            body["spec"]["cloudfront"]["signedCookies"] = {"enabled": False}
            body["spec"]["cloudfront"]["originAccessControl"] = False
            dists.create(body)
            deploying = wait(
                "the Distribution to be deploying",
                lambda: (
                    conditions_of(dists.get() or {}).get("Ready", {}).get("reason") == "Deploying"
                ),
            )
            assert deploying
            body = wait("the Distribution to be Ready", dists.ready, timeout=60)
            assert "originAccessControlId" not in body["status"]
            dist_id = body["status"]["distributionId"]
            config = moto.cloudfront().get_distribution_config(Id=dist_id)["DistributionConfig"]
            assert config["DefaultCacheBehavior"]["TrustedKeyGroups"]["Quantity"] == 0

            dists.delete()
            wait("the Distribution to be deleted", lambda: dists.get() is None, timeout=90)
            assert moto_ids(moto) == []
    finally:
        moto.unset_transition("cloudfront::distribution")


def test_bad_spec_and_provider_none(
    operator_settings: dict[str, Any],
    cloudfront_env: MotoServer,
    dists: Distributions,
    kube_namespace: str,
) -> None:
    """provider none is Ready with nothing created; a spec CloudFront cannot take (a key
    group that is not there would be CloudFront's to refuse; a missing keyGroupId is
    ours) fails with a clear condition and no distribution."""
    with operator(kube_namespace):
        dists.create(
            {
                "apiVersion": f"{GROUP}/{VERSION}",
                "kind": "Distribution",
                "metadata": {"name": "edge"},
                "spec": {"provider": "none", "baseUrl": "https://edge.example.com/media"},
            }
        )
        body = wait("the none Distribution to be Ready", lambda: dists.ready("edge"))
        assert conditions_of(body)["Ready"]["reason"] == "NoCDN"
        assert "distributionId" not in body["status"]

        bad = example("bad")
        bad["spec"]["cloudfront"]["signedCookies"] = {"enabled": True}
        dists.create(bad)

        def failed() -> dict[str, Any] | None:
            cond = conditions_of(dists.get("bad") or {}).get("Ready")
            return cond if cond and cond["status"] == "False" else None

        cond = wait("the bad Distribution to fail", failed)
        assert cond["reason"] == "Invalid"
        assert "signedCookies.enabled needs keyGroupId" in cond["message"]
        assert moto_ids(cloudfront_env) == []
        dists.delete("edge")
        dists.delete("bad")
        wait("both to be deleted", lambda: not dists.get("edge") and not dists.get("bad"))


@pytest.mark.slow
def test_video_manifests_are_served_from_the_cloudfront_domain(
    operator_settings: dict[str, Any],
    cloudfront_env: MotoServer,
    dists: Distributions,
    fake_kubelet: FakeKubelet,
    kube_namespace: str,
    tiny_source: str,
    s3: S3Server,
    s3_prefix: str,
) -> None:
    """A Video naming a Distribution that is not there yet publishes on the store; once
    the Distribution has its CloudFront domain, the live Video's manifests move there;
    a subtitles change, which rewrites them in place, invalidates them on CloudFront."""
    with operator(kube_namespace):
        api = dists.api
        api.create_namespaced_custom_object(
            GROUP, VERSION, kube_namespace, "ladders",
            {"apiVersion": f"{GROUP}/{VERSION}", "kind": "Ladder",
             "metadata": {"name": "tiny"}, "spec": copy.deepcopy(TINY_LADDER)},
        )  # fmt: skip
        api.create_namespaced_custom_object(
            GROUP, VERSION, kube_namespace, "videos",
            video("clip", tiny_source, ladderRef={"name": "tiny"},
                  distributionRef={"name": "cdn"}),
        )  # fmt: skip

        def get_video() -> dict[str, Any]:
            fake_kubelet.raise_errors()
            found: dict[str, Any] = api.get_namespaced_custom_object(
                GROUP, VERSION, kube_namespace, "videos", "clip"
            )
            return found

        def done() -> dict[str, Any] | None:
            found = get_video()
            conds = conditions_of(found)
            finished = any(conds.get(t, {}).get("status") == "True" for t in ("Ready", "Failed"))
            return found if finished else None

        found = wait("the Video to finish", done, timeout=240)
        assert conditions_of(found)["Ready"]["status"] == "True", found["status"]
        before = found["status"]["manifests"]
        assert before["hls"].startswith("s3://"), before  # no CDN yet: the store's URL

        body = example()
        body["spec"]["cloudfront"]["originPath"] = ""
        dists.create(body)
        domain = wait("the Distribution to be Ready", dists.ready)["status"]["domainName"]

        def moved() -> dict[str, Any] | None:
            manifests: dict[str, Any] = get_video()["status"]["manifests"]
            return manifests if manifests["hls"].startswith(f"https://{domain}/") else None

        manifests = wait("the Video's manifests to move to the CDN", moved)
        assert manifests["dash"].startswith(f"https://{domain}/"), manifests
        # The same object: the store URL ends with the CDN path (the origin path is "").
        assert before["hls"].endswith("/" + manifests["hls"].removeprefix(f"https://{domain}/"))
        assert manifests["hls"].endswith(".m3u8") and manifests["dash"].endswith(".mpd")
        assert conditions_of(get_video())["Ready"]["status"] == "True"

        # A subtitle added: the live output's master playlist and MPD are rewritten in
        # place, so CloudFront is told to forget exactly those two paths.
        key = f"{s3_prefix}subs/clip.fr.srt"
        s3.client().put_object(Bucket=s3.bucket, Key=key, Body=FRENCH.encode())
        dist_id = dists.get()["status"]["distributionId"]  # type: ignore[index]
        assert (
            not cloudfront_env.cloudfront()
            .list_invalidations(DistributionId=dist_id)["InvalidationList"]
            .get("Items")
        )
        api.patch_namespaced_custom_object(
            GROUP, VERSION, kube_namespace, "videos", "clip",
            {"spec": {"subtitles": [{"language": "fr", "source": f"s3://{s3.bucket}/{key}"}]}},
        )  # fmt: skip

        def invalidated() -> list[str] | None:
            cf = cloudfront_env.cloudfront()
            listing = cf.list_invalidations(DistributionId=dist_id)["InvalidationList"]
            for item in listing.get("Items") or []:
                batch = cf.get_invalidation(DistributionId=dist_id, Id=item["Id"])
                paths: list[str] = batch["Invalidation"]["InvalidationBatch"]["Paths"]["Items"]
                return sorted(paths)
            return None

        paths = wait("CloudFront to be asked to forget the manifests", invalidated)
        cdn = f"https://{domain}"
        assert paths == sorted([manifests["hls"].removeprefix(cdn),
                                manifests["dash"].removeprefix(cdn)])  # fmt: skip
        assert conditions_of(get_video())["Ready"]["status"] == "True"
        api.delete_namespaced_custom_object(GROUP, VERSION, kube_namespace, "videos", "clip")
        dists.delete()
        wait("the Distribution to be deleted", lambda: dists.get() is None, timeout=60)


def test_switching_to_provider_none_takes_the_distribution_down(
    operator_settings: dict[str, Any],
    cloudfront_env: MotoServer,
    dists: Distributions,
    kube_namespace: str,
) -> None:
    with operator(kube_namespace):
        dists.create(example())
        wait("the Distribution to be Ready", dists.ready)
        assert len(moto_ids(cloudfront_env)) == 1
        dists.patch("cdn", {"spec": {"provider": "none", "baseUrl": "https://edge.example.com"}})
        body = wait("the none Distribution to be Ready", lambda: dists.ready("cdn", 2), timeout=60)
        assert conditions_of(body)["Ready"]["reason"] == "NoCDN"
        assert "domainName" not in body["status"] and "distributionId" not in body["status"]
        assert moto_ids(cloudfront_env) == []
        oacs = cloudfront_env.cloudfront().list_origin_access_controls()
        assert not oacs["OriginAccessControlList"].get("Items")
        dists.delete()
        wait("the Distribution to be deleted", lambda: dists.get() is None)
