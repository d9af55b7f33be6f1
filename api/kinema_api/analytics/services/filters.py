"""The dashboard's date range and filters, read from query parameters."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends, Query

from kinema.catalog.models import utcnow
from kinema_api.analytics.schemas import Grain
from kinema_api.analytics.services.rollup_queries import Filters
from kinema_api.errors import InvalidResource

MAX_RANGE = {Grain.HOUR: timedelta(days=31), Grain.DAY: timedelta(days=800)}
Dim = Annotated[str | None, Query(max_length=63)]


def dashboard_range(
    start: Annotated[
        datetime | None, Query(description="Range start (UTC); 7 days before `end` by default.")
    ] = None,
    end: Annotated[
        datetime | None, Query(description="Range end (exclusive); now by default.")
    ] = None,
    grain: Grain = Grain.DAY,
) -> Filters:
    """The range alone, for the pages whose figures have no title, plan, browser or rung
    (Overview, Business, Pipeline): they take no dimension parameters at all."""
    for value in (start, end):
        if value is not None and value.tzinfo is None:
            raise InvalidResource("start and end need a time zone (e.g. 2026-12-01T00:00:00Z)")
    end = end or utcnow()
    start = start or end - timedelta(days=7)
    if start >= end:
        raise InvalidResource("start must be before end")
    if end - start > MAX_RANGE[grain]:
        raise InvalidResource(f"a range by {grain.value} is at most {MAX_RANGE[grain].days} days")
    return Filters(start=start, end=end, grain=grain)


def dashboard_filters(
    span: Annotated[Filters, Depends(dashboard_range)],
    title_id: uuid.UUID | None = None,
    video_id: uuid.UUID | None = None,
    plan: Dim = None,
    browser: Dim = None,
    rung: Dim = None,
) -> Filters:
    """The range and the dimension filters (Quality, Content, Audience)."""
    return dataclasses.replace(
        span, title_id=title_id, video_id=video_id, plan=plan, browser=browser, rung=rung
    )
