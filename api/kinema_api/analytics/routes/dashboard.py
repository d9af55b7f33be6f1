"""Admin analytics: Overview, Quality of experience, Content, Business and Pipeline, each
with a date range and filters as query parameters, and CSV export of each table.

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
from kinema_api.analytics.schemas import (
    AudiencePublic,
    BusinessPublic,
    ContentPublic,
    Dimension,
    OverviewPublic,
    PipelinePublic,
    PlanRow,
    QoePublic,
)
from kinema_api.analytics.services import audience, business, content, pipeline, qoe
from kinema_api.analytics.services.export import to_csv
from kinema_api.analytics.services.filters import dashboard_filters
from kinema_api.analytics.services.rollup_queries import Filters
from kinema_api.billing.services.stats import billing_stats
from kinema_api.common import ERRORS
from kinema_api.deps import AdminViewer, ReadSessionDep

router = APIRouter(prefix="/admin/analytics", tags=["analytics"], responses=ERRORS)
FiltersDep = Annotated[Filters, Depends(dashboard_filters)]
ByDep = Annotated[Dimension, Query(description="What the QoE breakdown groups by.")]
TzDep = Annotated[
    str, Query(max_length=64, description="IANA time zone of the heatmap's days and hours.")
]


@router.get("/overview", summary="Streams now, plays and watch hours vs the period before")
def overview(_admin: AdminViewer, session: ReadSessionDep, f: FiltersDep) -> OverviewPublic:
    """``current`` is the range (the web app asks for today: UTC midnight to now);
    ``previous`` the range of the same length just before it."""
    now = utcnow()
    length = f.end - f.start
    stats = billing_stats(session, now=now, month=None)
    return OverviewPublic(
        watching_now=business.watching_now(session, now=now),
        current=business.period(session, start=f.start, end=f.end),
        previous=business.period(session, start=f.start - length, end=f.start),
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


def _business(session: ReadSessionDep, f: Filters) -> BusinessPublic:
    now = utcnow()
    stats = billing_stats(session, now=now, month=None)
    trials = business.trials_per_plan(session)
    return BusinessPublic(
        plans=[
            PlanRow(
                slug=p.slug, name=p.name, subscribers=p.subscribers, trials=trials.get(p.slug, 0)
            )
            for p in stats.plans
        ],
        mrr_cents=stats.mrr_cents,
        currency=stats.currency,
        churn_rate=stats.churn.rate,
        churn_canceled=stats.churn.canceled,
        new_subscribers=business.new_subscribers(session, start=f.start, end=f.end),
        failed_payments=business.failed_payments(session),
    )


@router.get("/business", summary="Subscribers per plan, trials, MRR, churn, failed payments")
def business_page(_admin: AdminViewer, session: ReadSessionDep, f: FiltersDep) -> BusinessPublic:
    return _business(session, f)


@router.get("/pipeline", summary="Transcode jobs by state, encode speed, failures, storage")
def pipeline_page(_admin: AdminViewer, session: ReadSessionDep, f: FiltersDep) -> PipelinePublic:
    return pipeline.pipeline(session, start=f.start, end=f.end)


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
        return list(_business(session, f).plans)
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
    columns = list(type(rows[0]).model_fields) if rows else []
    stamp = f"{f.start:%Y%m%d}-{(f.end - timedelta(seconds=1)):%Y%m%d}"
    return Response(
        to_csv(rows, columns=columns),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{table.value}-{stamp}.csv"'},
    )
