"""Security headers on every response, and a Content-Security-Policy on the web app.

Every answer says ``nosniff`` (a segment is never run as a script), no framing (the app
and the API can't be clickjacked), and ``Referrer-Policy: same-origin``. HTML pages of
the built app also get a CSP that allows only our own scripts plus Google's Cast sender
SDK, media and connections to our origin and HTTPS CDNs (CloudFront), and no plugins. The
API's own docs page (Swagger UI loads from a CDN with an inline bootstrap script) gets
only the framing rule.

A pure ASGI middleware rather than Starlette's ``BaseHTTPMiddleware``: that one buffers
streaming responses through a task group, which media and event streams must not pay.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def content_security_policy(
    connect_origins: Sequence[str] = (), media_origins: Sequence[str] = ()
) -> str:
    """The web app's policy; ``connect_origins`` are extra origins the app may call (an
    S3 endpoint that browsers upload parts to, when it is not HTTPS or not a CDN),
    ``media_origins`` extra origins media comes from (the caching edge, when it is not
    HTTPS)."""
    connect = " ".join(("'self'", "https:", *connect_origins, *media_origins))
    media = " ".join(media_origins)
    media = f" {media}" if media else ""
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self' https://www.gstatic.com",
            # React sets style attributes through the CSSOM, which CSP does not govern; the
            # inline allowance is for libraries that add <style> elements.
            "style-src 'self' 'unsafe-inline'",
            f"img-src 'self' data: blob: https:{media}",
            f"media-src 'self' blob: https:{media}",
            f"connect-src {connect}",
            "font-src 'self' data:",
            "worker-src 'self' blob:",
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "object-src 'none'",
        )
    )


ALWAYS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}
DOCS_PREFIX = "/api/docs"


CONTENT_SECURITY_POLICY = content_security_policy()


def origin_of(url: str | None) -> list[str]:
    """``scheme://host[:port]`` of ``url``, as a one-item list (empty for None)."""
    if not url:
        return []
    parts = urlsplit(url)
    return [f"{parts.scheme}://{parts.netloc}"] if parts.scheme and parts.netloc else []


class SecurityHeaders:
    def __init__(self, app: ASGIApp, csp: str = CONTENT_SECURITY_POLICY) -> None:
        self.app = app
        self.csp = csp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in ALWAYS.items():
                    headers.setdefault(name, value)
                if headers.get("content-type", "").startswith("text/html"):
                    if path.startswith(DOCS_PREFIX):
                        headers.setdefault("content-security-policy", "frame-ancestors 'none'")
                    else:
                        headers.setdefault("content-security-policy", self.csp)
            await send(message)

        await self.app(scope, receive, send_with_headers)
