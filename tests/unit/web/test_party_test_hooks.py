"""The browser tests' probe (``window.__kinemaParty``) never reaches a real viewer.

The browser tests build the web app with ``VITE_KINEMA_TEST_HOOKS=1`` and stamp the
build (``tests/e2e/web/webapp.py``). Two things keep the probe out of what viewers get,
both checked here without building the web app (CI builds it once, with the hooks):

- in the source, every use of the probe sits behind ``TEST_HOOKS``, a constant the build
  replaces, so a production build's minifier drops them all (a production build was
  checked by hand this way: no ``__kinemaParty`` in its JS);
- ``scripts/up`` rebuilds a stamped build, and refuses to serve a build whose JS still
  names the probe. It runs here in a throwaway tree, with ``npm`` and ``kinema`` stubbed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.web.webapp import TEST_HOOKS_STAMP
from tests.utils.helm import REPO_ROOT

WEB_SRC = REPO_ROOT / "web" / "src"
PROBE = "__kinemaParty"
# A statement that runs only in a test build: `if (TEST_HOOKS) …` or `if (TEST_HOOKS && …`.
GUARDED = re.compile(r"^\s*if \(TEST_HOOKS(\)| &&)")


def _code_lines(path: Path) -> list[str]:
    """Lines that are code: comments and type declarations never reach the bundle."""
    text = re.sub(r"/\*.*?\*/", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)
    return [
        line
        for line in text.splitlines()
        if not line.lstrip().startswith(("//", "type ", "export type ", "interface "))
    ]


def test_every_use_of_the_probe_is_behind_the_build_time_guard() -> None:
    sources = [
        p for p in WEB_SRC.rglob("*.ts*") if ".test." not in p.name and not p.name.endswith(".d.ts")
    ]
    uses = [(p, line) for p in sources for line in _code_lines(p) if PROBE in line]
    assert uses, "the probe moved: update this test"
    unguarded = [
        f"{p.relative_to(REPO_ROOT)}: {line.strip()}" for p, line in uses if not GUARDED.match(line)
    ]
    assert unguarded == []
    hooks = WEB_SRC / "components" / "Party" / "usePartySync.ts"
    definitions = [line for line in _code_lines(hooks) if re.search(r"\bTEST_HOOKS\s*=", line)]
    # A comparison on the env variable Vite inlines: constant in every build.
    assert [d.strip() for d in definitions] == [
        'export const TEST_HOOKS = import.meta.env.VITE_KINEMA_TEST_HOOKS === "1";'
    ]


NPM = """#!/usr/bin/env bash
# A stand-in for `npm run build`: records the call and writes a build, with the probe
# when asked to (FAKE_BUILD_PROBE) or when the test hooks are on.
echo "build hooks=${VITE_KINEMA_TEST_HOOKS:-}" >> "$FAKE_LOG"
rm -rf dist && mkdir -p dist/assets
echo '<!doctype html>' > dist/index.html
if [ -n "${FAKE_BUILD_PROBE:-}" ] || [ "${VITE_KINEMA_TEST_HOOKS:-}" = 1 ]; then
  echo 'window.__kinemaParty={}' > dist/assets/app.js
else
  echo 'console.log(1)' > dist/assets/app.js
fi
echo '{"sourcesContent":["window.__kinemaParty"]}' > dist/assets/app.js.map
"""


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A checkout with scripts/up and stand-ins for what it runs, and a web app built
    for the browser tests."""
    (tmp_path / "scripts").mkdir()
    shutil.copy2(REPO_ROOT / "scripts" / "up", tmp_path / "scripts" / "up")
    (tmp_path / "scripts" / "bootstrap").write_text("exit 0\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "npm").write_text(NPM)
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "kinema").write_text('#!/bin/sh\necho "kinema $*"\n')
    for exe in (bin_dir / "npm", tmp_path / ".venv" / "bin" / "kinema"):
        exe.chmod(0o755)
    web = tmp_path / "web"
    (web / "src").mkdir(parents=True)
    for source in (web / "src" / "main.tsx", web / "index.html", web / "package-lock.json"):
        source.write_text("x")
        os.utime(source, (1_000_000, 1_000_000))
    _up(tmp_path, VITE_KINEMA_TEST_HOOKS="1")  # as ensure_web_build does, then stamps it
    (tmp_path / TEST_HOOKS_STAMP.relative_to(REPO_ROOT)).write_text("test hooks\n")
    (tmp_path / "log").unlink()
    return tmp_path


def _up(root: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(root / "scripts" / "up"), "--port", "9"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={
            "PATH": f"{root / 'bin'}:{os.environ['PATH']}",
            "HOME": str(root),
            "FAKE_LOG": str(root / "log"),
            **env,
        },
    )


def test_up_rebuilds_a_build_made_for_the_browser_tests(tree: Path) -> None:
    stamp = tree / TEST_HOOKS_STAMP.relative_to(REPO_ROOT)
    # Even with the variable left over in the shell, the build it makes is a production one.
    ran = _up(tree, VITE_KINEMA_TEST_HOOKS="1")
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "kinema up --port 9"
    assert (tree / "log").read_text() == "build hooks=\n"
    assert not stamp.exists()
    assert "__kinemaParty" not in (tree / "web" / "dist" / "assets" / "app.js").read_text()
    # That build is fresh and production: the next start reuses it.
    assert _up(tree).returncode == 0
    assert (tree / "log").read_text() == "build hooks=\n"


def test_up_refuses_a_build_whose_js_still_names_the_probe(tree: Path) -> None:
    ran = _up(tree, FAKE_BUILD_PROBE="1")
    assert ran.returncode == 1
    assert "__kinemaParty" in ran.stderr and "kinema up" not in ran.stdout
