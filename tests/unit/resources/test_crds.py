"""CRD generation: the files in crds/ match the models, and the schema conversion
turns pydantic's JSON Schema into structural Kubernetes schemas."""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args

import pytest
import yaml
from pydantic import BaseModel, Field, ValidationError

from kinema.catalog.models import Maturity
from kinema.resources.crd import SchemaError, apply_patch, crd_for, model_schema, render_all
from kinema.resources.kinds import KINDS, LADDER, VIDEO
from kinema.resources.ladder import load_ladder
from kinema.resources.video import MaturityRating, VideoSpec
from kinema_operator.cli import write_crds

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("folder", ["crds", "charts/kinema/files/crds"])
def test_crd_files_match_the_models(folder: str) -> None:
    drift = write_crds(REPO / folder, check=True)
    assert drift == [], f"{folder} drifted from the models: {drift}; run `kinema crds`"


def test_write_crds_reports_and_fixes_drift(tmp_path: Path) -> None:
    assert sorted(write_crds(tmp_path)) == sorted(render_all())
    (tmp_path / "kinema.dev_videos.yaml").write_text("# edited by hand\n")
    (tmp_path / "kinema.dev_gadgets.yaml").write_text("stale\n")
    assert sorted(write_crds(tmp_path, check=True)) == [
        "kinema.dev_gadgets.yaml",
        "kinema.dev_videos.yaml",
    ]
    write_crds(tmp_path)
    assert write_crds(tmp_path, check=True) == []
    assert not (tmp_path / "kinema.dev_gadgets.yaml").exists()


@pytest.mark.parametrize("kind", KINDS, ids=[k.kind for k in KINDS])
def test_every_kind_has_status_subresource_columns_and_category(kind: Any) -> None:
    crd = crd_for(kind)
    version = crd["spec"]["versions"][0]
    assert version["subresources"] == {"status": {}}
    assert crd["spec"]["names"]["categories"] == ["kinema"]
    assert crd["spec"]["names"]["shortNames"]
    assert any(c["name"] == "Age" for c in version["additionalPrinterColumns"])
    schema = version["schema"]["openAPIV3Schema"]
    assert schema["required"] == ["spec"]
    _assert_structural(schema, "root")


def _assert_structural(node: Any, path: str) -> None:
    """No construct the apiserver refuses in a structural schema."""
    if isinstance(node, dict):
        for bad in ("$ref", "$defs", "anyOf", "allOf", "oneOf", "const", "title", "readOnly"):
            assert bad not in node, f"{bad} at {path}"
        assert not isinstance(node.get("additionalProperties"), bool), path
        if "properties" in node:
            assert node.get("type") == "object", path
        for key, value in node.items():
            if key == "properties":  # a map of field names, not keywords
                for name, prop in value.items():
                    _assert_structural(prop, f"{path}.{name}")
            else:
                _assert_structural(value, f"{path}.{key}")
    elif isinstance(node, list):
        for item in node:
            _assert_structural(item, path)


def test_video_columns_are_those_kubectl_users_expect() -> None:
    columns = crd_for(VIDEO)["spec"]["versions"][0]["additionalPrinterColumns"]
    assert [c["name"] for c in columns if "priority" not in c] == [
        "Ready",
        "Phase",
        "Progress",
        "Duration",
        "Age",
    ]


def test_maturity_ratings_match_the_catalog() -> None:
    assert list(get_args(MaturityRating)) == [m.value for m in Maturity]


class _Inner(BaseModel):
    size: int = Field(gt=0, description="Bytes.")


class _Outer(BaseModel):
    inner: _Inner | None = None
    mode: str = Field(default="a", json_schema_extra={"const": "a"})
    ratio: float = Field(default=1.0, lt=2.0)


def test_structural_conversion() -> None:
    schema = model_schema(_Outer)
    inner = schema["properties"]["inner"]
    assert inner["type"] == "object"
    assert inner["properties"]["size"] == {
        "description": "Bytes.",
        "exclusiveMinimum": True,
        "minimum": 0,
        "type": "integer",
    }
    assert schema["properties"]["mode"]["enum"] == ["a"]
    assert schema["properties"]["ratio"]["exclusiveMaximum"] is True
    assert "title" not in schema


def test_unions_are_refused() -> None:
    class Bad(BaseModel):
        value: int | str

    with pytest.raises(SchemaError, match="unions"):
        model_schema(Bad)


def test_patches_reach_nested_items_and_maps() -> None:
    crd = crd_for(LADDER)
    spec = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    rung = spec["properties"]["rungs"]["items"]
    assert any("height % 2" in r["rule"] for r in rung["x-kubernetes-validations"])
    limits = spec["properties"]["scheduling"]["properties"]["resources"]["properties"]["limits"]
    assert limits["additionalProperties"]["pattern"].startswith("^[0-9]+")
    with pytest.raises(SchemaError, match="does not exist"):
        apply_patch({"properties": {}}, "spec.nothing", {})


def test_builtin_default_ladder_is_a_valid_ladder_resource() -> None:
    text = (REPO / "kinema" / "ladders" / "default.yaml").read_text()
    doc = yaml.safe_load(text)
    assert doc["kind"] == "Ladder"
    assert load_ladder("default").rungs


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"type": "episode"}, "an episode needs spec.episode"),
        ({"episode": {"series": "S", "season": 1, "number": 1}}, "only for type: episode"),
        ({"source": "ftp://x/y"}, "source"),
        ({"subtitles": [{"language": "en", "source": "s3://b-1/a.srt"}] * 2}, "one subtitle"),
        ({"genres": [""]}, "genres"),
    ],
)
def test_video_spec_model_refuses_what_the_crd_refuses(
    change: dict[str, Any], message: str
) -> None:
    base = {"source": "s3://media-bucket/raw/a.mov", "title": "A"}
    with pytest.raises(ValidationError, match=message):
        VideoSpec.model_validate({**base, **change})


def test_video_spec_accepts_the_examples() -> None:
    for path in sorted((REPO / "examples").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc["kind"] == "Video":
                VideoSpec.model_validate(doc["spec"])
