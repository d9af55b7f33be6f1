"""Server-side apply of YAML documents against the test apiserver (what
``kubectl apply --server-side [--dry-run=server]`` does), without kubectl.

Each document's kind is resolved through API discovery, then sent as an
``application/apply-patch+yaml`` PATCH with ``fieldValidation=Strict``: unknown or
duplicate fields are errors, as they are for ``kubectl apply`` by default.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from tests.utils.kube_cluster import KubeCluster

FIELD_MANAGER = "kinema-tests"


@dataclass(frozen=True)
class ApplyResult:
    kind: str
    name: str
    status_code: int
    body: dict[str, Any]

    @property
    def ok(self) -> bool:
        return self.status_code < 300


def load_documents(paths: Iterable[Path]) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in paths:
        docs.extend(d for d in yaml.safe_load_all(path.read_text()) if isinstance(d, dict))
    return docs


class Applier:
    def __init__(self, kube: KubeCluster) -> None:
        self.kube = kube
        self.http = httpx.Client(base_url=kube.server, verify=kube.ssl_context(), timeout=30)
        self._resources: dict[tuple[str, str], tuple[str, bool]] = {}

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Applier:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _resource(self, api_version: str, kind: str) -> tuple[str, bool]:
        key = (api_version, kind)
        if key not in self._resources:
            prefix = "/api/v1" if api_version == "v1" else f"/apis/{api_version}"
            found = self.http.get(prefix)
            found.raise_for_status()
            for res in found.json()["resources"]:
                if "/" not in res["name"]:
                    self._resources[(api_version, res["kind"])] = (
                        f"{prefix}/{{ns}}{res['name']}",
                        bool(res["namespaced"]),
                    )
        if key not in self._resources:
            raise LookupError(f"the apiserver serves no {kind} in {api_version}")
        return self._resources[key]

    def apply(
        self, doc: dict[str, Any], *, namespace: str | None = None, dry_run: bool = False
    ) -> ApplyResult:
        template, namespaced = self._resource(doc["apiVersion"], doc["kind"])
        name = doc["metadata"]["name"]
        ns = doc["metadata"].get("namespace") or namespace
        if namespaced and not ns:
            raise ValueError(f"{doc['kind']} {name} needs a namespace")
        path = template.format(ns=f"namespaces/{ns}/" if namespaced else "") + f"/{name}"
        params = {"fieldManager": FIELD_MANAGER, "fieldValidation": "Strict", "force": "true"}
        if dry_run:
            params["dryRun"] = "All"
        response = self.http.patch(
            path,
            params=params,
            content=yaml.safe_dump(doc).encode(),
            headers={"Content-Type": "application/apply-patch+yaml"},
        )
        return ApplyResult(doc["kind"], name, response.status_code, response.json())
