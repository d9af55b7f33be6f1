"""A memory of the Products and Prices made through stripe-mock, laid over its answers.

stripe-mock validates every request against Stripe's API definition but keeps no state:
a retrieve answers a fixture object (a Price of other terms, a Product without our
metadata), so "a second start finds its Price and reuses it" could never be seen. A
recording proxy in front of stripe-mock hands each exchange to :meth:`StripeMemory.answer`,
which remembers what a create or update asked for and puts those fields back into later
answers about the same id, the way Stripe itself would. Only Products and Prices made
through the proxy are touched; every other answer is stripe-mock's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_OBJECT = re.compile(r"^/v1/(products|prices)(?:/([A-Za-z0-9_]+))?$")


def _metadata(form: dict[str, str]) -> dict[str, str]:
    found = {}
    for key, value in form.items():
        if key.startswith("metadata[") and key.endswith("]"):
            found[key[len("metadata[") : -1]] = value
    return found


def _fields(kind: str, form: dict[str, str]) -> dict[str, Any]:
    """The fields of a create or update that Stripe would echo back later."""
    out: dict[str, Any] = {}
    if "active" in form:
        out["active"] = form["active"] == "true"
    if metadata := _metadata(form):
        out["metadata"] = metadata
    if kind == "products":
        for name in ("name", "description", "default_price"):
            if name in form:
                out[name] = form[name] or None
    else:
        if "product" in form:
            out["product"] = form["product"]
        if "currency" in form:
            out["currency"] = form["currency"]
        if "unit_amount" in form:
            out["unit_amount"] = int(form["unit_amount"])
        if "recurring[interval]" in form:
            out["recurring"] = {"interval": form["recurring[interval]"], "interval_count": 1}
    return out


@dataclass
class StripeMemory:
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> fields

    def answer(self, method: str, path: str, form: dict[str, str], status: int, body: Any) -> Any:
        """stripe-mock's answer ``body``, with what was made through here put back."""
        matched = _OBJECT.match(path)
        if matched is None or status != 200 or not isinstance(body, dict):
            return body
        kind, object_id = matched.groups()
        if method == "POST" and object_id is None:  # a create: stripe-mock made up the id
            self.objects[str(body["id"])] = {"active": True, **_fields(kind, form)}
        elif method == "POST" and object_id in self.objects:
            known = self.objects[object_id]
            fields = _fields(kind, form)
            if "metadata" in fields:
                fields["metadata"] = known.get("metadata", {}) | fields["metadata"]
            known.update(fields)
        return self._recall(body)

    def _recall(self, body: dict[str, Any]) -> dict[str, Any]:
        if body.get("object") == "list" or body.get("object") == "search_result":
            return body | {"data": [self._recall(item) for item in body.get("data") or []]}
        known = self.objects.get(str(body.get("id")))
        return body if known is None else body | known
