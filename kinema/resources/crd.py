"""Generate ``apiextensions.k8s.io/v1`` CustomResourceDefinitions from the models.

Pydantic writes JSON Schema (draft 2020-12); Kubernetes wants a *structural* OpenAPI
v3 schema. :func:`structural` bridges the two, purely: ``$ref`` inlined, ``Optional``
unwrapped (nulls are pruned by the apiserver), ``const`` as a one-value enum, numeric
``exclusiveMinimum`` as the OpenAPI 3.0 boolean form, and keywords Kubernetes refuses
(``title``, ``additionalProperties: false``, ``readOnly``, null defaults) dropped.
Validation the schema language cannot say is written as CEL rules on the models
(``x-kubernetes-validations``) and checked again by the models in the operator.

``kinema crds`` writes :func:`render_all` into ``crds/``; a test fails when the files
drift from the models.
"""

from __future__ import annotations

import json
from typing import Any, Literal

import yaml
from pydantic import BaseModel

from kinema.resources.common import CATEGORY, GROUP, VERSION
from kinema.resources.kinds import KINDS, ResourceKind

HEADER = "# Generated from kinema.resources by `kinema crds`: do not edit by hand.\n"
_DROP = {"title", "readOnly", "examples", "$defs", "discriminator"}

SchemaMode = Literal["validation", "serialization"]


class SchemaError(ValueError):
    """A model uses a JSON Schema construct that has no structural equivalent."""


def _resolve(ref: str, defs: dict[str, Any]) -> dict[str, Any]:
    name = ref.rsplit("/", 1)[-1]
    if name not in defs:
        raise SchemaError(f"unresolved $ref {ref}")
    target: dict[str, Any] = defs[name]
    return target


def structural(node: Any, defs: dict[str, Any], path: str = "") -> Any:
    """One JSON Schema node as a structural Kubernetes schema node."""
    if isinstance(node, list):
        return [structural(item, defs, path) for item in node]
    if not isinstance(node, dict):
        return node
    node = dict(node)
    if "$ref" in node:
        # Sibling keywords (a field's description, default) override the definition's.
        base = dict(_resolve(node.pop("$ref"), defs))
        base.update(node)
        node = base
    if "anyOf" in node:
        options = [o for o in node.pop("anyOf") if o != {"type": "null"}]
        if len(options) != 1:
            raise SchemaError(
                f"{path or '<root>'}: unions other than Optional[X] are not structural"
            )
        inner = dict(options[0])
        if "$ref" in inner:
            inner = {**_resolve(inner.pop("$ref"), defs), **inner}
        inner.update(node)
        node = inner
    if "allOf" in node:
        parts = node.pop("allOf")
        if len(parts) != 1:
            raise SchemaError(f"{path}: allOf is not supported")
        node = {**structural(parts[0], defs, path), **node}
    if "const" in node:
        node["enum"] = [node.pop("const")]
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROP:
            continue
        if key == "default" and value is None:
            continue
        if key == "additionalProperties" and isinstance(value, bool):
            continue
        if key == "exclusiveMinimum" and not isinstance(value, bool):
            out["minimum"], out["exclusiveMinimum"] = value, True
            continue
        if key == "exclusiveMaximum" and not isinstance(value, bool):
            out["maximum"], out["exclusiveMaximum"] = value, True
            continue
        if key == "properties":
            out[key] = {k: structural(v, defs, f"{path}.{k}") for k, v in value.items()}
            continue
        if key in ("items", "additionalProperties"):
            out[key] = structural(value, defs, f"{path}[]")
            continue
        out[key] = value.replace("``", "") if key == "description" else value
    if "enum" in out and "type" not in out:
        kinds = {type(v) for v in out["enum"]}
        out["type"] = "string" if kinds == {str} else "integer" if kinds == {int} else "number"
    if "properties" in out and "type" not in out:
        out["type"] = "object"
    # Keywords sorted for stable, readable files; property order stays the model's.
    return dict(sorted(out.items()))


def apply_patch(schema: dict[str, Any], path: str, extra: dict[str, Any]) -> None:
    """Merge ``extra`` into the node at ``path`` ("spec.rungs[]", "spec.limits{}")."""
    node = schema
    for part in path.split("."):
        name = part.rstrip("[]{}")
        suffix = part[len(name) :]
        try:
            node = node["properties"][name]
            for mark in (suffix[i : i + 2] for i in range(0, len(suffix), 2)):
                node = node["items" if mark == "[]" else "additionalProperties"]
        except KeyError as exc:
            raise SchemaError(f"schema patch path {path!r} does not exist") from exc
    for key, value in extra.items():
        if isinstance(value, list) and isinstance(node.get(key), list):
            node[key] = [*node[key], *value]
        else:
            node[key] = value


def model_schema(model: type[BaseModel], mode: SchemaMode = "validation") -> dict[str, Any]:
    """A model's structural schema (aliases as property names)."""
    raw = model.model_json_schema(by_alias=True, mode=mode)
    defs = raw.get("$defs", {})
    result: dict[str, Any] = structural(raw, defs, model.__name__)
    return result


def _columns(kind: ResourceKind) -> list[dict[str, Any]]:
    columns = []
    for col in kind.columns:
        entry: dict[str, Any] = {"name": col.name, "type": col.type, "jsonPath": col.json_path}
        if col.description:
            entry["description"] = col.description
        if col.priority:
            entry["priority"] = col.priority
        columns.append(entry)
    return columns


def crd_for(kind: ResourceKind) -> dict[str, Any]:
    """The CustomResourceDefinition of one kind, as a plain mapping."""
    spec = model_schema(kind.spec, "validation")
    # Status is written by the operator; its schema is the shape it serializes.
    status = model_schema(kind.status, "serialization")
    status.pop("required", None)
    schema: dict[str, Any] = {
        "type": "object",
        "description": kind.description,
        "required": ["spec"],
        "properties": {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "metadata": {"type": "object"},
            "spec": spec,
            "status": status,
        },
    }
    for path, extra in kind.patches:
        apply_patch(schema, path, extra)
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {
            "name": kind.crd_name,
            "labels": {"app.kubernetes.io/part-of": "kinema"},
        },
        "spec": {
            "group": GROUP,
            "scope": "Namespaced",
            "names": {
                "kind": kind.kind,
                "listKind": f"{kind.kind}List",
                "plural": kind.plural,
                "singular": kind.singular,
                "shortNames": list(kind.short_names),
                "categories": [CATEGORY],
            },
            "versions": [
                {
                    "name": VERSION,
                    "served": True,
                    "storage": True,
                    "subresources": {"status": {}},
                    "additionalPrinterColumns": _columns(kind),
                    "schema": {"openAPIV3Schema": schema},
                }
            ],
        },
    }


class _Dumper(yaml.SafeDumper):
    """Block style, keys in insertion order, long strings unwrapped."""


def _str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


_Dumper.add_representer(str, _str)


def to_yaml(document: dict[str, Any]) -> str:
    # A JSON round trip turns tuples and enums into plain values first.
    plain = json.loads(json.dumps(document))
    text: str = yaml.dump(plain, Dumper=_Dumper, sort_keys=False, width=1000)
    return text


def file_name(kind: ResourceKind) -> str:
    return f"{GROUP}_{kind.plural}.yaml"


def render_all() -> dict[str, str]:
    """File name -> YAML text for every kind (what ``crds/`` must contain)."""
    return {file_name(k): HEADER + to_yaml(crd_for(k)) for k in KINDS}
