"""Claude through the Messages API (``anthropic`` SDK): :class:`Claude` asks (retries
with backoff on 429, 529 and other 5xx answers, a monthly cost cap counted from each
response's ``usage``), and :class:`ClaudeTagger` sends it a title's text and keyframes
and validates the JSON answer with pydantic. The recommender's "why you may like it"
notes (:mod:`kinema.recommend.why`) ask through the same :class:`Claude`.

Every failure raises :class:`ClaudeFailed` with a short reason and the usage already
spent (an invalid answer still cost its tokens); the caller records both.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import anthropic
from pydantic import BaseModel, Field, ValidationError

from kinema.settings import Settings
from kinema.tagging.types import MATURITIES, Suggested, TaggingInput, already_has

SUBTITLE_CHARS = 6000
SYSTEM = (
    "You tag titles for a video streaming catalog. From the title's name, description, "
    "subtitle excerpt and keyframes, suggest genres, moods and themes and a maturity "
    "rating. Answer with one JSON object only, no prose, shaped as: "
    '{"genres": [{"name": str, "confidence": 0..1, "reason": str}], "moods": [...], '
    '"themes": [...], "maturity": {"rating": one of ' + ", ".join(MATURITIES) + ", "
    '"confidence": 0..1, "reason": str}}. At most 3 items per list; short reasons.'
)
RETRY_STATUSES = frozenset({408, 409, 429, 529})


class Item(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    confidence: float = Field(ge=0, le=1)
    reason: str = Field(default="", max_length=500)


class MaturityItem(BaseModel):
    rating: str = Field(pattern="^(" + "|".join(re.escape(m) for m in MATURITIES) + ")$")
    confidence: float = Field(ge=0, le=1)
    reason: str = Field(default="", max_length=500)


class Answer(BaseModel):
    genres: list[Item] = Field(default_factory=list, max_length=5)
    moods: list[Item] = Field(default_factory=list, max_length=5)
    themes: list[Item] = Field(default_factory=list, max_length=5)
    maturity: MaturityItem | None = None


@dataclass(frozen=True, slots=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.cost_usd + other.cost_usd,
        )


@dataclass(frozen=True, slots=True)
class ClaudeResult:
    suggestions: list[Suggested]
    usage: Usage


class ClaudeFailed(Exception):
    def __init__(self, reason: str, usage: Usage | None = None, *, capped: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason[:500]
        self.usage = usage or Usage()
        # The monthly cost cap is reached: no call was made, and none should be this month.
        self.capped = capped


def cost(settings: Settings, input_tokens: int, output_tokens: int) -> float:
    return (
        input_tokens * settings.anthropic_input_usd_per_mtok
        + output_tokens * settings.anthropic_output_usd_per_mtok
    ) / 1_000_000


def request_content(inp: TaggingInput) -> list[dict[str, object]]:
    """The user message: keyframes as base64 JPEG image blocks, then the text."""
    blocks: list[dict[str, object]] = [
        {
            "type": "image",
            "source": {
                "type": "base64",
                "media_type": "image/jpeg",
                "data": base64.b64encode(frame).decode("ascii"),
            },
        }
        for frame in inp.keyframes
    ]
    text = {
        "name": inp.name,
        "description": inp.description,
        "current_genres": list(inp.genres),
        "current_tags": list(inp.tags),
        "current_maturity": inp.maturity,
        "subtitle_excerpt": inp.subtitles[:SUBTITLE_CHARS],
    }
    blocks.append({"type": "text", "text": json.dumps(text, ensure_ascii=False)})
    return blocks


def json_object(text: str) -> str:
    """The JSON object in an answer (a fenced block is accepted)."""
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end < start:
        raise ValueError("the answer holds no JSON object")
    return text[start : end + 1]


def parse_answer(text: str) -> Answer:
    return Answer.model_validate_json(json_object(text))


def to_suggestions(inp: TaggingInput, answer: Answer) -> list[Suggested]:
    out: list[Suggested] = []
    for kind, items in (("genre", answer.genres), ("mood", answer.moods),
                        ("theme", answer.themes)):  # fmt: skip
        seen: set[str] = set()
        for item in items:
            name = " ".join(item.name.split())
            if name.lower() in seen:
                continue
            seen.add(name.lower())
            out.append(Suggested(kind, name, round(item.confidence, 3), item.reason.strip()))
    if answer.maturity is not None:
        m = answer.maturity
        out.append(Suggested("maturity", m.rating, round(m.confidence, 3), m.reason.strip()))
    return [s for s in out if not already_has(inp, s)]


class Claude:
    """One configured client: ``ask`` checks the monthly cap, retries, and returns the
    answer's text with what it cost."""

    def __init__(
        self,
        settings: Settings,
        *,
        spent_this_month: Callable[[], float],
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if settings.anthropic_api_key is None:
            raise ValueError("KINEMA_ANTHROPIC_API_KEY is not set")
        self.settings = settings
        self.spent_this_month = spent_this_month
        self.sleep = sleep
        self.client = anthropic.Anthropic(
            api_key=settings.anthropic_api_key.get_secret_value(),
            base_url=settings.anthropic_base_url or None,
            max_retries=0,  # our own loop: it counts attempts and logs the reason
            timeout=settings.anthropic_timeout_s,
        )

    def close(self) -> None:
        self.client.close()

    def ask(self, system: str, content: list[dict[str, object]]) -> tuple[str, Usage]:
        """The text of Claude's answer to one user message, and its usage."""
        cap = self.settings.anthropic_monthly_cost_cap_usd
        spent = self.spent_this_month()
        if spent >= cap:
            raise ClaudeFailed(
                f"the monthly Claude cost cap (USD {cap:.2f}) is reached "
                f"(USD {spent:.4f} spent this month)",
                capped=True,
            )
        blocks = cast("list[anthropic.types.ContentBlockParam]", content)
        response = self._create(system, {"role": "user", "content": blocks})
        usage = Usage(
            response.usage.input_tokens,
            response.usage.output_tokens,
            cost(self.settings, response.usage.input_tokens, response.usage.output_tokens),
        )
        return "".join(b.text for b in response.content if b.type == "text"), usage

    def _create(
        self, system: str, message: anthropic.types.MessageParam
    ) -> anthropic.types.Message:
        attempts = self.settings.anthropic_max_retries + 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                return self.client.messages.create(
                    model=self.settings.anthropic_model,
                    max_tokens=self.settings.anthropic_max_tokens,
                    system=system,
                    messages=[message],
                )
            except anthropic.APIStatusError as exc:
                status = exc.status_code
                if last or not (status in RETRY_STATUSES or status >= 500):
                    raise ClaudeFailed(
                        f"Claude answered {status} after {attempt + 1} attempt(s): {_message(exc)}"
                    ) from exc
            except anthropic.APIConnectionError as exc:
                if last:
                    raise ClaudeFailed(
                        f"cannot reach Claude after {attempt + 1} attempt(s): {exc}"
                    ) from exc
            except anthropic.APIError as exc:  # e.g. a response that is not a Message
                raise ClaudeFailed(f"Claude's response is not usable: {exc}") from exc
            self.sleep(self.settings.anthropic_backoff_s * 2**attempt)
        raise AssertionError("unreachable")


class ClaudeTagger:
    def __init__(
        self,
        settings: Settings,
        *,
        spent_this_month: Callable[[], float],
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.claude = Claude(settings, spent_this_month=spent_this_month, sleep=sleep)

    def close(self) -> None:
        self.claude.close()

    def suggest(self, inp: TaggingInput) -> ClaudeResult:
        text, usage = self.claude.ask(SYSTEM, request_content(inp))
        try:
            answer = parse_answer(text)
        except (ValueError, ValidationError) as exc:
            raise ClaudeFailed(f"Claude's answer is not valid: {first_line(exc)}", usage) from exc
        return ClaudeResult(to_suggestions(inp, answer), usage)


def first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _message(exc: anthropic.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return f"{error.get('type', 'error')}: {error['message']}"
    return exc.message
