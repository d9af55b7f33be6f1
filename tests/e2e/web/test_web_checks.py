"""The web app's own checks, so the one test command runs them too: ESLint plus the
strict TypeScript build (`npm run lint`) and the unit tests of its pure modules
(`npm test`: Vitest on the thumbnails parser, QoE accounting, quality options, keyboard
shortcuts, stream-token renewal and translations), and a check that the typed API client
was regenerated after the last API change."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.e2e.web import webapp


def _need_node_modules() -> None:
    if not (webapp.WEB / "node_modules").is_dir():
        message = "web/node_modules is missing: run scripts/bootstrap (npm ci in web/)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)


def _npm(script: str) -> subprocess.CompletedProcess[str]:
    _need_node_modules()
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


def test_generated_api_schema_matches_the_api(tmp_path: Path) -> None:
    _need_node_modules()
    fresh = tmp_path / "schema.d.ts"
    proc = subprocess.run(
        ["bash", "scripts/gen-api.sh", str(fresh)],
        cwd=webapp.WEB,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    committed = webapp.WEB / "src" / "api" / "schema.d.ts"
    assert fresh.read_text() == committed.read_text(), (
        "web/src/api/schema.d.ts is stale: run `npm run gen-api` in web/ and commit it"
    )
