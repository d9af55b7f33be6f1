"""The chart's values: its schema refuses a bad values file, its templates refuse
inconsistent values with a clear message, and every value in values.yaml is commented,
used and in the schema. ``helm template`` only, no cluster."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.utils import helm

pytestmark = pytest.mark.usefixtures("helm_installed")
CHART = helm.CHART_DIR


# Schema -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "complaint"),
    [
        ({"operator": {"replcas": 2}}, "additional properties 'replcas' not allowed"),
        ({"s3": {"storageUrl": "http://bucket/media"}}, "/s3/storageUrl"),
        ({"operator": {"replicas": "two"}}, "/operator/replicas"),
        ({"postgres": {"url": "mysql://db/kinema"}}, "/postgres/url"),
        ({"image": {"pullPolicy": "Sometimes"}}, "/image/pullPolicy"),
        ({"operator": {"watchNamespaces": ["Media"]}}, "/operator/watchNamespaces/0"),
        ({"secretKey": {"value": "changeme"}}, "/secretKey/value"),
    ],
    ids=["typo", "storage-url", "replicas-type", "db-url", "pull-policy", "namespace", "secret"],
)
def test_schema_rejects_a_bad_values_file(
    values: dict[str, Any], complaint: str, tmp_path: Path
) -> None:
    bad = tmp_path / "bad-values.yaml"
    bad.write_text(yaml.safe_dump(values))
    result = helm.template(values_files=[bad])
    assert not result.ok
    assert "values don't meet the specifications of the schema" in result.stderr
    assert complaint in result.stderr


@pytest.mark.parametrize(
    ("values", "complaint"),
    [
        ({"cloudfront": {"enabled": True, "keyPairId": "K1"}}, "cloudfront.privateKey"),
        ({"s3": {"accessKeyId": "AKIA"}}, "s3.accessKeyId and s3.secretAccessKey go together"),
        (
            {
                "operator": {
                    "metrics": {"service": {"enabled": False}, "serviceMonitor": {"enabled": True}}
                }
            },
            "operator.metrics.service.enabled=true",
        ),
    ],
    ids=["cloudfront-key", "s3-half-keys", "monitor-without-service"],
)
def test_inconsistent_values_fail_with_a_clear_message(
    values: dict[str, Any], complaint: str, tmp_path: Path
) -> None:
    bad = tmp_path / "bad-values.yaml"
    bad.write_text(yaml.safe_dump(values))
    result = helm.template(values_files=[bad])
    assert not result.ok
    assert complaint in result.stderr


# values.yaml hygiene ------------------------------------------------------------------


def _leaves(node: Any, schema: dict[str, Any], path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Paths of the values a user sets one by one; free-form maps (resources...) are one."""
    if isinstance(node, dict) and "properties" in schema:
        return [
            leaf
            for key, child in node.items()
            for leaf in _leaves(child, schema["properties"].get(key, {}), (*path, key))
        ]
    return [path]


def _key_lines(lines: list[str]) -> dict[tuple[str, ...], int]:
    """Line index of each key of values.yaml, by its path (two-space indentation)."""
    found: dict[tuple[str, ...], int] = {}
    stack: list[str] = []
    for index, line in enumerate(lines):
        match = re.match(r"^( *)([A-Za-z][\w.-]*):", line)
        if not match:
            continue
        depth = len(match.group(1)) // 2
        stack = [*stack[:depth], match.group(2)]
        found.setdefault(tuple(stack), index)
    return found


def test_every_value_is_commented_used_and_in_the_schema() -> None:
    text = (CHART / "values.yaml").read_text()
    values = yaml.safe_load(text)
    templates = "\n".join(p.read_text() for p in (CHART / "templates").iterdir())
    schema = json.loads((CHART / "values.schema.json").read_text())
    lines = text.splitlines()
    key_lines = _key_lines(lines)
    for leaf in _leaves(values, schema):
        dotted = ".".join(leaf)
        # Declared in the schema (which refuses keys it does not know).
        node = schema
        for key in leaf:
            assert key in node.get("properties", {}), f"{dotted} missing from values.schema.json"
            node = node["properties"][key]
        # Used: a template reads it, or reads an object holding it whole.
        assert any(
            re.search(rf"\.Values\.{re.escape('.'.join(leaf[:n]))}\b", templates)
            for n in range(len(leaf), 0, -1)
        ), f"values.yaml {dotted} is read by no template"
        # Commented: the line before the key is a comment.
        index = key_lines[leaf]
        assert lines[index - 1].strip().startswith("#"), f"values.yaml {dotted} has no comment"
