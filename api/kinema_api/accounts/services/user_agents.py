"""A readable device name from a User-Agent header ("Chrome on Linux", "Safari on
iPhone"), for devices whose client gave none. Pure: a few ordered substring rules, good
enough to tell a person's own devices apart, never used to decide anything."""

from __future__ import annotations

import re

# Checked in order: browsers built on Chrome or Safari also name those in their header.
_BROWSERS: tuple[tuple[str, str], ...] = (
    ("edg/", "Edge"),
    ("edga/", "Edge"),
    ("edgios/", "Edge"),
    ("edge/", "Edge"),
    ("opr/", "Opera"),
    ("samsungbrowser/", "Samsung Internet"),
    ("fxios/", "Firefox"),
    ("firefox/", "Firefox"),
    ("crios/", "Chrome"),
    ("chromium/", "Chromium"),
    ("chrome/", "Chrome"),
    ("safari/", "Safari"),
)
# Televisions and cast devices are named for themselves, whatever engine they run.
_DEVICES: tuple[tuple[str, str], ...] = (
    ("crkey", "Chromecast"),
    ("appletv", "Apple TV"),
    ("web0s", "LG TV"),
    ("webos", "LG TV"),
    ("tizen", "Samsung TV"),
    ("smart-tv", "Smart TV"),
    ("smarttv", "Smart TV"),
)
_SYSTEMS: tuple[tuple[str, str], ...] = (
    ("iphone", "iPhone"),
    ("ipad", "iPad"),
    ("ipod", "iPod"),
    ("android", "Android"),
    ("windows", "Windows"),
    ("cros", "ChromeOS"),
    ("mac os x", "macOS"),
    ("macintosh", "macOS"),
    ("linux", "Linux"),
)
UNKNOWN = "Unknown device"
# The first product token of a non-browser client: "curl/8.5.0" → "curl".
_PRODUCT = re.compile(r"^\s*([A-Za-z][A-Za-z0-9._-]{0,39})")


def device_name(user_agent: str) -> str:
    """ "Firefox on Windows", "Safari on iPhone", "curl", or "Unknown device"."""
    ua = user_agent.lower()
    device = next((name for key, name in _DEVICES if key in ua), None)
    if device:
        return device
    browser = next((name for key, name in _BROWSERS if key in ua), None)
    system = next((name for key, name in _SYSTEMS if key in ua), None)
    if browser == "Safari" and "version/" not in ua and system not in ("iPhone", "iPad", "iPod"):
        # Android's WebView and other embedders say "Safari" without being it.
        browser = None
    if browser and system:
        return f"{browser} on {system}"
    if system:
        return f"{system} device"
    if browser:
        return browser
    if "mozilla/" in ua:
        return UNKNOWN
    product = _PRODUCT.match(user_agent)
    return product.group(1) if product else UNKNOWN
