"""The edge's nginx configuration: validated values into a fixed template.

Nothing a user types is pasted into the configuration as text: every value is checked
(:class:`EdgeConfig`) against what nginx's grammar allows at its place (a port number,
an IP address, a host name, an absolute path of plain characters, a size, a duration),
and the template (``nginx.conf.template`` next to this module) has named placeholders
only, each filled exactly once. ``kinema up --edge`` renders it for its own nginx; the
Helm chart's edge Deployment renders it in an init container (``kinema edge config``).
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from kinema.errors import KinemaError

TEMPLATE = Path(__file__).with_name("nginx.conf.template")
_PLACEHOLDER = re.compile(r"\{\{ ([a-z_]+) \}\}")
# Plain absolute paths: no whitespace, quotes, semicolons, braces or variables.
_PATH = re.compile(r"^/[A-Za-z0-9._/-]{0,400}$")
_HOST = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
# nginx durations: a number and a unit (``10s``, ``1y``).
_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
_DURATION = re.compile(r"^[1-9][0-9]{0,5}(ms|s|m|h|d|w|M|y)$")

Port = Annotated[int, Field(ge=1, le=65535)]


class EdgeConfigError(KinemaError):
    """A value for the edge's configuration that nginx should never see."""


def _host(value: str) -> str:
    """An IP address (IPv6 bracketed) or a DNS name."""
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        if not _HOST.match(value):
            raise ValueError(f"{value!r} is not an IP address or a host name") from None
        return value
    return f"[{address}]" if address.version == 6 else str(address)


class EdgeConfig(BaseModel):
    """Everything the edge's nginx configuration varies by."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    listen_host: str = "127.0.0.1"
    listen_port: Port = 8080
    origin_host: str = "127.0.0.1"
    origin_port: Port = 8000
    cache_dir: str
    run_dir: str
    # "stderr" (in a container) or a file under run_dir.
    error_log: str | None = None
    # A log of each request's timing and cache status, for measuring the edge (None: no
    # access log). It never holds the URL: tokens sit in the path.
    timing_log: str | None = None
    # The account nginx's workers run as when it is started as root (kinema up as root:
    # that same account, so they can read the data directory); None: nginx's default,
    # and as any other user nginx ignores it.
    user: str | None = None
    workers: int = Field(default=1, ge=1, le=64)
    worker_connections: int = Field(default=4096, ge=64, le=65536)
    keys_mb: int = Field(default=32, ge=1, le=4096)
    max_size_mb: int = Field(default=10240, ge=16, le=10_000_000)
    auth_keys_mb: int = Field(default=8, ge=1, le=1024)
    auth_max_size_mb: int = Field(default=256, ge=16, le=100_000)
    # How long an unused cached file is kept.
    inactive: str = "7d"
    # Segments never change under their key (it holds the output generation): immutable.
    segment_ttl: str = "30d"
    # Manifests: briefly; a republished video's manifests get a new key at once.
    manifest_ttl: str = "10s"

    @field_validator("listen_host", "origin_host")
    @classmethod
    def _valid_host(cls, value: str) -> str:
        return _host(value)

    @field_validator("cache_dir", "run_dir")
    @classmethod
    def _valid_path(cls, value: str) -> str:
        if not _PATH.match(value) or "/../" in f"{value}/" or "/./" in f"{value}/":
            raise ValueError(f"{value!r} is not a plain absolute path")
        return value.rstrip("/") or "/"

    @field_validator("error_log", "timing_log")
    @classmethod
    def _valid_log(cls, value: str | None) -> str | None:
        if value is None or value == "stderr":
            return value
        return cls._valid_path(value)

    @field_validator("user")
    @classmethod
    def _valid_user(cls, value: str | None) -> str | None:
        if value is not None and not _NAME.match(value):
            raise ValueError(f"{value!r} is not a user name")
        return value

    @field_validator("inactive", "segment_ttl", "manifest_ttl")
    @classmethod
    def _valid_duration(cls, value: str) -> str:
        if not _DURATION.match(value):
            raise ValueError(f"{value!r} is not an nginx duration (like 10s, 30d)")
        return value

    def values(self) -> dict[str, str]:
        return {
            "user": f"user {self.user};" if self.user else "# user: nginx's default",
            "workers": str(self.workers),
            "worker_connections": str(self.worker_connections),
            "run_dir": self.run_dir,
            "error_log": self.error_log or f"{self.run_dir}/error.log",
            "access_log": (
                f"access_log {'/dev/stderr' if self.timing_log == 'stderr' else self.timing_log}"
                " kinema_timing;"
                if self.timing_log
                else "access_log off;"
            ),
            "cache_dir": self.cache_dir,
            "keys_mb": str(self.keys_mb),
            "max_size_mb": str(self.max_size_mb),
            "auth_keys_mb": str(self.auth_keys_mb),
            "auth_max_size_mb": str(self.auth_max_size_mb),
            "inactive": self.inactive,
            "origin": f"{self.origin_host}:{self.origin_port}",
            "listen": f"{self.listen_host}:{self.listen_port}",
            "segment_ttl": self.segment_ttl,
            "manifest_ttl": self.manifest_ttl,
        }


def edge_config(**values: object) -> EdgeConfig:
    """An :class:`EdgeConfig`, or :class:`EdgeConfigError` naming what is wrong."""
    try:
        return EdgeConfig.model_validate(values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise EdgeConfigError(f"edge configuration: {problems}") from exc


def render(config: EdgeConfig, template: str | None = None) -> str:
    """The nginx configuration: each placeholder of the template filled with its
    validated value; a placeholder without a value, or a value without a placeholder,
    is a bug and raises."""
    text = TEMPLATE.read_text() if template is None else template
    values = config.values()
    used = set(_PLACEHOLDER.findall(text))
    if used != set(values):
        missing, unused = sorted(used - set(values)), sorted(set(values) - used)
        raise EdgeConfigError(f"edge template mismatch: missing {missing}, unused {unused}")
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)
