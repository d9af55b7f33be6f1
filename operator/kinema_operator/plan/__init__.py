"""The Plan kind: subscription plans into the catalog's plans table and, when a key is
configured, into Stripe Products and Prices.

:mod:`.catalog` maps a Plan to its catalog row and status (pure, plus the retirement of
a deleted Plan); :mod:`.stripe` hands a Plan to the core's door to Stripe
(:mod:`kinema.billing.stripe_plans`, which ``kinema up`` uses too).
"""
