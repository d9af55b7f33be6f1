"""Watch together in Chromium across two API processes sharing a real Redis (``kinema up``,
and ``kinema api`` on the same data, as two replicas are in a cluster): the host's and
the late joiner's browsers on the first, the guest's on the second. The host seeks to 30
s and the guest is within 0.3 s of the group within 2 s; the host picks 1.5x and the
guest plays at 1.5x; pause and play go both ways; a late joiner lands at the group's
position; with "only me" in control, a guest's seek does not move the group (the guest
is told, and put back); a killed connection reconnects and catches up with a seek made
while it was down; a stalled member holds the group ("Waiting for …"); the next episode
the host starts loads on every member's page, in step.

Positions are compared on the party's shared clock through the page's probe
(``window.__kinemaParty``), so the test measures what a viewer sees against the group.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.web import webapp
from tests.e2e.web.partyweb import (
    PASSWORD,
    PartyStack,
    drift_s,
    join,
    kill_socket,
    member,
    party_stack,
    sample,
    send_frame,
    start_party,
    track_sockets,
    trail,
    unblock,
    video,
    viewer,
    wait_until,
)
from tests.utils.redis_server import RedisServer

# Two players kept in step within tenths of a second: run alone (scripts/test), not beside
# another worker's transcodes.
pytestmark = [pytest.mark.e2e, pytest.mark.serial]

# The "next episode" the host starts for everyone at the end (played at the group's 1.5x).
NEXT_CLIP_S = 20


def commands(frames: list[str]) -> list[str]:
    """What a page sent on the party socket, pings left out (for failure messages)."""
    return [frame for frame in frames if '"ping"' not in frame]


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory, redis_server: RedisServer
) -> Iterator[PartyStack]:
    root: Path = tmp_path_factory.mktemp("web-e2e-party")
    db = redis_server.borrow_db()
    try:
        with party_stack(root, next_clip_s=NEXT_CLIP_S, redis_url=redis_server.url_for(db)) as made:
            yield made
    except webapp.StackError as exc:
        pytest.fail(str(exc), pytrace=False)
    finally:
        redis_server.flush(db)


def test_two_viewers_watch_together(browser: Browser, stack: PartyStack) -> None:
    host_ctx, host = member(browser, stack, None)
    track_sockets(host_ctx)
    guest_email = viewer(stack)
    assert stack.second_base is not None
    guest_ctx, guest = member(browser, stack, guest_email, base=stack.second_base)
    track_sockets(guest_ctx)
    late_ctx = browser.new_context()
    track_sockets(late_ctx)
    late = late_ctx.new_page()
    webapp.login(late, stack.base, email=viewer(stack), password=PASSWORD)
    sent: list[str] = []
    host.on("websocket", lambda ws: ws.on("framesent", lambda frame: sent.append(str(frame))))
    guest_sent: list[str] = []
    guest.on(
        "websocket", lambda ws: ws.on("framesent", lambda frame: guest_sent.append(str(frame)))
    )
    late_sent: list[str] = []
    late.on("websocket", lambda ws: ws.on("framesent", lambda frame: late_sent.append(str(frame))))
    try:
        link = start_party(host, stack)
        # The guest opens the link on the other API process.
        join(guest, link.replace(stack.base, stack.second_base), members=2)

        # Seek: the host moves the group to 30 s; the guest follows within 2 s.
        video(host, "v.currentTime = 30")
        assert wait_until(
            guest,
            lambda: (
                (s := sample(guest)) is not None
                and abs(s["expected"] - 30) < 3
                and not s["paused"]
                and (drift_s(guest) or 9) < 0.3
            ),
            2.0,
        ), f"guest: {sample(guest)}; host: {sample(host)}; host sent {commands(sent)}"

        # Speed: the host picks 1.5x in the player's menu, and everyone plays at 1.5x (the
        # guest's rate may be nudged by at most 5%).
        webapp.choose(host, "Settings", "1.5x")
        assert wait_until(
            guest, lambda: 1.5 * 0.95 <= float(video(guest, "v.playbackRate")) <= 1.5 * 1.05, 3
        ), (
            f"guest rate: {video(guest, 'v.playbackRate')}, host rate "
            f"{video(host, 'v.playbackRate')}; host sent {commands(sent)}; "
            f"guest sent {commands(guest_sent)}; host's follower {trail(host)}"
        )

        # Pause on the host pauses the guest; play on the guest plays the host. The host
        # pauses a playing player: after the seek and the speed change its player may
        # still be held for a scheduled start (a stall it reported), and pausing a paused
        # player is no pause at all.
        assert wait_until(host, lambda: not video(host, "v.paused"), 5), (
            f"host held: {sample(host)}; host sent {commands(sent)}; host's follower {trail(host)}"
        )
        video(host, "v.pause()")
        assert wait_until(host, lambda: any('"pause"' in f for f in commands(sent)), 3), (
            f"the host's pause was not sent: {commands(sent)}; host's follower {trail(host)}"
        )
        assert wait_until(guest, lambda: video(guest, "v.paused"), 3)
        paused_at = float(video(host, "v.currentTime"))
        # The guest pauses first, then seeks to the group's paused position (the host's:
        # its own player must not move while its pause is on the way to the server).
        assert wait_until(
            guest, lambda: abs(float(video(guest, "v.currentTime")) - paused_at) < 0.3, 3
        ), (
            f"paused guest at {video(guest, 'v.currentTime')} s, host at {paused_at} s "
            f"(now {video(host, 'v.currentTime')} s); host sent {commands(sent)}; "
            f"host's follower {trail(host)}; guest's follower {trail(guest)}"
        )
        assert abs(float(video(host, "v.currentTime")) - paused_at) < 0.05, "the host moved"
        big_play = guest.locator(".player__big-play")  # the player's own play button
        assert wait_until(guest, big_play.is_visible, 10), (
            f"no play button on the guest's player: {sample(guest)}, "
            f"{guest.get_by_test_id('player').evaluate('(e) => ({...e.dataset})')}; "
            f"guest sent {commands(guest_sent)}; host sent {commands(sent)}"
        )
        big_play.click()
        assert wait_until(host, lambda: not video(host, "v.paused"), 3), (
            f"host still paused: {sample(host)}; guest: {sample(guest)}; "
            f"guest sent {commands(guest_sent)}; guest's follower {trail(guest)}; "
            f"host's follower {trail(host)}"
        )

        # A late joiner lands where the group is.
        join(late, link, members=3)
        assert wait_until(late, lambda: (drift_s(late) or 9) < 0.3, 10), (
            f"late: {sample(late)}; host: {sample(host)}; sent by the late joiner "
            f"{commands(late_sent)}, the guest {commands(guest_sent)}, the host {commands(sent)}; "
            f"the late joiner's follower {trail(late)}"
        )
        late_at = sample(late)
        host_at = sample(host)
        assert late_at is not None and host_at is not None
        assert abs(late_at["expected"] - host_at["expected"]) < 1.0

        # Only the host controls: the guest's seek is refused and the group stays.
        host.get_by_test_id("party-control").select_option("host")
        expect(guest.get_by_test_id("party-panel")).to_have_attribute("data-control", "false")
        before = sample(host)
        video(guest, "v.currentTime = 2")
        expect(guest.get_by_text("Only the host controls playback in this party.")).to_be_visible()
        after = sample(host)
        assert before is not None and after is not None
        assert after["expected"] > 10, "the group moved to the guest's seek"
        assert abs(after["current"] - after["expected"]) < 0.3
        assert wait_until(guest, lambda: (drift_s(guest) or 9) < 0.3, 5), sample(guest)
        unblock(guest)

        # A killed connection reconnects by itself and resyncs to what it missed.
        assert kill_socket(late) == 1
        expect(late.get_by_test_id("party-panel")).to_have_attribute("data-connected", "false")
        video(host, "v.currentTime = 60")
        expect(late.get_by_test_id("party-panel")).to_have_attribute("data-connected", "true")
        assert wait_until(
            late,
            lambda: (
                (s := sample(late)) is not None
                and s["expected"] > 55
                and (drift_s(late) or 9) < 0.3
            ),
            8,
        ), sample(late)

        # A member whose player stalls holds a party set to wait, and the others see who
        # they wait for (the stall reported on the guest's socket, as its player does).
        assert send_frame(guest, {"type": "stall", "stalled": True}) == 1
        expect(host.get_by_test_id("party-waiting")).to_contain_text(guest_email.split("@")[0])
        assert wait_until(host, lambda: video(host, "v.paused"), 3), "the host did not wait"
        send_frame(guest, {"type": "stall", "stalled": False})
        expect(host.get_by_test_id("party-waiting")).to_be_hidden()
        assert wait_until(host, lambda: not video(host, "v.paused"), 3), "the host still waits"

        # The next episode starts for everyone: the host's page asks (as its player's "next
        # episode" does), and every member's page loads it and plays with the group.
        assert stack.next_video_id is not None
        assert send_frame(host, {"type": "episode", "video_id": stack.next_video_id}) == 1
        for page in (host, guest, late):
            expect(page).to_have_url(re.compile(rf"/watch/{stack.next_video_id}\?party="))
            expect(page.get_by_test_id("player")).to_have_attribute(
                "data-ready", "true", timeout=15_000
            )
        for page in (guest, late):
            assert wait_until(
                page,
                lambda p=page: (
                    (s := sample(p)) is not None
                    and not s["paused"]
                    and s["expected"] < NEXT_CLIP_S - 2
                    and (drift_s(p) or 9) < 0.3
                ),
                8,
            ), (
                f"{page.url}: {sample(page)}; sent by the late joiner {commands(late_sent)}, "
                f"the guest {commands(guest_sent)}, the host {commands(sent)}; "
                f"this page's follower {trail(page)}"
            )
        # Only the host picked a speed: no other page sent one (a rate Shaka sets when a
        # page loads is never a command).
        for name, frames in (("guest", guest_sent), ("late joiner", late_sent)):
            assert not [f for f in frames if '"rate"' in f], f"the {name} sent {commands(frames)}"
    finally:
        for context in (host_ctx, guest_ctx, late_ctx):
            context.close()
