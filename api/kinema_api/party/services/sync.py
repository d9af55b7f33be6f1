"""The party state machine: pure functions from a state, a command and the server's time
to the next state. No I/O: the store applies these atomically and fans the result out.

Timing model (after Jellyfin's SyncPlay, without its code): the state says "position
``position_s`` at server time ``at_ms``, moving at ``rate`` when playing". A play or a
seek during playback is scheduled ``LEAD_MS`` ahead, so every member, whatever its
latency, has the instruction before the instant it names and starts at the same time.
A pause or a rate change takes effect at once, at the position the group has then
reached; members a little late correct by themselves (the client's drift correction).

Stalls: a member reports its player stalled. With ``on_stall="wait"`` the group holds
(``waiting``) at the position reached until no member is stalled, then starts again
``LEAD_MS`` ahead; with ``"catchup"`` the group plays on and the stalled member catches up.
"""

from __future__ import annotations

import uuid
from typing import Literal

from kinema_api.errors import ConflictError, Forbidden
from kinema_api.party.schemas import (
    MAX_MEMBERS,
    Command,
    Episode,
    Member,
    PartyState,
    Pause,
    Play,
    Rate,
    Seek,
    Settings,
    Stall,
)

LEAD_MS = 400
# A connection not heard of for this long (its API process died) is no longer a member.
STALE_MS = 90_000


class NoControl(Forbidden):
    """A member without control (the host allows only themself) sent a command."""

    code = "no_control"


class NotHost(Forbidden):
    code = "not_host"


class PartyFull(ConflictError):
    code = "party_full"


def moving(state: PartyState) -> bool:
    return state.playing and not state.waiting


def position_at(state: PartyState, now_ms: int) -> float:
    """Where the group is at server time ``now_ms``."""
    if not moving(state) or now_ms <= state.at_ms:
        return state.position_s
    return state.position_s + (now_ms - state.at_ms) / 1000.0 * state.rate


def profiles(state: PartyState) -> set[uuid.UUID]:
    return {m.profile_id for m in state.members}


def may_control(state: PartyState, profile_id: uuid.UUID) -> bool:
    return state.control == "everyone" or profile_id == state.host_profile_id


def _bump(state: PartyState, **changes: object) -> PartyState:
    return state.model_copy(update={**changes, "version": state.version + 1})


def _rewait(state: PartyState, now_ms: int) -> PartyState:
    """Hold or release the group after the set of stalled members changed."""
    hold = state.on_stall == "wait" and any(m.stalled for m in state.members)
    if hold and not state.waiting:
        return _bump(state, waiting=True, position_s=position_at(state, now_ms), at_ms=now_ms)
    if not hold and state.waiting:
        start = now_ms + LEAD_MS if state.playing else now_ms
        return _bump(state, waiting=False, at_ms=start)
    return state


def join(state: PartyState, member: Member, now_ms: int) -> PartyState:
    members = [m for m in state.members if now_ms - m.seen_ms < STALE_MS]
    known = {m.profile_id for m in members}
    if member.profile_id not in known and len(known) >= MAX_MEMBERS:
        raise PartyFull(f"the party is full ({MAX_MEMBERS} members)")
    return _rewait(_bump(state, members=[*members, member]), now_ms)


def leave(state: PartyState, conn_id: str, now_ms: int) -> PartyState:
    members = [m for m in state.members if m.conn_id != conn_id]
    return _rewait(_bump(state, members=members), now_ms)


def touch(state: PartyState, conn_id: str, now_ms: int) -> PartyState:
    """Mark a connection alive and drop connections no process has vouched for lately."""
    members = [
        m.model_copy(update={"seen_ms": now_ms}) if m.conn_id == conn_id else m
        for m in state.members
        if m.conn_id == conn_id or now_ms - m.seen_ms < STALE_MS
    ]
    return _rewait(state.model_copy(update={"members": members}), now_ms)


