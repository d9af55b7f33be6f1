"""One settings object for every component, read from ``KINEMA_*`` environment variables.

Unset means the embedded default: SQLite and local files under ``data_dir``, an
in-process cache, no cluster. Setting a URL switches that part to its production
backend (PostgreSQL, Redis, S3, Kubernetes) without any other change.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from datetime import timedelta
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from kinema.errors import ConfigError

# Values that must never sign anything, in any environment. The last one was once a
# built-in default; it stays refused so an old deployment's config cannot bring it back.
PLACEHOLDER_SECRETS = frozenset(
    {"", "changeme", "change-me", "secret", "kinema", "development-only-secret"}
)
MIN_SECRET_LENGTH = 16
SECRET_FILE = "secret-key"  # noqa: S105 - a file name


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KINEMA_", extra="ignore")

    environment: Environment = Environment.DEVELOPMENT
    data_dir: Path = Path.home() / ".local" / "share" / "kinema"
    # SQLAlchemy URL; None means SQLite at ``data_dir/kinema.db``.
    database_url: str | None = None
    # redis:// URL; None means in-process cache, pub/sub and rate limits.
    redis_url: str | None = None
    # Seconds a browse answer everyone shares (home rows per maturity limit, title
    # listings, title pages) stays in the cache; any catalog change ends it sooner
    # (``kinema.catalog.version``). 0 turns the hot cache off.
    hot_cache_ttl_s: int = Field(default=30, ge=0, le=3600)
    # ``s3://bucket[/prefix]`` or None for the local object store under ``data_dir``.
    storage_url: str | None = None
    # Endpoint of an S3-compatible server; None means AWS itself.
    s3_endpoint_url: str | None = None
    # Region for S3 signing; None means boto3's own resolution (AWS_DEFAULT_REGION...).
    s3_region: str | None = None
    # Path to a kubeconfig; None means in-cluster config when present, else no cluster.
    kubeconfig: Path | None = None
    # Who runs transcodes for the API: ``embedded`` (the local worker pool, the default)
    # or ``cluster`` (admin actions create and patch Video resources for the operator).
    mode: Literal["embedded", "cluster"] = "embedded"
    # Namespace of the API's Video resources; None means the pod's own namespace
    # (in-cluster), else ``default``.
    namespace: str | None = Field(
        default=None, pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", max_length=63
    )
    # CloudFront signed cookies: the distribution's domain (``d111.cloudfront.net`` or a
    # CNAME), the key group's public key id, the PEM private key, and the Domain the
    # cookies are set for (e.g. ``.example.com``; None means the API host only).
    cloudfront_domain: str | None = None
    cloudfront_key_pair_id: str | None = None
    cloudfront_private_key: SecretStr | None = None
    cloudfront_cookie_domain: str | None = None
    # Signs playback tokens. Unset: `kinema up` creates a random one in the data directory
    # (``secret-key``, mode 0600) on first start; every other entry point refuses to sign.
    secret_key: SecretStr | None = None
    # The URL viewers reach the API at (``https://tv.example.com``); playback URLs are
    # built on it. None: relative URLs, never the request's Host header.
    public_url: str | None = Field(default=None, pattern=r"^https?://[^/\s?#]+(/[^\s?#]*)?$")
    # The caching edge viewers fetch media from (``kinema up --edge`` sets it; in a
    # cluster, the edge's public URL): playback URLs are built on it. See docs/edge.md.
    edge_url: str | None = Field(default=None, pattern=r"^https?://[^/\s?#]+(/[^\s?#]*)?$")
    # Comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For is
    # believed (the ingress controller's pods). Empty: the TCP peer is the client.
    trusted_proxies: str = ""
    # How long an API write waits for SQLite's write lock before answering 503.
    db_write_timeout_s: float = Field(default=5.0, gt=0, le=60)
    # Sources a transcode may read: private, loopback and link-local addresses are
    # refused unless allowed; ``s3://`` sources only from these buckets (comma-separated;
    # the storage bucket is always allowed).
    allow_private_sources: bool = False
    source_buckets: str = ""
    # The admin account `kinema up` creates (a random password is printed when unset).
    admin_email: str = "admin@kinema.local"
    admin_password: SecretStr | None = None
    # Local worker pool (embedded): transcodes running at once, and the ladder they use
    # (a built-in name such as ``default`` or ``pertitle``, or a ladder YAML file).
    workers: int = Field(default=2, ge=1, le=64)
    # Recommender training (docs/recommendations.md): how often `kinema up` retrains
    # (0: never; clusters run `kinema train-recommender` as a CronJob), EASE's L2
    # regularisation and the recency half-life of a profile's history (in titles).
    recommend_interval_s: int = Field(default=600, ge=0, le=7 * 24 * 3600)
    recommend_lambda: float = Field(default=400.0, gt=0)
    recommend_half_life: float = Field(default=8.0, gt=0)
    # Artwork A/B tests (docs/artwork.md): days a profile keeps the poster variant it
    # was assigned before Thompson sampling draws again.
    artwork_sticky_days: int = Field(default=7, ge=1, le=90)
    # The ladder the embedded worker pool encodes with (a built-in name: default, pertitle).
    transcode_ladder: str = Field(default="default", min_length=1)
    # Auto-tagging on publish (docs/auto-tagging.md): with a key, Claude suggests the
    # tags; without one the local classifier does. Prices are USD per million tokens,
    # the cap is USD per calendar month (UTC); 0 means no Claude calls at all.
    anthropic_api_key: SecretStr | None = None
    anthropic_base_url: str | None = Field(default=None, pattern=r"^(https?://[^\s]+)?$")
    anthropic_model: str = "claude-sonnet-5-5"
    anthropic_max_tokens: int = Field(default=1024, ge=64, le=8192)
    anthropic_monthly_cost_cap_usd: float = Field(default=20.0, ge=0)
    anthropic_input_usd_per_mtok: float = Field(default=3.0, ge=0)
    anthropic_output_usd_per_mtok: float = Field(default=15.0, ge=0)
    anthropic_max_retries: int = Field(default=3, ge=0, le=10)
    anthropic_backoff_s: float = Field(default=1.0, ge=0, le=60)
    anthropic_timeout_s: float = Field(default=60.0, gt=0, le=600)
    # Keyframes sent with a title (posters and thumbnail sheets the transcoder made).
    tagging_keyframes: int = Field(default=3, ge=0, le=8)
    # 0 turns the embedded tagging worker off.
    tagging_poll_s: float = Field(default=10.0, ge=0)
    # Mid-rolls (plans with ads) play at chapter starts at least this many seconds of
    # the title apart (and after the title's start or the pre-roll).
    ads_midroll_spacing_s: float = Field(default=300.0, ge=0, le=6 * 3600)
    # Lifetime of a playback token (the player renews it silently before it ends) and
    # of login sessions.
    playback_url_ttl_s: int = Field(default=600, ge=60, le=24 * 3600)
    session_ttl_s: int = Field(default=30 * 24 * 3600, ge=300)
    # Offline downloads (plans with ``downloads``): how long one lasts, and how long after
    # its first offline play. How many an account holds at once is its plan's
    # ``downloadLimit``.
    download_ttl_days: int = Field(default=30, ge=1, le=365)
    download_play_window_h: int = Field(default=48, ge=1, le=24 * 30)
    # Raw player analytics events are kept this long, then pruned (the hourly and daily
    # rollups the dashboard reads are kept).
    analytics_event_retention_days: int = Field(default=30, ge=1, le=3650)
    # When set, the API's /metrics asks for ``Authorization: Bearer <this>``.
    metrics_token: str | None = None
    # How long a subscription whose renewal payment failed (past_due) keeps its plan's
    # entitlements before falling to the free plan's.
    billing_grace_days: float = Field(default=3.0, ge=0, le=60)
    # Stripe: the secret key (``sk_live_...``/``sk_test_...``) turns billing on (Checkout,
    # Billing Portal, invoices); unset, only an admin sets plans. The webhook endpoint's
    # signing secret (``whsec_...``) verifies ``POST /api/v1/billing/webhook``. The API
    # base points the client elsewhere (stripe-mock in tests); None means api.stripe.com.
    stripe_api_key: SecretStr | None = None
    stripe_webhook_secret: SecretStr | None = None
    stripe_api_base: str | None = Field(default=None, pattern=r"^(https?://[^\s]+)?$")
    # Requests per minute per client on auth and write endpoints.
    auth_rate_limit_per_min: int = Field(default=20, ge=1)
    write_rate_limit_per_min: int = Field(default=600, ge=1)
    # Per profile: comments and replies, and timestamped reactions on a video, a minute.
    comment_rate_limit_per_min: int = Field(default=5, ge=1)
    reaction_rate_limit_per_min: int = Field(default=60, ge=1)
    # Per profile: clips made a minute (each one queues a preview encode).
    clip_rate_limit_per_min: int = Field(default=5, ge=1)
    # Allow the `kinema transcode` command to be replaced (tests, custom images).
    transcode_command: str | None = None

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> Settings:
        secret = self.secret_key.get_secret_value() if self.secret_key is not None else None
        if self.environment is Environment.PRODUCTION and secret is None:
            raise ConfigError(f"KINEMA_SECRET_KEY is unset; {_SECRET_HINT}")
        if secret is not None and (
            secret.strip().lower() in PLACEHOLDER_SECRETS or len(secret) < MIN_SECRET_LENGTH
        ):
            raise ConfigError(
                f"KINEMA_SECRET_KEY is a placeholder or shorter than {MIN_SECRET_LENGTH} "
                f"characters; {_SECRET_HINT}"
            )
        try:
            self.trusted_proxy_networks  # noqa: B018 - validates the list
        except ValueError as exc:
            raise ConfigError(
                f"KINEMA_TRUSTED_PROXIES={self.trusted_proxies!r}: {exc}; give addresses or "
                "CIDRs separated by commas, for example 10.0.0.0/8,192.168.1.10"
            ) from exc
        if self.storage_url is not None and not self.storage_url.startswith("s3://"):
            raise ConfigError(
                f"KINEMA_STORAGE_URL={self.storage_url!r} is not an s3:// URL; "
                "leave it unset for local storage under KINEMA_DATA_DIR"
            )
        if self.mode == "cluster" and self.storage_url is None:
            raise ConfigError(
                "KINEMA_MODE=cluster needs KINEMA_STORAGE_URL (s3://bucket/prefix): transcode "
                "Jobs read uploads from the object store"
            )
        if self.cloudfront_domain and not (
            self.cloudfront_key_pair_id and self.cloudfront_private_key
        ):
            raise ConfigError(
                "KINEMA_CLOUDFRONT_DOMAIN needs KINEMA_CLOUDFRONT_KEY_PAIR_ID and "
                "KINEMA_CLOUDFRONT_PRIVATE_KEY (the PEM key of the key group's public key)"
            )
        return self

    @property
    def billing_grace(self) -> timedelta:
        return timedelta(days=self.billing_grace_days)

    @property
    def billing_enabled(self) -> bool:
        """Stripe billing is on: viewers pay through Checkout; admins no longer set plans."""
        return bool(self.stripe_api_key and self.stripe_api_key.get_secret_value().strip())

    @cached_property
    def trusted_proxy_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        return tuple(
            ipaddress.ip_network(part.strip(), strict=False)
            for part in self.trusted_proxies.split(",")
            if part.strip()
        )

    @property
    def source_bucket_names(self) -> frozenset[str]:
        """Buckets ``s3://`` sources may name: the configured ones and the storage bucket."""
        names = {b.strip() for b in self.source_buckets.split(",") if b.strip()}
        if self.storage_url:
            names.add(self.storage_url.removeprefix("s3://").partition("/")[0])
        return frozenset(names)

    @property
    def cloudfront_enabled(self) -> bool:
        return bool(
            self.cloudfront_domain and self.cloudfront_key_pair_id and self.cloudfront_private_key
        )

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'kinema.db'}"

    @property
    def local_media_dir(self) -> Path:
        return self.data_dir / "media"


_SECRET_HINT = "set a long random value, for example `openssl rand -base64 48`"  # noqa: S105


def signing_secret(settings: Settings, *, create: bool = False) -> str:
    """The secret that signs playback tokens: ``KINEMA_SECRET_KEY``, else the one kept in
    the data directory. With ``create`` (``kinema up``), a random one is made there on first
    start, readable by its owner only. There is no built-in fallback: without either, this
    refuses rather than sign with a value anyone could know.
    """
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value()
    path = settings.data_dir / SECRET_FILE
    if not path.exists() and create:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48) + "\n")
    try:
        value = path.read_text().strip()
    except FileNotFoundError:
        raise ConfigError(
            f"KINEMA_SECRET_KEY is unset and {path} does not exist; {_SECRET_HINT} "
            "(`kinema up` creates one itself)"
        ) from None
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
    if len(value) < MIN_SECRET_LENGTH:
        raise ConfigError(f"{path} holds no usable secret; delete it to make a new one")
    return value
