"""Stripe webhook events as Stripe sends them: JSON bodies of the shapes Kinema reads,
signed with the real scheme (``Stripe-Signature: t=<unix>,v1=<HMAC-SHA256 hex of
"{t}.{body}" under the endpoint secret>``), so the API's verification runs for real.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from datetime import datetime
from typing import Any

WEBHOOK_SECRET = "whsec_kinema_tests_0123456789abcdef"

_seq = itertools.count(1)


def signature(body: bytes, secret: str = WEBHOOK_SECRET, *, at: int | None = None) -> str:
    t = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def unix(when: datetime) -> int:
    return int(when.timestamp())


def event(type_: str, obj: dict[str, Any], *, created: datetime, event_id: str | None = None
          ) -> bytes:  # fmt: skip
    body = {
        "id": event_id or f"evt_test_{next(_seq):06d}_{int(time.time() * 1000)}",
        "object": "event",
        "api_version": "2026-10-28.endive",
        "type": type_,
        "created": unix(created),
        "livemode": False,
        "data": {"object": obj},
    }
    return json.dumps(body).encode()


def subscription(
    sub_id: str,
    *,
    status: str,
    price_id: str,
    customer: str = "cus_test",
    period_end: datetime | None = None,
    cancel_at_period_end: bool = False,
    trial_end: datetime | None = None,
    ended_at: datetime | None = None,
    metadata: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A Subscription as the current API version shapes it (period end on its items)."""
    return {
        "id": sub_id,
        "object": "subscription",
        "customer": customer,
        "status": status,
        "cancel_at_period_end": cancel_at_period_end,
        "trial_end": unix(trial_end) if trial_end else None,
        "ended_at": unix(ended_at) if ended_at else None,
        "metadata": metadata or {},
        "items": {
            "object": "list",
            "data": [
                {
                    "id": f"si_{sub_id}",
                    "object": "subscription_item",
                    "price": {"id": price_id, "object": "price"},
                    "current_period_end": unix(period_end) if period_end else None,
                }
            ],
        },
    }


def checkout_session(
    *, user_id: str, plan: str, sub_id: str, customer: str = "cus_test", paid: bool = True
) -> dict[str, Any]:
    return {
        "id": f"cs_test_{sub_id}",
        "object": "checkout.session",
        "mode": "subscription",
        "status": "complete",
        "payment_status": "paid" if paid else "no_payment_required",
        "client_reference_id": user_id,
        "customer": customer,
        "subscription": sub_id,
        "metadata": {"kinema_user_id": user_id, "kinema_plan_slug": plan},
    }


def invoice(sub_id: str, *, customer: str = "cus_test", period_end: datetime | None = None
            ) -> dict[str, Any]:  # fmt: skip
    lines = [{"period": {"end": unix(period_end), "start": 0}}] if period_end else []
    return {
        "id": f"in_{sub_id}_{next(_seq)}",
        "object": "invoice",
        "customer": customer,
        "parent": {
            "type": "subscription_details",
            "subscription_details": {"subscription": sub_id, "metadata": {}},
        },
        "lines": {"object": "list", "data": lines},
    }
