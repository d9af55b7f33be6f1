"""Party bodies: the HTTP ones (create, look up) and every WebSocket frame both ways.

Client frames are one JSON object each, told apart by ``type`` and validated here; a
frame that fails is refused with an ``error`` frame (code ``bad_message``) and dropped.
Times are server milliseconds since the Unix epoch (``*_ms``); positions are seconds.
Chat text follows the social rules (plain text, shown as text, never as HTML).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from kinema.catalog.models import Emoji
from kinema_api.social.schemas import PLAIN_TEXT_PATTERN

MAX_MEMBERS = 8
CHAT_MAX = 500
# A week: further than any video runs (as the social schemas bound positions).
MAX_POSITION_S = 7 * 24 * 3600.0
MIN_RATE, MAX_RATE = 0.25, 2.0

Control = Literal["everyone", "host"]
OnStall = Literal["wait", "catchup"]
PartyId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{8,32}$")]


class PartyCreate(BaseModel):
    video_id: uuid.UUID
    control: Control = Field("everyone", description="Who may play, pause, seek: all or the host")
    on_stall: OnStall = Field(
        "wait", description="When a member's player stalls: hold the group, or play on"
    )
    position_s: float = Field(0.0, ge=0, le=MAX_POSITION_S, description="Where the host is")
    playing: bool = Field(False, description="Whether the host's player is playing")


class Member(BaseModel):
    """One connection of a member (a profile may join from two tabs)."""

    conn_id: str
    profile_id: uuid.UUID
    name: str
    host: bool
    stalled: bool = False
    seen_ms: int


class PartyState(BaseModel):
    """The authoritative state. Playback moves when ``playing`` and not ``waiting``: the
    position is ``position_s`` at server time ``at_ms`` and advances at ``rate`` from
    then (before ``at_ms`` it holds: members start together at that instant)."""

    id: str
    video_id: uuid.UUID
    host_profile_id: uuid.UUID
    control: Control
    on_stall: OnStall
    playing: bool = False
    waiting: bool = False
    position_s: float = 0.0
    at_ms: int
    rate: float = 1.0
    version: int = 0
    members: list[Member] = Field(default_factory=list)


class PartyPublic(BaseModel):
    id: str
    video_id: uuid.UUID
    control: Control
    on_stall: OnStall
    host_name: str
    members: int = Field(description="Connected members (distinct profiles)")
    max_members: int = MAX_MEMBERS
    link: str = Field(description="The web app's path to join, e.g. /watch/<video>?party=<id>")


# --- client → server frames --------------------------------------------------------

_Frame = ConfigDict(extra="forbid")


class Ping(BaseModel):
    model_config = _Frame
    type: Literal["ping"]
    t0: float = Field(ge=0, description="The client's clock when sent (ms)")


class Play(BaseModel):
    model_config = _Frame
    type: Literal["play"]


class Pause(BaseModel):
    model_config = _Frame
    type: Literal["pause"]
    position_s: float | None = Field(None, ge=0, le=MAX_POSITION_S)


class Seek(BaseModel):
    model_config = _Frame
    type: Literal["seek"]
    position_s: float = Field(ge=0, le=MAX_POSITION_S)


class Rate(BaseModel):
    model_config = _Frame
    type: Literal["rate"]
    rate: float = Field(ge=MIN_RATE, le=MAX_RATE)


class Episode(BaseModel):
    model_config = _Frame
    type: Literal["episode"]
    video_id: uuid.UUID


class Stall(BaseModel):
    model_config = _Frame
    type: Literal["stall"]
    stalled: bool


class Settings(BaseModel):
    model_config = _Frame
    type: Literal["settings"]
    control: Control | None = None
    on_stall: OnStall | None = None


class Chat(BaseModel):
    model_config = _Frame
    type: Literal["chat"]
    text: Annotated[
        str,
        StringConstraints(strip_whitespace=True, max_length=CHAT_MAX, pattern=PLAIN_TEXT_PATTERN),
    ]


class React(BaseModel):
    model_config = _Frame
    type: Literal["react"]
    emoji: Emoji


Command = Play | Pause | Seek | Rate | Episode | Stall | Settings
ClientFrame = Annotated[
    Ping | Play | Pause | Seek | Rate | Episode | Stall | Settings | Chat | React,
    Field(discriminator="type"),
]
