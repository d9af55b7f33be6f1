"""Admin analytics: Overview, Quality of experience, Content, Audience, Business and
Pipeline, each with a date range as query parameters (and the dimension filters where the
figures have them: Quality, Content, Audience), the filters' values found in a range, and
CSV export of each table.

Admins only (403 ``forbidden`` for everyone else). Playback figures come from the rollups;
a request never reads the raw events.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel

from kinema.catalog.models import utcnow
from kinema.catalog.services.tagging import month_cost
from kinema_api.analytics.schemas import (
    AudiencePoint,
    AudiencePublic,
    BusinessPublic,
    ContentPublic,
    DeviceRow,
    Dimension,
    DimensionsPublic,
    ErrorCount,
    HeatCell,
    JobRow,
    OverviewPublic,
    PipelinePublic,
    PlanRow,
    QoeGroup,
    QoePoint,
    QoePublic,
    RetentionPoint,
    TitleRow,
)
from kinema_api.analytics.services import (
    audience,
    business,
    content,
    dimensions,
    pipeline,
    qoe,
)
from kinema_api.analytics.services.export import to_csv
from kinema_api.analytics.services.filters import dashboard_filters, dashboard_range
from kinema_api.analytics.services.rollup_queries import Filters
from kinema_api.billing.schemas import BillingStatsPublic
from kinema_api.billing.services.stats import billing_stats
from kinema_api.common import ERRORS
from kinema_api.deps import AdminViewer, ReadSessionDep, SettingsDep

router = APIRouter(prefix="/admin/analytics", tags=["analytics"], responses=ERRORS)
FiltersDep = Annotated[Filters, Depends(dashboard_filters)]
RangeDep = Annotated[Filters, Depends(dashboard_range)]
ByDep = Annotated[Dimension, Query(description="What the QoE breakdown groups by.")]
TzDep = Annotated[
    str, Query(max_length=64, description="IANA time zone of the heatmap's days and hours.")
]


@router.get("/overview", summary="Streams now, plays and watch hours vs the period before")
def overview(_admin: AdminViewer, session: ReadSessionDep, f: RangeDep) -> OverviewPublic:
    """``current`` is the range cut at now (the web app opens on today: UTC midnight to
    now); ``previous`` the whole hours just before it, as many as ``current`` lasts
    (rounded to the hour). Each says which instants it covers."""
    now = utcnow()
    (start, end), (prev_start, prev_end) = business.compared(start=f.start, end=f.end, now=now)
    stats = billing_stats(session, now=now, month=None)
    return OverviewPublic(
        watching_now=business.watching_now(session, now=now),
        current=business.period(session, start=start, end=end),
        previous=business.period(session, start=prev_start, end=prev_end),
        mrr_cents=stats.mrr_cents,
        currency=stats.currency,
        churn_rate=stats.churn.rate,
    )


@router.get("/qoe", summary="Quality of experience: startup, stalls, failures, bitrate")
def qoe_page(
    _admin: AdminViewer, session: ReadSessionDep, f: FiltersDep, by: ByDep = Dimension.TITLE
) -> QoePublic:
    return qoe.qoe(session, f, by=by)


@router.get("/content", summary="Top titles, completion and a retention curve")
def content_page(
    _admin: AdminViewer,
    session: ReadSessionDep,
    f: FiltersDep,
    retention_video_id: uuid.UUID | None = None,
) -> ContentPublic:
    return content.content(session, f, video_id=retention_video_id)


@router.get("/audience", summary="When and on what people watch, binges, new vs returning")
def audience_page(
    _admin: AdminViewer, session: ReadSessionDep, f: FiltersDep, tz: TzDep = "UTC"
) -> AudiencePublic:
    return audience.audience(session, f, zone_name=tz)


def _plans(session: ReadSessionDep, stats: BillingStatsPublic) -> list[PlanRow]:
    trials = business.trials_per_plan(session)
    return [
        PlanRow(slug=p.slug, name=p.name, subscribers=p.subscribers, trials=trials.get(p.slug, 0))
        for p in stats.plans
    ]


def _business(session: ReadSessionDep, f: Filters, *, claude_cap_usd: float) -> BusinessPublic:
    now = utcnow()
    stats = billing_stats(session, now=now, month=None)
    return BusinessPublic(
        plans=_plans(session, stats),
        mrr_cents=stats.mrr_cents,
        currency=stats.currency,
        churn_rate=stats.churn.rate,
        churn_canceled=stats.churn.canceled,
        new_subscribers=business.new_subscribers(session, start=f.start, end=f.end),
        failed_payments=business.failed_payments(session),
        claude_spent_usd=round(month_cost(session, now=now), 4),
        claude_cap_usd=claude_cap_usd,
    )


@router.get(
    "/business",
    summary="Subscribers per plan, trials, MRR, churn, failed payments, Claude's spend",
)
def business_page(
    _admin: AdminViewer, session: ReadSessionDep, settings: SettingsDep, f: RangeDep
) -> BusinessPublic:
    cap = settings.anthropic_monthly_cost_cap_usd if settings.anthropic_api_key else 0.0
    return _business(session, f, claude_cap_usd=cap)


@router.get("/pipeline", summary="Transcode jobs by state, encode speed, failures, storage")
def pipeline_page(_admin: AdminViewer, session: ReadSessionDep, f: RangeDep) -> PipelinePublic:
    return pipeline.pipeline(session, start=f.start, end=f.end)


@router.get("/dimensions", summary="The plans, browsers, rungs and titles played in a range")
def dimensions_page(_admin: AdminViewer, session: ReadSessionDep, f: RangeDep) -> DimensionsPublic:
    """What the filters offer: the values found in the range's rollups."""
    return dimensions.dimensions(session, f)


