"""The raw-event pruning CronJob and the API's /metrics token: the CronJob runs `kinema
prune-events` with the chart's retention; a token Secret reaches both the API and the
ServiceMonitor that scrapes it. ``helm template`` only."""

from __future__ import annotations

import pytest

from tests.utils import helm

pytestmark = pytest.mark.usefixtures("helm_installed")


def test_prune_cronjob_runs_with_the_retention_and_no_token() -> None:
    objects = helm.render(
        set_values={
            "api.eventPruning.retentionDays": "90",
            "api.eventPruning.schedule": "5 3 * * *",
            "postgres.url": "postgresql://kinema:pw@db/kinema",
        }
    )
    cron = helm.find(objects, "CronJob", "-prune-events")
    assert cron["spec"]["schedule"] == "5 3 * * *"
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    job = cron["spec"]["jobTemplate"]
    assert job["spec"]["template"]["spec"]["automountServiceAccountToken"] is False
    main = helm.container(job)
    assert main["args"] == ["prune-events"]
    env = helm.container_env(main)
    assert env["KINEMA_ANALYTICS_EVENT_RETENTION_DAYS"] == "90"
    assert "secretKeyRef" in env["KINEMA_DATABASE_URL"]


def test_prune_cronjob_by_default_and_switched_off() -> None:
    cron = helm.find(helm.render(), "CronJob", "-prune-events")
    env = helm.container_env(helm.container(cron["spec"]["jobTemplate"]))
    assert env["KINEMA_ANALYTICS_EVENT_RETENTION_DAYS"] == "30"
    objects = helm.render(set_values={"api.eventPruning.enabled": "false"})
    assert not any(o["metadata"]["name"].endswith("-prune-events") for o in objects)


def test_schema_refuses_a_zero_retention() -> None:
    result = helm.template(set_values={"api.eventPruning.retentionDays": "0"})
    assert not result.ok
    assert "retentionDays" in result.stderr


def test_service_monitor_sends_the_metrics_token_the_api_asks_for() -> None:
    objects = helm.render(
        set_values={
            "api.metrics.serviceMonitor.enabled": "true",
            "api.metrics.tokenSecret.name": "kinema-metrics",
        }
    )
    monitor = helm.find(objects, "ServiceMonitor", "-api")
    (endpoint,) = monitor["spec"]["endpoints"]
    assert endpoint["authorization"] == {
        "type": "Bearer",
        "credentials": {"name": "kinema-metrics", "key": "metrics-token"},
    }
    api = helm.container(helm.find(objects, "Deployment", "-api"))
    ref = {"secretKeyRef": {"name": "kinema-metrics", "key": "metrics-token"}}
    assert helm.container_env(api)["KINEMA_METRICS_TOKEN"] == ref


def test_without_a_token_the_service_monitor_sends_none() -> None:
    objects = helm.render(set_values={"api.metrics.serviceMonitor.enabled": "true"})
    (endpoint,) = helm.find(objects, "ServiceMonitor", "-api")["spec"]["endpoints"]
    assert "authorization" not in endpoint
    api = helm.container(helm.find(objects, "Deployment", "-api"))
    assert "KINEMA_METRICS_TOKEN" not in helm.container_env(api)
