"""Watch together in Chromium against one real ``kinema up``: two viewers' browsers in a
party. The host seeks to 30 s and the guest is within 0.3 s of the group within 2 s; the
host picks 1.5x and the guest plays at 1.5x; pause and play go both ways; a late joiner
lands at the group's position; with "only me" in control, a guest's seek does not move
the group (the guest is told, and put back); a killed connection reconnects and catches up
with a seek made while it was down.

Positions are compared on the party's shared clock through the page's probe
(``window.__kinemaParty``), so the test measures what a viewer sees against the group.
"""

from __future__ import annotations

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
    start_party,
    track_sockets,
    unblock,
    video,
    viewer,
    wait_until,
)

# Two players kept in step within tenths of a second: run alone (scripts/test), not beside
# another worker's transcodes.
pytestmark = [pytest.mark.e2e, pytest.mark.serial]


def commands(frames: list[str]) -> list[str]:
    """What a page sent on the party socket, pings left out (for failure messages)."""
    return [frame for frame in frames if '"ping"' not in frame]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PartyStack]:
    root: Path = tmp_path_factory.mktemp("web-e2e-party")
    try:
        with party_stack(root) as made:
            yield made
    except webapp.StackError as exc:
        pytest.fail(str(exc), pytrace=False)


def test_two_viewers_watch_together(browser: Browser, stack: PartyStack) -> None:
    host_ctx, host = member(browser, stack, None)
    guest_ctx, guest = member(browser, stack, viewer(stack))
    late_ctx = browser.new_context()
    track_sockets(late_ctx)
    late = late_ctx.new_page()
    webapp.login(late, stack.base, email=viewer(stack), password=PASSWORD)
    sent: list[str] = []
    host.on("websocket", lambda ws: ws.on("framesent", lambda frame: sent.append(str(frame))))
    try:
        link = start_party(host, stack)
        join(guest, link, members=2)

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

        # Speed: 1.5x for everyone (the guest's rate may be nudged by at most 5%).
        video(host, "v.playbackRate = 1.5")
        assert wait_until(
            guest, lambda: 1.5 * 0.95 <= float(video(guest, "v.playbackRate")) <= 1.5 * 1.05, 3
        ), f"guest rate: {video(guest, 'v.playbackRate')}"

        # Pause on the host pauses the guest; play on the guest plays the host.
        video(host, "v.pause()")
        assert wait_until(guest, lambda: video(guest, "v.paused"), 3)
        paused_at = float(video(host, "v.currentTime"))
        # The guest pauses first, then seeks to the group's paused position.
        if not wait_until(
            guest, lambda: abs(float(video(guest, "v.currentTime")) - paused_at) < 0.3, 3
        ):
            # Known defect, open in issue 13: after the group goes to 1.5x, a pause can
            # leave host and guest about 1.7 s apart (seen in 2 of 3 serial CI-style runs
            # on 2026-12-03). Everything before this point was checked; what follows is
            # not reached in that case.
            pytest.xfail(
                "issue 13: paused guest at "
                f"{video(guest, 'v.currentTime')} s, host at {paused_at} s after 1.5x"
            )
        guest.locator(".player__big-play").click()  # the player's own play button
        assert wait_until(host, lambda: not video(host, "v.paused"), 3), "host still paused"

        # A late joiner lands where the group is.
        join(late, link, members=3)
        assert wait_until(late, lambda: (drift_s(late) or 9) < 0.3, 10), sample(late)
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
    finally:
        for context in (host_ctx, guest_ctx, late_ctx):
            context.close()
