"""Helpers of the Distribution tests: the example Distribution, a client for the
test namespace's Distributions, and readers and editors of what moto's CloudFront holds.

Drift is made the way a person makes it: :func:`hand_edit` calls boto3's
UpdateDistribution on moto behind the operator's back.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from kinema_operator.distribution.cloudfront import CloudFrontApi
from kinema_operator.distribution.sync import CloudFrontSync
from tests.utils.moto_server import MotoServer
from tests.utils.operator_run import GROUP, VERSION, conditions_of
from tests.utils.operator_run import wait as wait_for


def wait(what: str, check: Callable[[], Any], timeout: float = 90) -> Any:
    """Generous: the machine is shared, and Kopf's retries are seconds apart."""
    return wait_for(what, check, timeout)


EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "distribution-cloudfront.yaml"


def example(name: str = "cdn") -> dict[str, Any]:
    body: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text())
    body["metadata"]["name"] = name
    return body


class Distributions:
    def __init__(self, kube: Any, namespace: str) -> None:
        from kubernetes import client as k8s

        self.client = kube.api_client()
        self.api: Any = k8s.CustomObjectsApi(self.client)
        self.namespace = namespace

    def close(self) -> None:
        self.client.close()

    def create(self, body: dict[str, Any]) -> None:
        self.api.create_namespaced_custom_object(
            GROUP, VERSION, self.namespace, "distributions", body
        )

    def get(self, name: str = "cdn") -> dict[str, Any] | None:
        from kubernetes.client.exceptions import ApiException

        try:
            found: dict[str, Any] = self.api.get_namespaced_custom_object(
                GROUP, VERSION, self.namespace, "distributions", name
            )
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise
        return found

    def ready(self, name: str = "cdn", generation: int = 1) -> dict[str, Any] | None:
        body = self.get(name)
        cond = conditions_of(body or {}).get("Ready")
        if body and cond and cond["status"] == "True" and cond["observedGeneration"] >= generation:
            return body
        return None

    def patch(self, name: str, patch: dict[str, Any]) -> None:
        self.api.patch_namespaced_custom_object(
            GROUP, VERSION, self.namespace, "distributions", name, patch
        )

    def delete(self, name: str = "cdn") -> None:
        self.api.delete_namespaced_custom_object(
            GROUP, VERSION, self.namespace, "distributions", name
        )


def moto_ids(moto: MotoServer) -> list[str]:
    listing = moto.cloudfront().list_distributions()["DistributionList"]
    return [item["Id"] for item in listing.get("Items") or []]


def ttl(config: dict[str, Any], pattern: str) -> tuple[int, int, int]:
    behaviours = {b["PathPattern"]: b for b in config["CacheBehaviors"]["Items"]}
    b = behaviours[pattern] if pattern else config["DefaultCacheBehavior"]
    return (b["MinTTL"], b["DefaultTTL"], b["MaxTTL"])


def hand_edit(moto: MotoServer, dist_id: str, **changes: Any) -> None:
    """Change the distribution behind the operator's back, as the AWS console would."""
    cf = moto.cloudfront()
    found = cf.get_distribution_config(Id=dist_id)
    config = found["DistributionConfig"]
    if "enabled" in changes:
        config["Enabled"] = changes["enabled"]
    if "manifest_ttl" in changes:
        for behaviour in config["CacheBehaviors"]["Items"]:
            behaviour |= {"MinTTL": 0, "DefaultTTL": changes["manifest_ttl"],
                          "MaxTTL": changes["manifest_ttl"]}  # fmt: skip
    cf.update_distribution(Id=dist_id, IfMatch=found["ETag"], DistributionConfig=config)


def live_config(moto: MotoServer, dist_id: str) -> dict[str, Any]:
    config: dict[str, Any] = moto.cloudfront().get_distribution_config(Id=dist_id)[
        "DistributionConfig"
    ]
    return config


def synced(moto: MotoServer) -> tuple[CloudFrontSync, dict[str, Any]]:
    """A CloudFrontSync on moto and a Distribution body it has just synced."""
    sync = CloudFrontSync(CloudFrontApi(moto.cloudfront()))
    body = example()
    body["metadata"] |= {"namespace": "media", "uid": str(uuid.uuid4()), "generation": 1}
    body["status"] = sync.sync(body)
    return sync, body


def drift_events(kube: Any, namespace: str, name: str) -> list[str]:
    from kubernetes import client as k8s

    events = k8s.CoreV1Api(kube).list_namespaced_event(namespace).items
    return [
        str(e.message)
        for e in events
        if e.reason == "DriftCorrected" and e.involved_object.name == name
    ]
