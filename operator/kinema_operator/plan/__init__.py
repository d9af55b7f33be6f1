"""The Plan kind: subscription plans into the catalog's plans table and, when a key is
configured, into Stripe Products and Prices.

:mod:`.catalog` maps a Plan to its catalog row and status (pure, plus the retirement of
a deleted Plan); :mod:`.stripe` is the one door to Stripe.
"""
