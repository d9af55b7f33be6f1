"""Comment, reaction, rating and review bodies.

Text is plain text both ways: trimmed, at least one visible character, no control
characters (tabs and line breaks are kept; CRLF becomes LF). Nothing is escaped or
"sanitised": what was written is stored and returned as it was, in a JSON body. Clients
show it as text (the web app never inserts it as HTML), so ``<script>`` in a comment
is just those eight characters.

The patterns spell out the space and control characters instead of using ``\\s``,
which differs between Python, Rust (pydantic-core) and the ECMA regexes of JSON Schema:
what the OpenAPI document promises is what the API accepts.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from kinema.catalog.models import Emoji, ReportReason

_SPACE = r"\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
# No control character, and at least one character that is neither space nor control.
PLAIN_TEXT_PATTERN = rf"^[^{_CONTROL}]*[^{_CONTROL}{_SPACE}][^{_CONTROL}]*$"
_NOTE_PATTERN = rf"^[^{_CONTROL}]*$"

COMMENT_MAX = 2000
REVIEW_MAX = 5000
# A week: further than any video runs, and short of what a float cannot say exactly.
MAX_POSITION_S = 7 * 24 * 3600.0


def _unix_newlines(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n")


CommentText = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=COMMENT_MAX, pattern=PLAIN_TEXT_PATTERN
    ),
    AfterValidator(_unix_newlines),
]
ReviewText = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=REVIEW_MAX, pattern=PLAIN_TEXT_PATTERN
    ),
    AfterValidator(_unix_newlines),
]
Position = Annotated[float, Field(ge=0, le=MAX_POSITION_S, allow_inf_nan=False)]
Stars = Annotated[int, Field(ge=1, le=5)]


class Author(BaseModel):
    """Who wrote it: the profile's name and avatar (never its id or account)."""

    name: str
    avatar: str | None


class ReactionCount(BaseModel):
    emoji: Emoji
    count: int


# --- comments ------------------------------------------------------------------------


class CommentCreate(BaseModel):
    body: CommentText


class VideoCommentCreate(BaseModel):
    body: CommentText
    position_s: Position | None = Field(
        default=None,
        description="Pin the comment to this moment of the video (seconds); a moment past "
        "the end is taken as the end.",
    )


class CommentUpdate(BaseModel):
    body: CommentText


class CommentPublic(BaseModel):
    id: uuid.UUID
    title_id: uuid.UUID
    video_id: uuid.UUID | None = Field(description="None: a comment on the title as a whole.")
    parent_id: uuid.UUID | None = Field(description="The comment this one replies to.")
    position_s: float | None = Field(description="The moment of the video it is pinned to.")
    body: str = Field(description="Plain text (empty once deleted): render it as text.")
    author: Author | None = Field(description="None once deleted.")
    created_at: datetime
    edited_at: datetime | None
    deleted: bool = Field(description="Deleted, and kept only because it has replies.")
    reply_count: int
    reactions: list[ReactionCount]
    my_reactions: list[Emoji]
    mine: bool = Field(description="Written by the current profile (it may edit it).")


class CommentPage(BaseModel):
    items: list[CommentPublic]
    total: int
    next_offset: int | None = Field(description="The offset of the next page; None at the end.")


class ReactionsPublic(BaseModel):
    comment_id: uuid.UUID
    reactions: list[ReactionCount]
    mine: list[Emoji]


class ReportCreate(BaseModel):
    reason: ReportReason
    note: Annotated[
        str, StringConstraints(strip_whitespace=True, max_length=500, pattern=_NOTE_PATTERN)
    ] = ""


class ReportPublic(BaseModel):
    id: uuid.UUID
    comment: CommentPublic
    reason: ReportReason
    note: str
    reporter: str = Field(description="The reporting profile's name.")
    created_at: datetime
    resolved_at: datetime | None


class ReportPage(BaseModel):
    items: list[ReportPublic]
    total: int
    next_offset: int | None


# --- the moderation queue (admins) -----------------------------------------------------


class ReasonCount(BaseModel):
    reason: ReportReason
    count: int


class ReportSummary(BaseModel):
    """One report of a queued comment."""

    reason: ReportReason
    note: str = Field(description="Plain text: render it as text.")
    reporter: Author = Field(description="The reporting profile.")
    created_at: datetime
    resolved_at: datetime | None


class ReportedCommentPublic(BaseModel):
    """A reported comment as the moderation queue shows it."""

    comment_id: uuid.UUID
    title_id: uuid.UUID
    title: str
    video_id: uuid.UUID | None
    episode: str | None = Field(description="'S1:E2 Name' for an episode, else null")
    position_s: float | None
    body: str = Field(description="Plain text (empty once deleted): render it as text.")
    author: Author | None = Field(description="None once deleted.")
    created_at: datetime
    deleted: bool
    open: bool = Field(description="At least one report is not dealt with yet.")
    report_count: int = Field(description="Reports listed (the open ones in the open queue).")
    reasons: list[ReasonCount] = Field(description="Reports per reason, most first.")
    last_reported_at: datetime
    reports: list[ReportSummary] = Field(description="Newest first (at most 20).")


class ReportedCommentPage(BaseModel):
    items: list[ReportedCommentPublic]
    total: int
    next_offset: int | None


# --- reactions on a video --------------------------------------------------------------


class TimelineReactionCreate(BaseModel):
    emoji: Emoji
    position_s: Position = Field(description="The moment of the video (a moment past the end "
                                 "is taken as the end).")  # fmt: skip


class TimelineReactionPublic(BaseModel):
    id: uuid.UUID
    video_id: uuid.UUID
    emoji: Emoji
    position_s: float
    created_at: datetime


class DensityBucket(BaseModel):
    start_s: float
    end_s: float
    total: int
    reactions: list[ReactionCount] = Field(description="Counts per emoji, most first.")


class DensityPublic(BaseModel):
    """Reactions along a video, for the strip above the seek bar."""

    video_id: uuid.UUID
    duration_s: float
    bucket_s: float
    max_total: int = Field(description="The largest bucket total (for scaling the strip).")
    buckets: list[DensityBucket]


# --- ratings and reviews ---------------------------------------------------------------


class RatingCount(BaseModel):
    score: int
    count: int


class RatingSummaryPublic(BaseModel):
    title_id: uuid.UUID
    average: float | None
    count: int
    distribution: list[RatingCount] = Field(description="How many gave 1, 2, 3, 4 and 5.")
    mine: int | None = Field(description="The current profile's rating.")


class ReviewWrite(BaseModel):
    body: ReviewText
    score: Stars


class ReviewPublic(BaseModel):
    id: uuid.UUID
    title_id: uuid.UUID
    author: Author
    body: str = Field(description="Plain text: render it as text.")
    score: int
    created_at: datetime
    edited_at: datetime | None
    helpful_count: int
    voted_helpful: bool
    mine: bool


class ReviewPage(BaseModel):
    items: list[ReviewPublic]
    total: int
    next_offset: int | None
    mine: ReviewPublic | None = Field(description="The current profile's review, if any.")


class HelpfulPublic(BaseModel):
    review_id: uuid.UUID
    helpful_count: int
    voted_helpful: bool
