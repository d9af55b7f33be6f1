"""Billing's errors, each with the code the web app branches on.

ApiError (kinema_api.errors)
├── BadRequest
│   ├── FreePlan            400 free_plan         Checkout for the free plan
│   └── BadSignature        400 bad_signature     a webhook Stripe did not sign
├── ConflictError
│   ├── BillingOff          409 billing_off       no KINEMA_STRIPE_API_KEY
│   ├── BillingOn           409 billing_on        an admin set a plan Stripe bills
│   ├── PlanNotSynced       409 plan_not_synced   the plan has no Stripe Price yet
│   ├── AlreadySubscribed   409 already_subscribed
│   ├── NoSubscription      409 no_subscription   nothing for Stripe to cancel
│   └── PublicUrlUnset      409 public_url_unset  Checkout needs a URL to return to
└── StripeFailed            502 stripe_error      Stripe refused or could not be reached
"""

from __future__ import annotations

from kinema_api.errors import ApiError, BadRequest, ConflictError


class FreePlan(BadRequest):
    code = "free_plan"


class BadSignature(BadRequest):
    code = "bad_signature"


class BillingOff(ConflictError):
    code = "billing_off"


class BillingOn(ConflictError):
    code = "billing_on"


class PlanNotSynced(ConflictError):
    code = "plan_not_synced"


class AlreadySubscribed(ConflictError):
    code = "already_subscribed"


class NoSubscription(ConflictError):
    code = "no_subscription"


class PublicUrlUnset(ConflictError):
    code = "public_url_unset"


class StripeFailed(ApiError):
    status_code, code = 502, "stripe_error"
