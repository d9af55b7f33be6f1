"""The chart's tests that run Helm ask for ``helm_installed``: without the project's Helm
they are skipped locally and fail in CI."""

from __future__ import annotations

import os

import pytest

from tests.utils import helm
from tests.utils.errors import BinaryNotFound


@pytest.fixture(scope="module")
def helm_installed() -> None:
    try:
        helm.helm()
    except BinaryNotFound as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(str(exc), pytrace=False)
        pytest.skip(str(exc))
