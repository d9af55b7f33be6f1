"""The chart's CRDs: rendered under ``crds.enabled`` with Helm's keep policy, and the
same files as the ones generated from the models. ``helm template`` only, no cluster."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.utils import helm
from tests.utils.helm import KEEP

pytestmark = pytest.mark.usefixtures("helm_installed")
CHART = helm.CHART_DIR


def _chart_with_crd(tmp_path: Path) -> Path:
    """A copy of the chart with one stand-in CRD file, so the glob is tested on its own."""
    chart = tmp_path / "kinema"
    shutil.copytree(CHART, chart)
    crd_dir = chart / "files" / "crds"
    shutil.rmtree(crd_dir, ignore_errors=True)
    crd_dir.mkdir(parents=True)
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.kinema.dev", "annotations": {"example/kept": "yes"}},
        "spec": {
            "group": "kinema.dev",
            "scope": "Namespaced",
            "names": {"kind": "Widget", "plural": "widgets"},
            "versions": [
                {
                    "name": "v1alpha1",
                    "served": True,
                    "storage": True,
                    "schema": {"openAPIV3Schema": {"type": "object"}},
                }
            ],
        },
    }
    (crd_dir / "widgets.kinema.dev.yaml").write_text(yaml.safe_dump(crd))
    return chart


def test_crds_render_under_the_flag_with_the_keep_policy(tmp_path: Path) -> None:
    chart = _chart_with_crd(tmp_path)
    crd = helm.find(helm.render(chart=chart), "CustomResourceDefinition", "widgets.kinema.dev")
    assert crd["metadata"]["annotations"] == {"example/kept": "yes", KEEP: "keep"}
    assert crd["metadata"]["labels"]["app.kubernetes.io/part-of"] == "kinema"
    assert crd["spec"]["names"]["kind"] == "Widget"

    unkept = helm.render(chart=chart, set_values={"crds.keep": "false"})
    assert KEEP not in helm.find(unkept, "CustomResourceDefinition")["metadata"]["annotations"]
    off = helm.render(chart=chart, set_values={"crds.enabled": "false"})
    assert not any(o["kind"] == "CustomResourceDefinition" for o in off)


def test_every_kinema_crd_of_the_chart_is_rendered_and_kept() -> None:
    files = sorted((CHART / "files" / "crds").glob("*.yaml"))
    if not files:
        pytest.skip("charts/kinema/files/crds/ is not generated yet")
    names = {yaml.safe_load(f.read_text())["metadata"]["name"] for f in files}
    rendered = {
        o["metadata"]["name"]: o for o in helm.render() if o["kind"] == "CustomResourceDefinition"
    }
    assert set(rendered) == names
    assert all(o["metadata"]["annotations"][KEEP] == "keep" for o in rendered.values())


def test_the_charts_crds_are_the_generated_ones() -> None:
    """files/crds/ is a copy of crds/ (generated from the models): the two never drift."""
    generated = {p.name: p.read_text() for p in (helm.REPO_ROOT / "crds").glob("*.yaml")}
    shipped = {p.name: p.read_text() for p in (CHART / "files" / "crds").glob("*.yaml")}
    if not shipped:
        pytest.skip("charts/kinema/files/crds/ is not generated yet")
    assert shipped == generated, "regenerate charts/kinema/files/crds/ from the models"
