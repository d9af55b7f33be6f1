"""One settings object for every component, read from ``KINEMA_*`` environment variables.

Unset means the embedded default: SQLite and local files under ``data_dir``, an
in-process cache, no cluster. Setting a URL switches that part to its production
backend (PostgreSQL, Redis, S3, Kubernetes) without any other change.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from kinema.errors import ConfigError

DEVELOPMENT_SECRET = "development-only-secret"  # noqa: S105 - refused outside development
PLACEHOLDER_SECRETS = frozenset(
    {"", "changeme", "change-me", "secret", "kinema", DEVELOPMENT_SECRET}
)


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
    secret_key: SecretStr = SecretStr(DEVELOPMENT_SECRET)
    # The admin account `kinema up` creates (a random password is printed when unset).
    admin_email: str = "admin@kinema.local"
    admin_password: SecretStr | None = None
    # Local worker pool (embedded): transcodes running at once.
    workers: int = Field(default=2, ge=1, le=64)
    # Lifetime of signed playback URLs and of login sessions.
    playback_url_ttl_s: int = Field(default=6 * 3600, ge=60)
    session_ttl_s: int = Field(default=30 * 24 * 3600, ge=300)
    # Requests per minute per client on auth and write endpoints.
    auth_rate_limit_per_min: int = Field(default=20, ge=1)
    write_rate_limit_per_min: int = Field(default=600, ge=1)
    # Allow the `kinema transcode` command to be replaced (tests, custom images).
    transcode_command: str | None = None

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> Settings:
        if self.environment is Environment.PRODUCTION:
            secret = self.secret_key.get_secret_value()
            if secret in PLACEHOLDER_SECRETS:
                raise ConfigError(
                    "KINEMA_SECRET_KEY is unset or a placeholder; set a long random value "
                    "(for example `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
                )
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
