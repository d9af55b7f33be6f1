"""Billing that both ways of running Kinema share: plans mirrored into Stripe
(:mod:`.stripe_plans`), by the operator in a cluster and by ``kinema up`` on one machine."""
