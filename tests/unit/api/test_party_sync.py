"""The party state machine: commands at server times → positions, without I/O."""

from __future__ import annotations

import uuid

import pytest

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
from kinema_api.party.services.sync import (
    LEAD_MS,
    STALE_MS,
    NoControl,
    NotHost,
    PartyFull,
    TokenBucket,
    apply,
    join,
    leave,
    position_at,
    touch,
)

HOST, GUEST = uuid.uuid4(), uuid.uuid4()
T0 = 1_000_000


def _member(conn: str, profile: uuid.UUID, *, host: bool = False, seen: int = T0) -> Member:
    return Member(conn_id=conn, profile_id=profile, name=conn, host=host, seen_ms=seen)


def _party(**changes: object) -> PartyState:
    state = PartyState(
        id="p" * 12,
        video_id=uuid.uuid4(),
        host_profile_id=HOST,
        control="everyone",
        on_stall="wait",
        at_ms=T0,
    )
    state = join(state, _member("h", HOST, host=True), T0)
    state = join(state, _member("g", GUEST), T0)
    return state.model_copy(update=changes)


def _run(state: PartyState, *steps: tuple[int, str, Command]) -> PartyState:
    for at, conn, command in steps:
        state = apply(state, command, conn_id=conn, now_ms=at)
    return state


@pytest.mark.parametrize(
    ("steps", "at", "expected"),
    [
        ((), T0 + 5000, 0.0),  # paused: holds
        (((T0, "h", Play(type="play")),), T0 + LEAD_MS, 0.0),  # starts at the lead instant
        (((T0, "h", Play(type="play")),), T0 + LEAD_MS + 2000, 2.0),
        (((T0, "h", Play(type="play")),), T0 + 100, 0.0),  # before the instant: holds
        (
            ((T0, "h", Play(type="play")), (T0 + LEAD_MS + 3000, "g", Pause(type="pause"))),
            T0 + 60_000,
            3.0,
        ),
        (
            ((T0, "h", Play(type="play")), (T0 + 1000, "h", Seek(type="seek", position_s=30))),
            T0 + 1000 + LEAD_MS + 500,
            30.5,
        ),
        (((T0, "h", Seek(type="seek", position_s=30)),), T0 + 10_000, 30.0),  # paused seek
        (
            ((T0, "h", Play(type="play")), (T0 + LEAD_MS + 2000, "h", Rate(type="rate", rate=1.5))),
            T0 + LEAD_MS + 4000,
            5.0,
        ),
        (  # a speed change inside a scheduled start's lead keeps the start's instant
            ((T0, "h", Play(type="play")), (T0 + 100, "h", Rate(type="rate", rate=1.5))),
            T0 + LEAD_MS + 2000,
            3.0,
        ),
        (
            ((T0, "h", Play(type="play")), (T0 + 5000, "h", Pause(type="pause", position_s=4.2))),
            T0 + 9000,
            4.2,
        ),
    ],
)
def test_position_after_commands(
    steps: tuple[tuple[int, str, Command], ...], at: int, expected: float
) -> None:
    assert position_at(_run(_party(), *steps), at) == pytest.approx(expected)


def test_each_change_bumps_the_version_and_replay_of_play_changes_nothing() -> None:
    playing = _run(_party(), (T0, "h", Play(type="play")))
    assert playing.version == _party().version + 1
    assert apply(playing, Play(type="play"), conn_id="g", now_ms=T0 + 10) is playing


def test_host_only_refuses_guests_but_not_the_host() -> None:
    party = _party(control="host")
    with pytest.raises(NoControl):
        apply(party, Seek(type="seek", position_s=30), conn_id="g", now_ms=T0)
    assert apply(party, Seek(type="seek", position_s=30), conn_id="h", now_ms=T0).position_s == 30


def test_strangers_and_settings_from_guests_are_refused() -> None:
    with pytest.raises(NoControl):
        apply(_party(), Play(type="play"), conn_id="nobody", now_ms=T0)
    with pytest.raises(NotHost):
        apply(_party(), Settings(type="settings", control="host"), conn_id="g", now_ms=T0)


def test_a_stall_holds_the_group_when_waiting_and_release_restarts_ahead() -> None:
    party = _run(_party(), (T0, "h", Play(type="play")))
    stalled = apply(
        party, Stall(type="stall", stalled=True), conn_id="g", now_ms=T0 + LEAD_MS + 3000
    )
    assert stalled.waiting
    assert position_at(stalled, T0 + 20_000) == pytest.approx(3.0)
    resumed = apply(stalled, Stall(type="stall", stalled=False), conn_id="g", now_ms=T0 + 20_000)
    assert not resumed.waiting and resumed.playing
    assert resumed.at_ms == T0 + 20_000 + LEAD_MS
    assert position_at(resumed, T0 + 20_000 + LEAD_MS + 1000) == pytest.approx(4.0)


def test_catchup_plays_on_through_a_stall_and_leaving_releases_a_wait() -> None:
    party = _run(_party(on_stall="catchup"), (T0, "h", Play(type="play")))
    stalled = apply(party, Stall(type="stall", stalled=True), conn_id="g", now_ms=T0 + 1000)
    assert not stalled.waiting and position_at(stalled, T0 + LEAD_MS + 5000) == pytest.approx(5.0)
    waiting = _run(
        _party(), (T0, "h", Play(type="play")), (T0 + 1000, "g", Stall(type="stall", stalled=True))
    )
    assert waiting.waiting
    assert not leave(waiting, "g", T0 + 2000).waiting


def test_episode_starts_the_next_video_for_everyone() -> None:
    nxt = uuid.uuid4()
    party = apply(_party(), Episode(type="episode", video_id=nxt), conn_id="g", now_ms=T0)
    assert party.video_id == nxt and party.playing and party.position_s == 0.0
    assert party.at_ms == T0 + LEAD_MS
    # Both members' countdowns ask: the second asks for the video already playing.
    again = apply(party, Episode(type="episode", video_id=nxt), conn_id="h", now_ms=T0 + 900)
    assert again == party


def test_the_party_is_full_at_the_limit_but_a_second_tab_is_not_a_new_member() -> None:
    party = _party()
    for i in range(MAX_MEMBERS - 2):
        party = join(party, _member(f"m{i}", uuid.uuid4()), T0)
    with pytest.raises(PartyFull):
        join(party, _member("late", uuid.uuid4()), T0)
    assert len(join(party, _member("tab2", GUEST), T0).members) == MAX_MEMBERS + 1


def test_connections_not_vouched_for_go_stale() -> None:
    party = touch(_party(), "h", T0 + STALE_MS + 1)
    assert [m.conn_id for m in party.members] == ["h"]


def test_token_bucket_allows_a_burst_then_the_rate() -> None:
    bucket = TokenBucket(per_s=10, burst=3)
    assert [bucket.take(0.0) for _ in range(4)] == [True, True, True, False]
    assert bucket.take(0.1) and not bucket.take(0.1)
