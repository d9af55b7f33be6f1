"""Billing: Stripe Checkout, the Billing Portal, invoices, webhooks, and the admin's view
of subscribers and plans.

Stripe decides nothing about what a viewer may do: its webhooks only change the
subscription state (status, period end, trial end, failed payments) that
:func:`kinema.entitlements.entitlements` reads. Without ``KINEMA_STRIPE_API_KEY`` billing
is off and only an admin sets a user's plan. See docs/billing.md.
"""
