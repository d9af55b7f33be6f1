"""Debian's Chromium driven by Playwright's sync API (never a downloaded browser build).

The flags keep a headless browser quiet and hermetic: no sandbox (tests run as root in
containers), no GPU, and none of the background calls to Google's services that this
network refuses anyway and that would only slow page loads down.
"""

from __future__ import annotations

from playwright.sync_api import Browser, Playwright

from tests.utils import binaries

CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def launch_chromium(playwright: Playwright) -> Browser:
    """A headless Chromium from ``/usr/bin/chromium``."""
    return playwright.chromium.launch(
        executable_path=str(binaries.chromium()), headless=True, args=list(CHROMIUM_ARGS)
    )
