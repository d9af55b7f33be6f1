"""The recommender's training CronJob: what it runs, with which settings and secrets,
and that it can be switched off. ``helm template`` only."""

from __future__ import annotations

import pytest

from tests.utils import helm

pytestmark = pytest.mark.usefixtures("helm_installed")


def test_cronjob_trains_with_the_api_settings_and_no_token() -> None:
    objects = helm.render(
        set_values={
            "api.recommender.schedule": "0 * * * *",
            "api.recommender.lambda": "250",
            "postgres.url": "postgresql://kinema:pw@db/kinema",
        }
    )
    cron = helm.find(objects, "CronJob", "-recommender")
    assert cron["spec"]["schedule"] == "0 * * * *"
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    job = cron["spec"]["jobTemplate"]
    pod = job["spec"]["template"]["spec"]
    assert pod["automountServiceAccountToken"] is False
    main = helm.container(job)
    assert main["args"] == ["train-recommender"]
    env = helm.container_env(main)
    assert env["KINEMA_RECOMMEND_LAMBDA"] == "250"
    assert env["KINEMA_RECOMMEND_HALF_LIFE"] == "8"
    # The same database credentials (from the Secret) and ConfigMap as the migrations.
    migrate = helm.container(helm.find(objects, "Job", "-migrate"))
    assert env["KINEMA_DATABASE_URL"] == helm.container_env(migrate)["KINEMA_DATABASE_URL"]
    assert "secretKeyRef" in env["KINEMA_DATABASE_URL"]
    assert main["envFrom"] == migrate["envFrom"]


def test_cronjob_can_be_switched_off() -> None:
    objects = helm.render(set_values={"api.recommender.enabled": "false"})
    names = [o["metadata"]["name"] for o in objects if o["kind"] == "CronJob"]
    assert "kinema-recommender" not in names and "kinema-tagging" in names


def test_schema_refuses_a_non_positive_lambda() -> None:
    result = helm.template(set_values={"api.recommender.lambda": "0"})
    assert not result.ok
    assert "lambda" in result.stderr
