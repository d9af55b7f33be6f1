from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from kinema.catalog.models import Maturity, Role
from kinema.entitlements import Entitlements, Standing
from kinema_api.common import OrmModel

# Deliberately permissive (self-hosted installs use .local and intranet domains): one @,
# no spaces. The pattern is enforced as documented in the OpenAPI schema. The spaces are
# spelled out because ``\s`` differs between Python (which adds \x1c-\x1f and \x85) and
# the ECMA regexes JSON Schema uses (which add \ufeff): the union is refused by both.
_SPACE = r"\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
EMAIL_PATTERN = rf"^[^@{_SPACE}]+@[^@{_SPACE}]+$"


def _email(value: str) -> str:
    return value.lower()


Email = Annotated[
    str,
    StringConstraints(min_length=3, max_length=320, pattern=EMAIL_PATTERN),
    AfterValidator(_email),
]
Password = Annotated[str, StringConstraints(min_length=8, max_length=128)]
ProfileName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
# A client's stable id for one browser or app install: random, kept in local storage.
DeviceId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{16,64}$")]
# A device's name as a person gave it ("Living room TV"); blank means "name it for me".
DeviceName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)]


class DeviceFields(BaseModel):
    """What a client says about itself when it signs in."""

    device_id: DeviceId | None = Field(
        default=None,
        description="The client's stable id (16-64 of A-Z a-z 0-9 _ -). Signing in again "
        "with the same id signs that device's earlier session out.",
    )
    device_name: DeviceName | None = Field(
        default=None,
        description="A readable name; when null or blank, one is made from the User-Agent "
        '("Chrome on Linux").',
    )


class SignupCreate(DeviceFields):
    email: Email
    password: Password
    display_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)] = ""


class LoginRequest(DeviceFields):
    email: Email
    password: Annotated[str, StringConstraints(min_length=1, max_length=128)]


class PlanPublic(OrmModel):
    slug: str
    name: str
    price_cents: int
    currency: str
    interval: str
    max_height: int
    concurrent_streams: int
    max_profiles: int
    downloads: bool
    download_limit: int
    ads: bool
    trial_days: int


class EntitlementsPublic(BaseModel):
    """What the account may do now (:func:`kinema.entitlements.entitlements`)."""

    plan: str = Field(description="Slug of the plan whose entitlements apply now.")
    standing: Standing
    until: datetime | None = Field(
        description="When the standing changes by itself (trial end, renewal, end of grace)."
    )
    max_height: int
    devices: int = Field(description="Devices that may stream at once.")
    profiles: int
    downloads: bool
    download_limit: int = Field(
        description="Downloads the account may hold at once across its devices (0 without "
        "downloads)."
    )
    ads: bool

    @classmethod
    def of(cls, granted: Entitlements) -> EntitlementsPublic:
        return cls(
            plan=granted.plan.slug,
            standing=granted.standing,
            until=granted.until,
            max_height=granted.max_height,
            devices=granted.devices,
            profiles=granted.profiles,
            downloads=granted.downloads,
            download_limit=granted.download_limit,
            ads=granted.ads,
        )


class ProfilePublic(OrmModel):
    id: uuid.UUID
    name: str
    is_kids: bool
    max_maturity: Maturity
    avatar: str | None
    # Locked: choosing this profile asks for its PIN.
    has_pin: bool
    selectable: bool = Field(
        default=True,
        description="Whether the plan lets this profile be picked: the first "
        "`entitlements.profiles` profiles by creation date are; the rest (after a "
        "downgrade) stay readable, and picking one answers 403 `profile_over_plan`.",
    )


Pin = Annotated[str, StringConstraints(pattern=r"^[0-9]{4,6}$")]


class ProfileSelect(BaseModel):
    """The PIN of a locked profile; nothing for an unlocked one."""

    pin: Pin | None = None


class ProfilePinUpdate(BaseModel):
    """Set (4 to 6 digits) or remove (null) a profile's PIN; the account password proves
    that the account holder, not someone at an unlocked profile, is asking."""

    pin: Pin | None
    password: Annotated[str, StringConstraints(min_length=1, max_length=128)]


class ProfileCreate(BaseModel):
    name: ProfileName
    is_kids: bool = False
    max_maturity: Maturity | None = None
    avatar: Annotated[str, StringConstraints(max_length=255)] | None = None


class ProfileUpdate(BaseModel):
    name: ProfileName | None = None
    max_maturity: Maturity | None = None
    avatar: Annotated[str, StringConstraints(max_length=255)] | None = None


class UserPublic(BaseModel):
    id: uuid.UUID
    email: str
    display_name: str
    role: Role
    plan: PlanPublic
    entitlements: EntitlementsPublic
    profile: ProfilePublic


class TokenPublic(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_at: datetime
    user: UserPublic


class DeviceStreaming(BaseModel):
    """What a device is playing now."""

    video_id: uuid.UUID
    title: str | None = Field(
        description="The title playing; null when the current profile may not see it."
    )
    profile: str | None = Field(description="The profile watching; null when deleted.")
    since: datetime


class DevicePublic(BaseModel):
    """A device: one signed-in browser or app (a login session)."""

    id: uuid.UUID = Field(description="The device's login session id (not the client's id).")
    name: str
    user_agent: str
    created_at: datetime
    last_seen_at: datetime
    current: bool = Field(description="Whether this is the device asking.")
    streaming: DeviceStreaming | None


class DeviceUpdate(BaseModel):
    name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60, pattern=r"\S")
    ]


class SessionPublic(OrmModel):
    id: uuid.UUID
    kind: str
    device_name: str
    user_agent: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    current: bool = Field(default=False)
