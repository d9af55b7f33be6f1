"""The Plan resource: a subscription plan, synced to the catalog (and to Stripe)."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from kinema.resources.common import CONDITIONS_LIST, Condition, Model

KIND = "Plan"
PLURAL = "plans"

MaxResolution = Literal[480, 720, 1080, 1440, 2160]


class BillingInterval(StrEnum):
    MONTH = "month"
    YEAR = "year"


class Price(Model):
    amount: int = Field(ge=0, le=1_000_000, description="In the currency's minor unit (cents).")
    currency: str = Field(
        default="usd", pattern=r"^[a-z]{3}$", description="ISO 4217 code, lower case."
    )


class PlanSpec(Model):
    """``spec`` of a Plan."""

    display_name: str = Field(min_length=1, max_length=60, description="Shown to viewers.")
    description: str = Field(default="", max_length=1000)
    price: Price
    interval: BillingInterval = BillingInterval.MONTH
    max_resolution: MaxResolution = Field(description="Tallest rendition served, in pixels.")
    concurrent_streams: int = Field(ge=1, le=16, description="Streams playing at once.")
    profiles: int = Field(ge=1, le=10, description="Viewer profiles per account.")
    downloads: bool = Field(default=False, description="Offline downloads allowed.")
    download_limit: int = Field(
        default=25,
        ge=0,
        le=1000,
        description="Downloads an account may hold at once across its devices (with downloads).",
    )
    ads: bool = Field(default=False, description="Ad-supported.")
    default: bool = Field(default=False, description="The plan new accounts start on.")
    trial_days: int = Field(default=0, ge=0, le=90)


class PlanStatus(Model):
    observed_generation: int | None = Field(default=None, ge=0)
    stripe_product_id: str | None = None
    stripe_price_id: str | None = None
    conditions: list[Condition] = Field(default_factory=list, json_schema_extra=CONDITIONS_LIST)
