"""Argo CD health checks for the Kinema kinds, run as Argo CD runs them.

Argo CD evaluates ``resource.customizations.health.<group>_<Kind>`` scripts with
gopher-lua, a Lua 5.1, with ``obj`` set to the live object and no ``os``/``io``. Here
the same scripts run in Lua 5.1 (lupa) with the same global and the same libraries
missing, over the cases in ``health_test.yaml`` (Argo CD's own test-file shape).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.utils.helm import CHART_DIR

lua51 = pytest.importorskip("lupa.lua51")

HEALTH = CHART_DIR / "argocd" / "health"
KINDS = ("Video", "Rendition", "Ladder", "Plan", "Distribution")
CASES: list[dict[str, Any]] = yaml.safe_load((HEALTH / "health_test.yaml").read_text())["tests"]
CM_PATCH = HEALTH / "argocd-cm-patch.yaml"


def evaluate(script: str, obj: dict[str, Any]) -> dict[str, str]:
    lua = lua51.LuaRuntime(unpack_returned_tuples=True)
    # What Argo CD's sandbox leaves out by default.
    lua.execute("os = nil; io = nil; require = nil; dofile = nil; loadfile = nil")
    lua.globals().obj = lua.table_from(obj, recursive=True)
    result = lua.execute(script)
    assert result is not None, "the script returned nothing"
    return {str(k): str(v) for k, v in result.items()}


@pytest.mark.parametrize("case", CASES, ids=[Path(c["inputPath"]).stem for c in CASES])
def test_health_case(case: dict[str, Any]) -> None:
    script = (HEALTH / case["script"]).read_text()
    obj = yaml.safe_load((HEALTH / case["inputPath"]).read_text())
    assert evaluate(script, obj) == case["healthStatus"]


def test_every_kind_has_a_script_and_a_healthy_and_a_not_healthy_case() -> None:
    for kind in KINDS:
        script = f"{kind.lower()}.lua"
        assert (HEALTH / script).is_file()
        statuses = {c["healthStatus"]["status"] for c in CASES if c["script"] == script}
        assert {"Healthy", "Progressing", "Degraded"} <= statuses, kind
    listed = {c["inputPath"] for c in CASES}
    on_disk = {f"testdata/{p.name}" for p in (HEALTH / "testdata").glob("*.yaml")}
    assert listed == on_disk


def cm_patch() -> str:
    """The argocd-cm data block the README tells users to merge, built from the scripts."""
    data = {
        f"resource.customizations.health.kinema.dev_{kind}": (
            HEALTH / f"{kind.lower()}.lua"
        ).read_text()
        for kind in KINDS
    }
    header = (
        "# Generated from charts/kinema/argocd/health/*.lua by\n"
        "# tests/unit/chart/test_argocd_health.py (KINEMA_REGENERATE=1 rewrites it).\n"
        "# Merge into Argo CD's argocd-cm ConfigMap, e.g.\n"
        "#   kubectl -n argocd patch configmap argocd-cm --patch-file argocd-cm-patch.yaml\n"
    )
    return header + yaml.dump({"data": data}, Dumper=_LiteralDumper, sort_keys=False)


class _LiteralDumper(yaml.SafeDumper):
    """Writes multi-line strings as ``|`` blocks, so the patch reads like the scripts."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_LiteralDumper.add_representer(str, _str)


def test_the_argocd_cm_patch_matches_the_scripts() -> None:
    expected = cm_patch()
    if os.environ.get("KINEMA_REGENERATE") == "1":
        CM_PATCH.write_text(expected)
    assert CM_PATCH.read_text() == expected, "run with KINEMA_REGENERATE=1 to refresh it"
    # And what Argo CD would read back from it is the scripts, byte for byte.
    data = yaml.safe_load(CM_PATCH.read_text())["data"]
    assert (
        data["resource.customizations.health.kinema.dev_Video"]
        == (HEALTH / "video.lua").read_text()
    )
