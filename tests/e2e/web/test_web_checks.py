"""The web app's own checks, so the one test command runs them too: ESLint plus the
strict TypeScript build (`npm run lint`) and the unit tests of its pure modules
(`npm test`: Vitest on the thumbnails parser, QoE accounting, quality options, keyboard
shortcuts and translations)."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.e2e.web import webapp


def _npm(script: str) -> subprocess.CompletedProcess[str]:
    if not (webapp.WEB / "node_modules").is_dir():
        message = "web/node_modules is missing: run scripts/bootstrap (npm ci in web/)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return subprocess.run(
        ["npm", "run", script, "--silent"],
        cwd=webapp.WEB,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize("script", ["lint", "test"])
def test_web_npm_script_passes(script: str) -> None:
    proc = _npm(script)
    assert proc.returncode == 0, f"npm run {script}:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
