"""Admin analytics bodies. Definitions of every figure: ``docs/analytics.md``."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field


class Grain(StrEnum):
    HOUR = "hour"
    DAY = "day"


class Dimension(StrEnum):
    TITLE = "title"
    PLAN = "plan"
    BROWSER = "browser"
    RUNG = "rung"


class QoeFigures(BaseModel):
    """Quality of experience over a set of rollup rows."""

    plays: int = Field(description="Videos that reached their first frame (start events).")
    views: int = Field(description="Viewings the player reported on (end or error).")
    startup_p50_ms: int | None
    startup_p95_ms: int | None
    startup_mean_ms: float | None
    rebuffer_pct: float | None = Field(description="Stall time / (watch time + stall time).")
    rebuffer_per_minute: float | None = Field(description="Stalls per minute watched.")
    ebvs_pct: float | None = Field(description="Exits before video start / views.")
    start_failure_pct: float | None
    playback_failure_pct: float | None
    average_bitrate: float | None = Field(description="Bits/s, weighted by watch time.")
    switches_per_view: float | None
    watch_hours: float


class QoePoint(QoeFigures):
    bucket: datetime


class QoeGroup(QoeFigures):
    key: str = Field(description="The dimension's value (a title's id for ``title``).")
    label: str


class ErrorCount(BaseModel):
    code: str
    start_failures: int
    playback_failures: int


class QoePublic(BaseModel):
    summary: QoeFigures
    series: list[QoePoint]
    breakdown: list[QoeGroup]
    errors: list[ErrorCount]


class Period(BaseModel):
    start: datetime
    end: datetime = Field(description="Exclusive; the current period ends now.")
    plays: int
    watch_hours: float
    new_subscribers: int


class OverviewPublic(BaseModel):
    watching_now: int = Field(description="Streams with a live lease (seen in 2 minutes).")
    current: Period
    previous: Period = Field(
        description="The period of the same length (in whole hours) just before ``current``."
    )
    mrr_cents: int
    currency: str
    churn_rate: float


class TitleRow(BaseModel):
    title_id: uuid.UUID
    title: str
    plays: int
    views: int
    watch_hours: float
    completion_pct: float | None


class RetentionPoint(BaseModel):
    reach_pct: int
    viewers_pct: float


class DropOff(BaseModel):
    """A fall of the retention curve between two consecutive points."""

    from_pct: int
    to_pct: int
    lost_pct: float = Field(description="Share of the views lost between the two points.")


class RetentionPublic(BaseModel):
    video_id: uuid.UUID
    title_id: uuid.UUID | None
    label: str
    views: int
    curve: list[RetentionPoint]
    drop_offs: list[DropOff] = Field(
        description="The largest falls between consecutive points, largest first (at most 3)."
    )


class RetentionVideo(BaseModel):
    """A video whose retention curve the Content page can show."""

    video_id: uuid.UUID
    title_id: uuid.UUID
    label: str
    views: int = Field(description="Views that said how far they got, in the range.")


class ContentPublic(BaseModel):
    titles: list[TitleRow]
    retention: RetentionPublic | None = Field(
        description="The top video's curve, or ``retention_video_id``'s when given."
    )
    videos: list[RetentionVideo] = Field(
        description="Videos with a curve in the range, most views first (at most 100)."
    )


class DimensionOption(BaseModel):
    value: str
    label: str


class DimensionsPublic(BaseModel):
    """The values each filter can take in a range: those found in its rollups."""

    plans: list[DimensionOption]
    browsers: list[DimensionOption]
    rungs: list[DimensionOption]
    titles: list[DimensionOption]


class PlanRow(BaseModel):
    slug: str
    name: str
    subscribers: int
    trials: int


class BusinessPublic(BaseModel):
    plans: list[PlanRow]
    mrr_cents: int
    currency: str
    churn_rate: float
    churn_canceled: int
    new_subscribers: int
    failed_payments: int = Field(description="Subscriptions past due (a renewal failed).")
    claude_spent_usd: float = Field(
        description="USD spent on Claude this calendar month (UTC), whatever the range: "
        "auto-tagging runs and the recommender's notes."
    )
    claude_cap_usd: float = Field(
        description="The monthly cap on that spend (KINEMA_ANTHROPIC_MONTHLY_COST_CAP_USD); "
        "0 when no Anthropic key is set (the local models do the work)."
    )


class JobStateRow(BaseModel):
    status: str
    jobs: int


class JobRow(BaseModel):
    video_id: uuid.UUID
    title: str
    status: str
    speed_x_realtime: float | None = Field(description="Video duration / encode wall time.")
    error: str | None
    storage_bytes: int
    finished_at: datetime | None


class PipelinePublic(BaseModel):
    states: list[JobStateRow]
    jobs: list[JobRow]
    median_speed_x_realtime: float | None
    failures: int
    queued_now: int = Field(description="Transcode jobs waiting now, whenever created.")
    running_now: int = Field(description="Transcode jobs being encoded now.")


class HeatCell(BaseModel):
    weekday: int = Field(ge=0, le=6, description="0 is Monday, in ``time_zone``.")
    hour: int = Field(ge=0, le=23)
    plays: int
    watch_hours: float


class DeviceRow(BaseModel):
    browser: str
    os: str
    plays: int
    views: int
    watch_hours: float


class AudiencePoint(BaseModel):
    bucket: datetime
    plays: int
    watch_hours: float
    binge_sessions: int
    active_profiles: int = Field(description="Profiles that played something in the bucket.")
    new_profiles: int = Field(description="Of those, the ones whose first play was in it.")
    returning_profiles: int


class AudienceSummary(BaseModel):
    plays: int
    watch_hours: float
    binge_sessions: int = Field(description="Runs of 3+ videos, gaps under 30 minutes.")
    binge_plays: int = Field(description="Plays inside binge sessions.")
    videos_per_binge: float | None
    binge_share_pct: float | None = Field(description="binge_plays / plays.")
    active_profiles: int = Field(description="Profiles that played something in the range.")
    new_profiles: int = Field(description="Of those, the ones whose first play was in it.")
    returning_profiles: int


class AudiencePublic(BaseModel):
    time_zone: str = Field(description="The zone the heatmap's days and hours are in.")
    summary: AudienceSummary
    series: list[AudiencePoint]
    heatmap: list[HeatCell] = Field(description="7 by 24 cells, Monday 00:00 first.")
    devices: list[DeviceRow]
