"""The Grafana dashboards and the API's ServiceMonitor: off by default; on, the dashboard
ConfigMap carries valid dashboard JSON (the API's and the operator's) whose queries name
only metrics the API or the operator defines, read from their registries."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

import pytest
from prometheus_client.metrics import MetricWrapperBase
from prometheus_client.metrics_core import Metric

from kinema_api import metrics
from kinema_operator import metrics as operator_metrics
from tests.utils import helm

pytestmark = pytest.mark.usefixtures("helm_installed")
METRIC = r"\b(kinema_[a-z_]+)\b"
SUFFIXES = {"counter": ("_total",), "gauge": ("",), "histogram": ("_bucket", "_count", "_sum")}


def _exported(families: Iterable[Metric]) -> set[str]:
    """The series names Prometheus scrapes for these metric families."""
    return {f.name + suffix for f in families for suffix in SUFFIXES[f.type]}


def _operator_families() -> list[Metric]:
    """The operator's metrics, as its module defines them (prometheus-client objects)."""
    return [
        family
        for value in vars(operator_metrics).values()
        if isinstance(value, MetricWrapperBase)
        for family in value.collect()
    ]


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
    named = {m for e in exprs for m in re.findall(METRIC, e)}
    assert named and named <= _exported(metrics.REGISTRY.collect()), named

    monitor = helm.find(objects, "ServiceMonitor", "-api")
    assert monitor["metadata"]["labels"]["release"] == "prometheus"
    assert monitor["spec"]["endpoints"] == [{"port": "http", "path": "/metrics", "interval": "30s"}]
    service = helm.find(objects, "Service", "-api")
    assert service["spec"]["ports"][0]["name"] == "http"
    assert monitor["spec"]["selector"]["matchLabels"].items() <= service["spec"]["selector"].items()


def test_operator_dashboard_and_every_query_names_a_real_metric() -> None:
    objects = helm.render(set_values={"grafana.dashboards.enabled": "true"})
    config = helm.find(objects, "ConfigMap", "-grafana-dashboards")
    assert {"kinema-api.json", "kinema-operator.json"} <= set(config["data"])

    operator = json.loads(config["data"]["kinema-operator.json"])
    assert operator["uid"] == "kinema-operator"
    titles = " ".join(p["title"] for p in operator["panels"]).lower()
    for topic in ("reconciliations", "errors", "duration", "jobs created", "in flight"):
        assert topic in titles, topic
    families = _operator_families()
    own = _exported(families)
    operator_named = {
        m for p in operator["panels"] for t in p["targets"] for m in re.findall(METRIC, t["expr"])
    }
    # Every operator metric has a panel, and every panel shows an operator metric.
    shown = {f.name for f in families if _exported([f]) & operator_named}
    assert len(families) >= 5 and shown == {f.name for f in families}
    assert operator_named <= own, operator_named - own

    known = own | _exported(metrics.REGISTRY.collect())
    uids = set()
    for name, text in config["data"].items():
        dashboard = json.loads(text)
        uids.add(dashboard["uid"])
        queries = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
        queries += [v["query"] for v in dashboard["templating"]["list"] if v["type"] == "query"]
        for query in queries:
            named = set(re.findall(METRIC, query))
            assert named and named <= known, (name, query, named - known)
        ids = [p["id"] for p in dashboard["panels"]]
        assert len(ids) == len(set(ids)), name
    assert len(uids) == len(config["data"])
