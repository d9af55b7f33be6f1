"""Plans, payments and devices in Chromium against a real ``kinema up`` with billing on
(stripe-mock as Stripe's API; the webhooks Stripe would send are signed here with the
real scheme and posted to the running API).

- A Free viewer clicks Upgrade and lands on Stripe Checkout; once the signed webhooks
  arrive, the Account page shows Premium and its trial.
- Free allows one device streaming: a second browser sees the limit message naming the
  first, and plays within 5 s of the first closing its tab (the beacon on ``pagehide``).
- The Devices page signs another device out: that device's next request is refused.

It is a stack of its own: billing on, and viewers whose plans change.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect
from sqlalchemy import create_engine, select, update

from kinema.catalog.models import Plan
from tests.e2e.web import webapp
from tests.utils import stripe_events
from tests.utils.ports import free_port
from tests.utils.stripe_mock import StripeMock

pytestmark = [pytest.mark.e2e]

PASSWORD = "correct horse battery"
# The Prices the webhooks name: kinema up's sync gives every plan stripe-mock's one
# fixture id, so the test renames them once that sync is done.
PRICES = {"basic": "price_e2e_basic", "premium": "price_e2e_premium"}
CHECKOUT = re.compile(r"^https://checkout\.stripe\.com/")


@dataclass(frozen=True)
class BillingStack:
    up: webapp.KinemaUp
    base: str
    video_id: str


@pytest.fixture(scope="module")
def billing(
    tmp_path_factory: pytest.TempPathFactory, stripe_mock: StripeMock
) -> Iterator[BillingStack]:
    try:
        webapp.ensure_web_build()
    except webapp.StackError as exc:
        pytest.skip(str(exc))
    root = tmp_path_factory.mktemp("web-e2e-billing")
    clip = webapp.make_clip(root / "media" / "paid-feature.mp4", seconds=30)
    port = free_port()
    up = webapp.KinemaUp(
        data_dir=root / "data",
        port=port,
        ingest=[clip],
        env={
            "KINEMA_STRIPE_API_KEY": stripe_mock.api_key,
            "KINEMA_STRIPE_API_BASE": stripe_mock.url,
            "KINEMA_STRIPE_WEBHOOK_SECRET": stripe_events.WEBHOOK_SECRET,
            "KINEMA_PUBLIC_URL": f"http://127.0.0.1:{port}",
        },
    )
    try:
        up.start()
    except webapp.StackError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        _name_the_prices(up)
        admin = up.admin()
        try:
            video = webapp.wait_ready(admin)[0]
            r = admin.patch(
                f"/api/v1/admin/videos/{video['id']}",
                json={"title": "Paid Feature", "published": True},
            )
            assert r.status_code == 200, r.text
        finally:
            admin.close()
        yield BillingStack(up=up, base=up.base, video_id=video["id"])
    except webapp.StackError as exc:
        pytest.fail(f"{exc}\n{up.log_tail()}", pytrace=False)
    finally:
        up.stop()


def _name_the_prices(up: webapp.KinemaUp, timeout_s: float = 60) -> None:
    """Wait for ``kinema up``'s own sync to give every paid plan a Stripe Price, then
    name them apart (stripe-mock answers every Price it creates with one fixture id)."""
    engine = create_engine(f"sqlite:///{up.data_dir / 'kinema.db'}")
    try:
        deadline = time.monotonic() + timeout_s
        paid = select(Plan.slug, Plan.stripe_price_id).where(Plan.price_cents > 0)
        while True:
            with engine.connect() as db:
                prices = {slug: price for slug, price in db.execute(paid)}
            if prices and all(prices.values()):
                break
            if time.monotonic() > deadline:
                raise webapp.StackError(f"plans not synced to Stripe: {prices}")
            time.sleep(0.5)
        with engine.begin() as db:
            for slug, price in PRICES.items():
                db.execute(update(Plan).where(Plan.slug == slug).values(stripe_price_id=price))
    finally:
        engine.dispose()


def _viewer(stack: BillingStack) -> tuple[str, str]:
    """A new Free viewer; returns (email, user id)."""
    email = f"viewer-{uuid.uuid4().hex[:8]}@example.com"
    r = httpx.post(
        f"{stack.base}/api/v1/auth/signup",
        json={"email": email, "password": PASSWORD, "display_name": "Dana"},
        timeout=30,
    )
    assert r.status_code == 201, r.text
    me = httpx.get(
        f"{stack.base}/api/v1/auth/me",
        headers={"Authorization": f"Bearer {r.json()['access_token']}"},
        timeout=30,
    )
    return email, str(me.json()["id"])


def _webhook(stack: BillingStack, type_: str, obj: dict[str, Any]) -> None:
    body = stripe_events.event(type_, obj, created=datetime.now(UTC))
    r = httpx.post(
        f"{stack.base}/api/v1/billing/webhook",
        content=body,
        headers={"Stripe-Signature": stripe_events.signature(body)},
        timeout=30,
    )
    assert r.status_code == 200, r.text


def _watch(page: Page, stack: BillingStack) -> None:
    page.goto(f"{stack.base}/watch/{stack.video_id}")


def test_a_free_viewer_upgrades_through_checkout(page: Page, billing: BillingStack) -> None:
    email, user_id = _viewer(billing)
    opened: list[str] = []

    def checkout(route: Route) -> None:  # Stripe's hosted page is out of reach here
        opened.append(route.request.url)
        route.fulfill(content_type="text/html", body="<title>Stripe Checkout</title>")

    page.route(CHECKOUT, checkout)
    webapp.login(page, billing.base, email=email, password=PASSWORD)
    page.goto(f"{billing.base}/account")
    state = page.get_by_test_id("plan-state")
    expect(state).to_have_attribute("data-standing", "free")
    page.get_by_role("button", name="Upgrade to Premium").click()
    page.wait_for_url(CHECKOUT)
    assert len(opened) == 1, opened

    # What Stripe sends once the viewer has paid (Premium starts with its 7-day trial).
    sub_id = f"sub_e2e_{uuid.uuid4().hex[:10]}"
    trial_end = datetime.now(UTC) + timedelta(days=7)
    # A trial's Checkout takes no payment: Stripe says ``no_payment_required``.
    session = stripe_events.checkout_session(
        user_id=user_id, plan="premium", sub_id=sub_id, paid=False
    )
    _webhook(billing, "checkout.session.completed", session)
    subscription = stripe_events.subscription(
        sub_id,
        status="trialing",
        price_id=PRICES["premium"],
        period_end=trial_end,
        trial_end=trial_end,
        metadata={"kinema_user_id": user_id, "kinema_plan_slug": "premium"},
    )
    _webhook(billing, "customer.subscription.created", subscription)

    page.goto(f"{billing.base}/account?checkout=success")
    expect(page.get_by_test_id("checkout-return")).to_be_visible()
    expect(state).to_have_attribute("data-standing", "trialing")
    expect(page.get_by_test_id("plan-name")).to_contain_text("Premium")
    expect(state).to_contain_text("Trial ends")
    current = page.get_by_test_id("plan-table").get_by_text("Current plan")
    expect(current).to_be_visible()
    webapp.screenshot(page, "account-premium-trial")
    assert not webapp.axe_violations(page), "axe on the Account page"


def _signed_in(browser: Browser, stack: BillingStack, email: str) -> tuple[BrowserContext, Page]:
    """A browser of its own (its own device id), signed in as ``email``."""
    context = browser.new_context()
    page = context.new_page()
    webapp.login(page, stack.base, email=email, password=PASSWORD)
    return context, page


def test_one_device_plan_names_the_device_streaming_and_frees_it_when_its_tab_closes(
    browser: Browser, billing: BillingStack
) -> None:
    email, _ = _viewer(billing)  # Free: one device streaming at a time
    first_context, first = _signed_in(browser, billing, email)
    second_context, second = _signed_in(browser, billing, email)
    try:
        # The first device gets a name the second one will be shown.
        first.goto(f"{billing.base}/devices")
        this_device = first.get_by_test_id("device").and_(first.locator("[data-current=true]"))
        this_device.get_by_role("button", name=re.compile("^Rename")).click()
        first.get_by_label("Device name").fill("Living room TV")
        first.get_by_role("button", name="Save").click()
        expect(this_device).to_contain_text("Living room TV")

        _watch(first, billing)
        webapp.ensure_playing(first)

        _watch(second, billing)
        limit = second.get_by_test_id("stream-limit")
        expect(limit).to_be_visible()
        holder = limit.get_by_test_id("stream-holder")
        expect(holder).to_have_count(1)
        expect(holder).to_contain_text("Living room TV is playing Paid Feature")
        expect(limit.get_by_role("button", name="Stop playback on Living room TV")).to_be_visible()
        webapp.screenshot(second, "stream-limit")

        # The first closes its tab: the pagehide beacon gives the stream back.
        first.close(run_before_unload=True)
        closed_at = time.monotonic()
        # The beacon may land a moment after the tab is gone: try again, as a viewer
        # would, until the stream is handed over (within 5 s of the close).
        settled = (
            "() => document.querySelector('[data-testid=player][data-ready=true]')"
            " || document.querySelector('[data-testid=stream-limit]')"
        )
        while True:
            limit.get_by_role("button", name="Try again").click()
            second.wait_for_function(settled, timeout=15_000)
            if not limit.is_visible():
                break
            assert time.monotonic() - closed_at < 5, "the closed tab's stream was kept"
            second.wait_for_timeout(250)
        assert time.monotonic() - closed_at < 5
        webapp.ensure_playing(second)
    finally:
        first_context.close()
        second_context.close()


def test_the_devices_page_signs_another_device_out(browser: Browser, billing: BillingStack) -> None:
    email, _ = _viewer(billing)
    here_context, here = _signed_in(browser, billing, email)
    there_context, there = _signed_in(browser, billing, email)
    try:
        # Name the other browser, then sign it out from this one.
        there.goto(f"{billing.base}/devices")
        theirs = there.get_by_test_id("device").and_(there.locator("[data-current=true]"))
        theirs.get_by_role("button", name=re.compile("^Rename")).click()
        there.get_by_label("Device name").fill("Old laptop")
        there.get_by_role("button", name="Save").click()
        expect(theirs).to_contain_text("Old laptop")

        here.goto(f"{billing.base}/devices")
        old_laptop = here.get_by_test_id("device").filter(has_text="Old laptop")
        expect(old_laptop).to_have_count(1)
        here.get_by_role("button", name="Sign out Old laptop").click()
        dialog = here.get_by_role("dialog")
        expect(dialog).to_contain_text("Sign out Old laptop?")
        dialog.get_by_role("button", name="Sign out").click()
        expect(here.get_by_text("Old laptop was signed out.")).to_be_visible()
        expect(old_laptop).to_have_count(0)

        # The signed-out browser's next request is refused and it is sent to sign in.
        status = there.evaluate(
            "async () => (await fetch('/api/v1/auth/me', {credentials: 'same-origin'})).status"
        )
        assert status == 401
        there.goto(f"{billing.base}/")
        there.wait_for_url(re.compile(r"/login"))
    finally:
        here_context.close()
        there_context.close()
