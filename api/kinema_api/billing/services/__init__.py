"""Billing services: the one door to Stripe, the subscription lifecycle (pure), webhook
handling, the viewer's billing actions and the admin's."""