class Table(StrEnum):
    QOE_SERIES = "qoe_series"
    QOE_BREAKDOWN = "qoe_breakdown"
    ERRORS = "errors"
    TITLES = "titles"
    RETENTION = "retention"
    PLANS = "plans"
    JOBS = "jobs"
    AUDIENCE = "audience"
    HEATMAP = "heatmap"
    DEVICES = "devices"


# Each table's row: its fields are the CSV's columns, written even when no row is.
ROW: dict[Table, type[BaseModel]] = {
    Table.QOE_SERIES: QoePoint,
    Table.QOE_BREAKDOWN: QoeGroup,
    Table.ERRORS: ErrorCount,
    Table.TITLES: TitleRow,
    Table.RETENTION: RetentionPoint,
    Table.PLANS: PlanRow,
    Table.JOBS: JobRow,
    Table.AUDIENCE: AudiencePoint,
    Table.HEATMAP: HeatCell,
    Table.DEVICES: DeviceRow,
}


def _rows(
    table: Table, session: ReadSessionDep, f: Filters, by: Dimension, tz: str
) -> list[BaseModel]:
    if table is Table.AUDIENCE:
        return list(audience.series(session, f))
    if table is Table.HEATMAP:
        return list(audience.heatmap(session, f, zone=audience.time_zone(tz)))
    if table is Table.DEVICES:
        return list(audience.devices(session, f))
    if table is Table.QOE_SERIES:
        return list(qoe.series(session, f))
    if table is Table.QOE_BREAKDOWN:
        return list(qoe.breakdown(session, f, by=by))
    if table is Table.ERRORS:
        return list(qoe.errors(session, f))
    if table is Table.TITLES:
        return list(content.top_titles(session, f, limit=1000))
    if table is Table.RETENTION:
        page = content.content(session, f, video_id=f.video_id)
        return list(page.retention.curve) if page.retention else []
    if table is Table.PLANS:
        return list(_plans(session, billing_stats(session, now=utcnow(), month=None)))
    return list(pipeline.pipeline(session, start=f.start, end=f.end, limit=1000).jobs)


@router.get(
    "/export/{table}.csv",
    summary="One of the dashboard's tables as CSV",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def export(
    table: Table,
    _admin: AdminViewer,
    session: ReadSessionDep,
    f: FiltersDep,
    by: ByDep = Dimension.TITLE,
    tz: TzDep = "UTC",
) -> Response:
    rows = _rows(table, session, f, by, tz)
    stamp = f"{f.start:%Y%m%d}-{(f.end - timedelta(seconds=1)):%Y%m%d}"
    return Response(
        to_csv(rows, columns=list(ROW[table].model_fields)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{table.value}-{stamp}.csv"'},
    )
