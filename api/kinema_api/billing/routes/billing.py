"""The viewer's billing: the account page's data, Checkout, the Billing Portal,
cancelling at the period's end, and invoices. There is no other way to a paid plan."""

from __future__ import annotations

from fastapi import APIRouter

from kinema_api.billing.schemas import (
    BillingPublic,
    CheckoutCreate,
    InvoicePublic,
    RedirectPublic,
)
from kinema_api.billing.services import account as billing_service
from kinema_api.common import ERRORS, ErrorPublic
from kinema_api.deps import ContextDep, CurrentViewer, ReadSessionDep, SessionDep, WriteRateLimit

# Stripe refused a request or could not be reached: its words, as 502 ``stripe_error``.
STRIPE_ERROR: dict[int | str, dict[str, object]] = {
    502: {"model": ErrorPublic, "description": "Stripe failed"}
}
router = APIRouter(prefix="/billing", tags=["billing"], responses={**ERRORS, **STRIPE_ERROR})


@router.get("", summary="Plan, subscription state and the plans on offer")
def billing(viewer: CurrentViewer, ctx: ContextDep, session: ReadSessionDep) -> BillingPublic:
    return billing_service.overview(session, settings=ctx.settings, account=viewer.account)


@router.post(
    "/checkout",
    summary="Start Stripe Checkout for a paid plan; answers the page to send the browser to",
    dependencies=[WriteRateLimit],
)
def checkout(
    body: CheckoutCreate, viewer: CurrentViewer, ctx: ContextDep, session: SessionDep
) -> RedirectPublic:
    """The plan changes only when Stripe's webhook reports the paid subscription.
    409 ``billing_off`` (no Stripe keys), ``plan_not_synced``, ``already_subscribed``;
    400 ``free_plan``; 404 for an unknown or retired plan; 403 on a kids profile."""
    url = billing_service.checkout(
        session, settings=ctx.settings, viewer=viewer, plan_slug=body.plan
    )
    return RedirectPublic(url=url)


@router.post(
    "/portal",
    summary="Open Stripe's Billing Portal (payment method, plan, invoices)",
    dependencies=[WriteRateLimit],
)
def portal(viewer: CurrentViewer, ctx: ContextDep, session: SessionDep) -> RedirectPublic:
    return RedirectPublic(url=billing_service.portal(session, settings=ctx.settings, viewer=viewer))


@router.post(
    "/cancel",
    summary="Downgrade to the free plan when the paid period ends",
    dependencies=[WriteRateLimit],
)
def cancel(viewer: CurrentViewer, ctx: ContextDep, session: SessionDep) -> BillingPublic:
    """The subscription stops renewing and keeps its plan until the period ends.
    409 ``billing_off``, or ``no_subscription`` when there is nothing to cancel."""
    return billing_service.cancel(ctx, session, viewer=viewer)


@router.get("/invoices", summary="The account's latest invoices, from Stripe")
def invoices(
    viewer: CurrentViewer, ctx: ContextDep, session: ReadSessionDep
) -> list[InvoicePublic]:
    """Empty when billing is off or the account never went to Checkout."""
    found = billing_service.invoices(session, settings=ctx.settings, viewer=viewer)
    return [
        InvoicePublic(
            id=i.id,
            number=i.number,
            status=i.status,
            amount_due=i.amount_due,
            amount_paid=i.amount_paid,
            currency=i.currency,
            created=i.created,
            hosted_invoice_url=i.hosted_invoice_url,
            invoice_pdf=i.invoice_pdf,
        )
        for i in found
    ]
