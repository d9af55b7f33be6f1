"""The auto-tagging CronJob: it runs ``kinema tag-titles`` with the API's settings, gets
the Anthropic key only when one is configured (from the chart's Secret or an existing
one), and no other workload gets it but the recommender's (which asks Claude for the
"why you may like it" notes). ``helm template`` only."""

from __future__ import annotations

from typing import Any

import pytest

from tests.utils import helm

pytestmark = pytest.mark.usefixtures("helm_installed")


def _containers_but(objects: list[dict[str, Any]], suffix: str) -> list[dict[str, Any]]:
    """Every container of every other workload (Deployments, Jobs, CronJobs)."""
    out: list[dict[str, Any]] = []
    for o in objects:
        if o["metadata"]["name"].endswith(suffix):
            continue
        spec = o.get("spec", {})
        if o["kind"] == "CronJob":
            spec = spec["jobTemplate"]["spec"]
        elif o["kind"] not in ("Deployment", "Job", "StatefulSet", "DaemonSet"):
            continue
        out += spec["template"]["spec"]["containers"]
    return out


def test_tagging_runs_tag_titles_with_the_local_classifier_by_default() -> None:
    objects = helm.render(set_values={"api.tagging.schedule": "*/5 * * * *"})
    cron = helm.find(objects, "CronJob", "-tagging")
    assert cron["spec"]["schedule"] == "*/5 * * * *"
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    job = cron["spec"]["jobTemplate"]
    assert job["spec"]["template"]["spec"]["automountServiceAccountToken"] is False
    main = helm.container(job)
    assert main["args"] == ["tag-titles"]
    env = helm.container_env(main)
    assert "KINEMA_ANTHROPIC_API_KEY" not in env
    assert "KINEMA_SECRET_KEY" in env  # the API's own secrets and ConfigMap
    config = helm.find(objects, "ConfigMap")
    assert config["data"]["KINEMA_ANTHROPIC_MONTHLY_COST_CAP_USD"] == "20"
    assert "KINEMA_ANTHROPIC_MODEL" not in config["data"]


def test_a_key_reaches_the_tagging_and_recommender_jobs_only() -> None:
    objects = helm.render(
        set_values={
            "anthropic.apiKey": "sk-ant-test-key",
            "anthropic.model": "claude-test",
            "anthropic.monthlyCostCapUsd": "5",
        }
    )
    main = helm.container(helm.find(objects, "CronJob", "-tagging")["spec"]["jobTemplate"])
    ref = helm.container_env(main)["KINEMA_ANTHROPIC_API_KEY"]["secretKeyRef"]
    secret = helm.find(objects, "Secret", ref["name"])
    assert secret["stringData"][ref["key"]] == "sk-ant-test-key"
    config = helm.find(objects, "ConfigMap")
    assert config["data"]["KINEMA_ANTHROPIC_MODEL"] == "claude-test"
    assert config["data"]["KINEMA_ANTHROPIC_MONTHLY_COST_CAP_USD"] == "5"
    recommender = helm.find(objects, "CronJob", "-recommender")["spec"]["jobTemplate"]
    recommender_env = helm.container_env(helm.container(recommender))
    assert recommender_env["KINEMA_ANTHROPIC_API_KEY"]["secretKeyRef"] == ref
    assert "KINEMA_RECOMMEND_LAMBDA" in recommender_env
    others = [c for c in _containers_but(objects, "-tagging") if c["name"] != "recommender"]
    assert len(others) >= 2  # the API, the operator, ...
    for c in others:
        assert "KINEMA_ANTHROPIC_API_KEY" not in helm.container_env(c), c["name"]


def test_an_existing_secret_holds_the_key() -> None:
    objects = helm.render(
        set_values={"anthropic.existingSecret.name": "claude", "anthropic.existingSecret.key": "k"}
    )
    main = helm.container(helm.find(objects, "CronJob", "-tagging")["spec"]["jobTemplate"])
    ref = helm.container_env(main)["KINEMA_ANTHROPIC_API_KEY"]["secretKeyRef"]
    assert ref == {"name": "claude", "key": "k"}
    assert all("anthropic-api-key" not in (o.get("stringData") or {}) for o in objects)


def test_tagging_can_be_switched_off_and_refuses_a_short_schedule() -> None:
    objects = helm.render(set_values={"api.tagging.enabled": "false"})
    assert not [o for o in objects if o["kind"] == "CronJob" and "tagging" in o["metadata"]["name"]]
    result = helm.template(set_values={"api.tagging.schedule": "@x"})
    assert not result.ok
    assert "schedule" in result.stderr
