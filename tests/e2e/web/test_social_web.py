"""Comments, ratings and reviews in Chromium against a real ``kinema up`` (issue 13).

- A comment pinned to the player's current moment shows "at 0:12"; clicking it seeks
  the player there, and on the title page it opens the player at that moment. A reply
  lands under it.
- Rating a title and writing a review update the average and the distribution; another
  profile's review takes a "helpful" vote.
- A comment made of HTML and script shows as those characters and runs nothing.
- A kids profile sees the ratings but no comments and no reviews, on the title page and
  in the player.

It is a stack of its own: these tests add profiles, comments and ratings that the
session stack's tests must not see.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.web import webapp
from tests.utils.ports import free_port

pytestmark = [pytest.mark.e2e]

CLIP_S = 30
PIN_AT_S = 12.0


@dataclass(frozen=True)
class SocialStack:
    up: webapp.KinemaUp
    base: str
    title_id: str
    video_id: str
    profile_name: str


@pytest.fixture(scope="module")
def social(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SocialStack]:
    try:
        webapp.ensure_web_build()
    except webapp.StackError as exc:
        pytest.skip(str(exc))
    root = tmp_path_factory.mktemp("web-e2e-social")
    clip = webapp.make_clip(root / "media" / "talk-of-the-town.mp4", seconds=CLIP_S)
    up = webapp.KinemaUp(data_dir=root / "data", port=free_port(), ingest=[clip])
    try:
        up.start()
    except webapp.StackError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        admin = up.admin()
        try:
            video = webapp.wait_ready(admin)[0]
            # Maturity "all", so that a kids profile may open the title at all.
            r = admin.patch(
                f"/api/v1/admin/videos/{video['id']}",
                json={"title": "Talk of the Town", "published": True, "maturity": "all"},
            )
            assert r.status_code == 200, r.text
            me = admin.get("/api/v1/auth/me").json()
            # The tests add four profiles to the admin's account: Family allows six.
            r = admin.put(f"/api/v1/admin/users/{me['id']}/plan", json={"plan": "family"})
            assert r.status_code == 200, r.text
        finally:
            admin.close()
        yield SocialStack(
            up=up,
            base=up.base,
            title_id=video["title_id"],
            video_id=video["id"],
            profile_name=me["profile"]["name"],
        )
    except webapp.StackError as exc:
        pytest.fail(f"{exc}\n{up.log_tail()}", pytrace=False)
    finally:
        up.stop()


def _sign_in_as(page: Page, stack: SocialStack, profile: str) -> None:
    page.goto(f"{stack.base}/login")
    page.get_by_label("Email").fill(webapp.ADMIN_EMAIL)
    page.get_by_label("Password").fill(webapp.ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/profiles**")
    page.get_by_test_id("profile-tile").filter(has_text=profile).click()
    page.wait_for_url(f"{stack.base}/")


def _as_new_profile(stack: SocialStack, name: str, *, kids: bool = False) -> httpx.Client:
    """An API client of its own login session, watching as a new profile."""
    client = stack.up.admin()
    r = client.post("/api/v1/profiles", json={"name": name, "is_kids": kids})
    assert r.status_code in (200, 201), r.text
    r = client.post(f"/api/v1/profiles/{r.json()['id']}/select")
    assert r.status_code == 200, r.text
    return client


def _video_time(page: Page) -> float:
    return float(page.evaluate("() => document.querySelector('video').currentTime"))


def _wait_for(page: Page, check: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return
        page.wait_for_timeout(200)
    assert check(), what


def _watch_paused_at(page: Page, stack: SocialStack, seconds: float, query: str = "") -> None:
    page.goto(f"{stack.base}/watch/{stack.video_id}?title={stack.title_id}{query}")
    webapp.ensure_playing(page)
    page.evaluate(
        "(s) => { const v = document.querySelector('video'); v.pause(); v.currentTime = s; }",
        seconds,
    )
    _wait_for(page, lambda: abs(_video_time(page) - seconds) < 0.3, 10, "the seek")


def test_timestamped_comment_seeks_the_player_and_takes_a_reply(
    page: Page, social: SocialStack
) -> None:
    _sign_in_as(page, social, social.profile_name)
    _watch_paused_at(page, social, PIN_AT_S)

    page.get_by_test_id("comments-toggle").click()
    panel = page.get_by_role("complementary", name="Comments")
    expect(panel.get_by_text("No comments yet.")).to_be_visible()
    form = panel.get_by_test_id("comment-form")
    expect(form.get_by_label("At 0:12")).to_be_checked()
    text = "The lighthouse shot at twelve seconds!"
    form.get_by_role("textbox").fill(text)
    form.get_by_role("button", name="Post").click()

    comment = panel.get_by_test_id("comment").filter(has_text=text)
    expect(comment.get_by_test_id("comment-time")).to_have_text("at 0:12")
    webapp.screenshot(page, "social-player-comments")
    assert not webapp.axe_violations(page), "axe on the player's comments panel"

    # Away from the moment, then back through the comment's time.
    page.evaluate("() => { document.querySelector('video').currentTime = 2; }")
    _wait_for(page, lambda: _video_time(page) < 3, 10, "the seek away")
    comment.get_by_test_id("comment-time").click()
    _wait_for(
        page,
        lambda: abs(_video_time(page) - PIN_AT_S) < 0.5,
        10,
        f"the comment's time did not seek: at {_video_time(page)}",
    )

    comment.get_by_role("button", name="Reply").click()
    reply_form = comment.get_by_test_id("reply-form")
    reply_form.get_by_role("textbox").fill("Agreed, gorgeous light.")
    reply_form.get_by_role("button", name="Post").click()
    reply = comment.locator(".comment__replies").get_by_test_id("comment")
    expect(reply).to_have_count(1)
    expect(reply).to_contain_text("Agreed, gorgeous light.")
    expect(reply.get_by_role("button", name="Reply")).to_have_count(0)  # one level only

    # A reaction on the comment: the API's emoji set, one's own shown pressed.
    comment.get_by_role("button", name="React", exact=True).first.click()
    comment.get_by_role("button", name="React with Love").click()
    love = comment.get_by_role("button", name="Love 1")
    expect(love).to_have_attribute("aria-pressed", "true")
    love.click()
    expect(comment.get_by_role("button", name="Love 1")).to_have_count(0)

    # On the title page the time is a link that opens the player at that moment.
    page.goto(f"{social.base}/title/{social.title_id}")
    listed = page.get_by_test_id("comments").get_by_test_id("comment").filter(has_text=text)
    expect(listed.get_by_role("button", name="1 reply")).to_be_visible()
    listed.get_by_test_id("comment-time").click()
    page.wait_for_url(re.compile(rf"/watch/{social.video_id}\?title={social.title_id}&t=12$"))
    expect(page.get_by_test_id("player")).to_have_attribute("data-ready", "true")
    _wait_for(
        page,
        lambda: PIN_AT_S - 0.5 <= _video_time(page) <= PIN_AT_S + 6,
        15,
        f"the player did not open at the comment's time: at {_video_time(page)}",
    )


def test_rating_and_review_update_the_summary(page: Page, social: SocialStack) -> None:
    other = _as_new_profile(social, "Bea")
    try:
        r = other.put(
            f"/api/v1/titles/{social.title_id}/review",
            json={"body": "A quiet, lovely film.", "score": 5},
        )
        assert r.status_code == 201, r.text
    finally:
        other.close()

    _sign_in_as(page, social, social.profile_name)
    page.goto(f"{social.base}/title/{social.title_id}")
    ratings = page.get_by_test_id("ratings")
    expect(ratings.get_by_test_id("rating-average")).to_have_text("5.0")
    expect(ratings.get_by_test_id("rating-count")).to_have_text("1 rating")

    ratings.get_by_role("group", name="Rate this title").get_by_role(
        "button", name="3 stars"
    ).click()
    expect(ratings.get_by_test_id("rating-average")).to_have_text("4.0")
    expect(ratings.get_by_test_id("rating-count")).to_have_text("2 ratings")
    expect(ratings.locator('[data-score="3"]')).to_have_attribute("data-count", "1")

    reviews = page.get_by_test_id("reviews")
    theirs = reviews.get_by_test_id("review").filter(has_text="A quiet, lovely film.")
    expect(theirs).to_contain_text("Bea")
    theirs.get_by_role("button", name="Helpful (0)").click()
    expect(theirs.get_by_role("button", name="Helpful (1)")).to_have_attribute(
        "aria-pressed", "true"
    )

    form = reviews.get_by_test_id("review-form")
    # A new review starts from the profile's rating; this one says 1 star.
    form.get_by_role("group", name="Your score").get_by_role("button", name="1 star").click()
    form.get_by_role("textbox").fill("Too slow for me.")
    form.get_by_role("button", name="Publish").click()
    mine = reviews.get_by_test_id("my-review")
    expect(mine).to_contain_text("Too slow for me.")
    # The review's score is the profile's rating now: (5 + 1) / 2.
    expect(ratings.get_by_test_id("rating-average")).to_have_text("3.0")
    expect(ratings.locator('[data-score="1"]')).to_have_attribute("data-count", "1")
    expect(ratings.locator('[data-score="3"]')).to_have_attribute("data-count", "0")

    mine.get_by_role("button", name="Edit").click()
    form = reviews.get_by_test_id("review-form")
    form.get_by_role("textbox").fill("Too slow for me, but the ending works.")
    form.get_by_role("button", name="Save").click()
    expect(reviews.get_by_test_id("my-review")).to_contain_text("but the ending works")
    expect(reviews.get_by_test_id("my-review")).to_contain_text("(edited)")
    webapp.screenshot(page, "social-title-ratings", full_page=True)
    assert not webapp.axe_violations(page), "axe on the title page's ratings and reviews"


def test_html_in_a_comment_shows_as_text(page: Page, social: SocialStack) -> None:
    payload = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>bold</b>'
    _sign_in_as(page, social, social.profile_name)
    page.goto(f"{social.base}/title/{social.title_id}")
    form = page.get_by_test_id("comments").get_by_test_id("comment-form")
    form.get_by_role("textbox").fill(payload)
    form.get_by_role("button", name="Post").click()
    body = page.get_by_test_id("comment-body").filter(has_text="window.__pwned")
    expect(body).to_have_text(payload)
    # A text node, nothing parsed out of it.
    assert body.locator("img, script, b").count() == 0
    page.reload()
    expect(page.get_by_test_id("comment-body").filter(has_text="window.__pwned")).to_have_text(
        payload
    )
    assert page.evaluate("() => window.__pwned") is None


def test_kids_profile_sees_no_comments(page: Page, social: SocialStack) -> None:
    kid = _as_new_profile(social, "Kiddo", kids=True)
    try:
        listed = kid.get(f"/api/v1/titles/{social.title_id}/comments")
        assert listed.status_code == 403 and listed.json()["code"] == "kids_profile"
    finally:
        kid.close()
    _sign_in_as(page, social, "Kiddo")
    seen: list[Any] = []
    page.on("response", lambda r: seen.append(r.url) if "/comments" in r.url else None)
    page.goto(f"{social.base}/title/{social.title_id}")
    expect(page.get_by_role("heading", name="Talk of the Town")).to_be_visible()
    expect(page.get_by_test_id("ratings")).to_be_visible()
    expect(page.get_by_test_id("rating-summary")).to_be_visible()
    expect(page.get_by_test_id("comments")).to_have_count(0)
    expect(page.get_by_test_id("reviews")).to_have_count(0)
    expect(page.get_by_text("Agreed, gorgeous light.")).to_have_count(0)

    page.goto(f"{social.base}/watch/{social.video_id}?title={social.title_id}")
    webapp.ensure_playing(page)
    expect(page.get_by_test_id("comments-toggle")).to_have_count(0)
    # Timestamped reactions are numbers and emoji: a kids profile may add them.
    page.get_by_role("button", name="React").click()
    page.get_by_role("button", name="React with Funny").click()
    expect(page.get_by_test_id("reaction-strip")).to_be_visible()
    webapp.screenshot(page, "social-player-kids-strip")

    # The end of playback asks for a rating (ratings are open to kids profiles).
    page.evaluate(
        "() => { const v = document.querySelector('video'); v.currentTime = v.duration - 1;"
        " void v.play(); }"
    )
    prompt = page.get_by_test_id("end-rating")
    expect(prompt).to_contain_text("How was Talk of the Town?", timeout=20_000)
    prompt.get_by_role("button", name="4 stars").click()
    expect(prompt.get_by_role("status")).to_have_text("Thanks for rating!")
    expect(prompt.get_by_test_id("rating-count")).to_have_text("3 ratings")
    assert not seen, f"a kids profile asked for comments: {seen}"


def test_admin_moderates_reported_comments_and_clips(page: Page, social: SocialStack) -> None:
    """Two reported comments in the admin's Moderation panel: one deleted, one dismissed;
    the resolved filter shows both; a clip is deleted from the clips list. At phone
    width, with the comment's HTML shown as text."""
    payload = '<img src=x onerror="window.__modded=1">Buy pills'
    troll, rita, admin = (
        _as_new_profile(social, "Troll"),
        _as_new_profile(social, "Rita"),
        social.up.admin(),
    )
    try:
        url = f"/api/v1/titles/{social.title_id}/comments"
        spam = troll.post(url, json={"body": payload}).json()["id"]
        harsh = troll.post(url, json={"body": "Worst film ever made"}).json()["id"]
        for client, cid, reason in (
            (rita, spam, "spam"),
            (admin, spam, "abuse"),
            (rita, harsh, "other"),
        ):
            r = client.post(f"/api/v1/comments/{cid}/reports", json={"reason": reason})
            assert r.status_code == 201, r.text
        clip = troll.post(
            "/api/v1/clips", json={"video_id": social.video_id, "start_s": 1, "end_s": 4}
        )
        assert clip.status_code == 201, clip.text
        clip_id = clip.json()["id"]
    finally:
        for client in (troll, rita, admin):
            client.close()

    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in_as(page, social, social.profile_name)
    page.goto(f"{social.base}/admin")
    queue = page.get_by_test_id("report-queue")
    spam_entry = queue.locator(f"[data-comment-id='{spam}']")
    expect(spam_entry.get_by_test_id("reported-body")).to_have_text(payload)
    assert spam_entry.locator("img").count() == 0
    expect(spam_entry.get_by_test_id("report-count")).to_have_text("2 reports")
    expect(spam_entry).to_contain_text("Talk of the Town")
    expect(spam_entry).to_contain_text("by Troll")
    # Newest report first: the "harsh" comment was reported last.
    expect(queue.get_by_test_id("reported-comment").first).to_have_attribute(
        "data-comment-id", harsh
    )
    fits = "() => document.documentElement.scrollWidth <= window.innerWidth"
    assert page.evaluate(fits), "the admin page scrolls sideways at phone width"
    webapp.screenshot(page, "admin-moderation-phone", full_page=True)

    page.once("dialog", lambda d: d.accept())
    spam_entry.get_by_role("button", name="Delete comment by Troll").click()
    expect(spam_entry).to_have_count(0)
    harsh_entry = queue.locator(f"[data-comment-id='{harsh}']")
    harsh_entry.get_by_role("button", name="Dismiss reports of the comment by Troll").click()
    expect(queue.get_by_text("No open reports.")).to_be_visible()

    queue.get_by_role("button", name="Resolved").click()
    expect(queue.locator(f"[data-comment-id='{spam}']")).to_contain_text("Deleted comment")
    expect(queue.locator(f"[data-comment-id='{harsh}']")).to_contain_text("Worst film ever made")
    assert page.evaluate("() => window.__modded") is None

    clips = page.get_by_test_id("clip-moderation")
    made = clips.locator(f"[data-clip-id='{clip_id}']")
    expect(made).to_contain_text("by Troll")
    page.once("dialog", lambda d: d.accept())
    made.get_by_role("button", name="Delete clip of Talk of the Town by Troll").click()
    expect(made).to_have_count(0)
    assert httpx.get(f"{social.base}/api/v1/clips/{clip_id}").status_code == 404
    # The deleted comment is gone from the title's comments (it had no replies).
    page.goto(f"{social.base}/title/{social.title_id}")
    expect(page.get_by_text("Worst film ever made")).to_be_visible()
    expect(page.get_by_text("Buy pills")).to_have_count(0)
