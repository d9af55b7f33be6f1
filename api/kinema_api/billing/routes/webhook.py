"""Stripe's webhook endpoint: no session or token, the signature is the authentication."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request

from kinema_api.billing.schemas import WebhookAck
from kinema_api.billing.services import webhooks
from kinema_api.common import ERRORS
from kinema_api.deps import ContextDep, SessionDep

router = APIRouter(prefix="/billing", tags=["billing"], responses=ERRORS)


async def raw_body(request: Request) -> bytes:
    """The body exactly as sent: the signature covers its bytes, not a re-encoding."""
    return await request.body()


@router.post("/webhook", summary="Stripe webhook events (signed with the endpoint's secret)")
def webhook(
    payload: Annotated[bytes, Depends(raw_body)],
    ctx: ContextDep,
    session: SessionDep,
    stripe_signature: Annotated[str | None, Header()] = None,
) -> WebhookAck:
    """400 ``bad_signature`` for a missing, wrong or older than five minutes
    ``Stripe-Signature``, and nothing changes; a redelivered event is acknowledged as
    ``duplicate`` and changes nothing either."""
    outcome = webhooks.receive(ctx, session, payload=payload, signature=stripe_signature)
    return WebhookAck(outcome=outcome)
