"""Keep playback tokens out of access logs.

A stream URL's token is a credential for minutes; an access log keeps it for months and
is read by more people than the API's secrets. uvicorn logs each request's path, so a
filter on its access logger replaces the token segment of ``/api/v1/stream/<token>/``
with ``…`` before any handler sees the record.
"""

from __future__ import annotations

import logging
import re

_TOKEN = re.compile(r"(/api/v1/stream/)[^/?#\s]+")
ACCESS_LOGGERS = ("uvicorn.access",)


def redact(text: str) -> str:
    return _TOKEN.sub(r"\1…", text)


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def install() -> None:
    """Add the filter to uvicorn's access logger (idempotent)."""
    for name in ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