def apply(state: PartyState, command: Command, *, conn_id: str, now_ms: int) -> PartyState:
    """The state after ``command`` from connection ``conn_id`` at server time ``now_ms``.
    Raises :class:`NoControl`/:class:`NotHost` when the sender may not do it."""
    sender = next((m for m in state.members if m.conn_id == conn_id), None)
    if sender is None:
        raise NoControl("this connection is not a member of the party")
    if isinstance(command, Stall):
        members = [
            m.model_copy(update={"stalled": command.stalled}) if m.conn_id == conn_id else m
            for m in state.members
        ]
        return _rewait(_bump(state, members=members), now_ms)
    if isinstance(command, Settings):
        if sender.profile_id != state.host_profile_id:
            raise NotHost("only the host changes the party's settings")
        changes: dict[str, object] = {}
        if command.control is not None:
            changes["control"] = command.control
        if command.on_stall is not None:
            changes["on_stall"] = command.on_stall
        return _rewait(_bump(state, **changes), now_ms)
    if not may_control(state, sender.profile_id):
        raise NoControl("the host controls playback in this party")
    here = position_at(state, now_ms)
    if isinstance(command, Play):
        if state.playing:
            return state
        return _bump(state, playing=True, position_s=here, at_ms=now_ms + LEAD_MS)
    if isinstance(command, Pause):
        # The sender's own position when given (what they see), else the group's.
        where = here if command.position_s is None else command.position_s
        return _bump(state, playing=False, position_s=where, at_ms=now_ms)
    if isinstance(command, Seek):
        start = now_ms + LEAD_MS if moving(state) else now_ms
        return _bump(state, position_s=command.position_s, at_ms=start)
    if isinstance(command, Rate):
        if now_ms < state.at_ms:
            # A start is scheduled: it stays at its instant, at the new rate (moving the
            # anchor to now would put the group ahead by the rest of the lead).
            return _bump(state, rate=command.rate)
        return _bump(state, position_s=here, at_ms=now_ms, rate=command.rate)
    if isinstance(command, Episode):
        if command.video_id == state.video_id:
            # Every member's next-episode countdown may ask at once: the first one wins,
            # the others do not start the episode over.
            return state
        members = [m.model_copy(update={"stalled": False}) for m in state.members]
        return _bump(
            state,
            video_id=command.video_id,
            members=members,
            waiting=False,
            playing=True,
            position_s=0.0,
            at_ms=now_ms + LEAD_MS,
        )
    raise AssertionError(f"unhandled command {command!r}")  # pragma: no cover


class TokenBucket:
    """A connection's frame budget: ``burst`` at once, ``per_s`` refilled each second."""

    def __init__(self, *, per_s: float, burst: int) -> None:
        self.per_s = per_s
        self.burst = float(burst)
        self.tokens = float(burst)
        self.last_s: float | None = None

    def take(self, now_s: float) -> bool:
        if self.last_s is not None:
            self.tokens = min(self.burst, self.tokens + (now_s - self.last_s) * self.per_s)
        self.last_s = now_s
        if self.tokens < 1.0:
            return False
        self.tokens -= 1.0
        return True


class FrameBudget:
    """What a connection may send: ``burst`` frames at once and ``per_s`` a second after
    (a frame over that is refused), and an allowance of ``flood`` refusals, refilled at
    ``per_s`` a second too. A sender that spends the allowance (sustaining more than twice
    the rate, or a burst of ``flood`` frames past the limit) is flooding: every refusal
    costs an error frame back, so it is cut off rather than answered forever.

    Refusals are counted over time, not in a row: a flood paced just slowly enough that
    a frame gets through now and then would otherwise never end."""

    def __init__(self, *, per_s: float, burst: int, flood: int) -> None:
        self.frames = TokenBucket(per_s=per_s, burst=burst)
        self.refusals = TokenBucket(per_s=per_s, burst=flood)

    def take(self, now_s: float) -> Literal["ok", "refused", "flood"]:
        if self.frames.take(now_s):
            return "ok"
        return "refused" if self.refusals.take(now_s) else "flood"
