"""The Grafana dashboard and the API's ServiceMonitor: off by default; on, the dashboard
ConfigMap carries valid dashboard JSON whose queries name only metrics the API exports."""

from __future__ import annotations

import json
import re

import pytest

from kinema_api import metrics
from tests.utils import helm

pytestmark = pytest.mark.usefixtures("helm_installed")


def test_off_by_default() -> None:
    kinds = {(o["kind"], o["metadata"]["name"]) for o in helm.render()}
    assert not any(name.endswith("-grafana-dashboards") for _, name in kinds)
    assert not any(kind == "ServiceMonitor" for kind, _ in kinds)


def test_dashboard_configmap_and_api_service_monitor() -> None:
    objects = helm.render(
        set_values={
            "grafana.dashboards.enabled": "true",
            "grafana.dashboards.annotations.grafana_folder": "Kinema",
            "api.metrics.serviceMonitor.enabled": "true",
            "api.metrics.serviceMonitor.labels.release": "prometheus",
        }
    )
    config = helm.find(objects, "ConfigMap", "-grafana-dashboards")
    assert config["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert config["metadata"]["annotations"]["grafana_folder"] == "Kinema"
    dashboard = json.loads(config["data"]["kinema-api.json"])
    assert dashboard["uid"] == "kinema-api"
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    titles = " ".join(p["title"] for p in dashboard["panels"]).lower()
    for topic in ("request rate", "errors", "latency", "active streams", "startup", "rebuffer"):
        assert topic in titles, topic
    suffixes = {"counter": ("_total",), "gauge": ("",), "histogram": ("_bucket", "_count", "_sum")}
    exported = {
        family.name + suffix
        for family in metrics.REGISTRY.collect()
        for suffix in suffixes[family.type]
    }
    named = {m for e in exprs for m in re.findall(r"\b(kinema_[a-z_]+)\b", e)}
    assert named and named <= exported, named - exported

    monitor = helm.find(objects, "ServiceMonitor", "-api")
    assert monitor["metadata"]["labels"]["release"] == "prometheus"
    assert monitor["spec"]["endpoints"] == [{"port": "http", "path": "/metrics", "interval": "30s"}]
    service = helm.find(objects, "Service", "-api")
    assert service["spec"]["ports"][0]["name"] == "http"
    assert monitor["spec"]["selector"]["matchLabels"].items() <= service["spec"]["selector"].items()
