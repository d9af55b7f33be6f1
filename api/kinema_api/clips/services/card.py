"""The link card of ``/clip/<id>``: the web app's HTML with OpenGraph and Twitter tags.

Chat apps and social sites read a link's ``<meta>`` tags without running scripts, so
the server writes them into the shell it serves for the page: the clip's title,
caption and still (and its preview video). Every value is escaped for an attribute
(``html.escape(quote=True)``) before it is written: a caption is text somebody typed,
and ``"><script>`` in it must stay those characters. A clip that does not exist, or
that the signed-in profile may not see, gets the plain shell (the web app then shows
the error), so a card never tells more than the API would.
"""

from __future__ import annotations

import html
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from kinema.catalog.errors import NotFound
from kinema.catalog.models import PreviewState
from kinema_api.accounts.services.auth import Viewer
from kinema_api.catalog.services.views import episode_label
from kinema_api.clips.services.clips import preview_url, visible_clip
from kinema_api.errors import ApiError

SITE = "Kinema"


@dataclass(frozen=True, slots=True)
class Card:
    title: str
    description: str
    page_url: str
    still_url: str | None
    video_url: str | None


def meta_tags(card: Card) -> str:
    """``<meta>`` tags for the card, every value attribute-escaped."""
    pairs: list[tuple[str, str, str]] = [
        ("property", "og:type", "video.other" if card.video_url else "website"),
        ("property", "og:site_name", SITE),
        ("property", "og:title", card.title),
        ("property", "og:description", card.description),
        ("property", "og:url", card.page_url),
        ("name", "twitter:card", "summary_large_image" if card.still_url else "summary"),
        ("name", "twitter:title", card.title),
        ("name", "twitter:description", card.description),
    ]
    if card.still_url:
        pairs += [
            ("property", "og:image", card.still_url),
            ("name", "twitter:image", card.still_url),
        ]
    if card.video_url:
        pairs += [
            ("property", "og:video", card.video_url),
            ("property", "og:video:type", "video/mp4"),
        ]
    pairs.append(("name", "description", card.description))
    lines = [
        f'<meta {attr}="{_attr(key)}" content="{_attr(value)}" />' for attr, key, value in pairs
    ]
    return "\n    ".join(lines)


def with_card(shell: str, card: Card) -> str:
    """The shell with its ``<title>`` and description replaced and the card's tags added."""
    head_end = shell.find("</head>")
    if head_end < 0:
        return shell
    title = f"<title>{html.escape(f'{card.title} · {SITE}', quote=False)}</title>"
    kept = [
        line
        for line in shell[:head_end].splitlines()
        if "<title>" not in line and 'name="description"' not in line
    ]
    return "\n".join(kept) + f"\n    {title}\n    {meta_tags(card)}\n  " + shell[head_end:]


def card_for(
    session: Session, *, viewer: Viewer | None, clip_id: uuid.UUID, base_url: str
) -> Card | None:
    try:
        clip = visible_clip(session, viewer=viewer, clip_id=clip_id)
    except (NotFound, ApiError):
        return None
    base = base_url.rstrip("/")
    episode = episode_label(clip.video)
    title = f"{clip.video.title.name} · {episode}" if episode else clip.video.title.name
    span = f"{_clock(clip.start_s)}\u2013{_clock(clip.end_s)}"  # an en dash
    ready = clip.preview_state is PreviewState.READY
    return Card(
        title=title,
        description=f"{clip.caption} ({span})" if clip.caption else f"A clip, {span}",
        page_url=f"{base}/clip/{clip.id}",
        still_url=f"{base}{preview_url(clip.id, 'still.jpg')}" if ready else None,
        video_url=f"{base}{preview_url(clip.id, 'preview.mp4')}" if ready else None,
    )


def page(
    session: Session, *, viewer: Viewer | None, clip_id: str, index: Path, base_url: str
) -> str:
    shell = index.read_text(encoding="utf-8")
    try:
        parsed = uuid.UUID(clip_id)
    except ValueError:
        return shell
    card = card_for(session, viewer=viewer, clip_id=parsed, base_url=base_url)
    return shell if card is None else with_card(shell, card)


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def _clock(seconds: float) -> str:
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
