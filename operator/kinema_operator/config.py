"""The operator's own settings (``KINEMA_OPERATOR_*``), beside the core's ``KINEMA_*``.

The core settings say where the catalog and the object store are; these say how the
operator shapes the Jobs it creates and how often it looks at the cluster. The CloudFront
endpoint and the Stripe key keep their product-wide names (``KINEMA_CLOUDFRONT_*``,
``KINEMA_STRIPE_*``) through aliases: they name external systems, not operator knobs.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class OperatorSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="KINEMA_OPERATOR_", extra="ignore", populate_by_name=True
    )

    # The image every probe/transcode/package Job runs (transcoder_image/Dockerfile).
    image: str = "ghcr.io/kinema/transcoder:latest"
    image_pull_policy: str = Field(default="IfNotPresent", pattern="^(Always|IfNotPresent|Never)$")
    # The ``kinema`` executable inside the image.
    command: str = "kinema"
    # ServiceAccount the Jobs' pods run as ("" = the namespace default).
    job_service_account: str = ""
    # Secret (in the Video's namespace) whose keys become the Jobs' environment:
    # AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY for the object store.
    job_env_secret: str = ""
    # CPU/memory asked for by CPU-only transcode pods (GPU ladders bring their own).
    job_cpu_request: str = "500m"
    job_memory_request: str = "512Mi"
    job_memory_limit: str = "4Gi"
    # Seconds between level-triggered re-reads of each Video.
    resync_interval_s: float = Field(default=15.0, gt=0)
    # Finished Jobs are kept this long for `kubectl logs`, then garbage-collected.
    job_ttl_s: int = Field(default=24 * 3600, ge=0)
    # Base URL players use for output (a CDN or the API); "" = object-store URLs.
    public_base_url: str = ""
    # Clip previews (docs/clips.md): at most this many preview Jobs at once (0: the
    # operator launches none), each clip tried this many times, the queue looked at this
    # often (a preview Job's end is also noticed by its watch).
    preview_concurrency: int = Field(default=2, ge=0, le=100)
    preview_attempts: int = Field(default=3, ge=1, le=10)
    preview_interval_s: float = Field(default=5.0, gt=0)
    # Port of /metrics (Prometheus); 0 disables it.
    metrics_port: int = Field(default=9090, ge=0, le=65535)
    # GPU node pool defaults (JSON: resourceName, nodeSelector, tolerations,
    # runtimeClassName) for Ladders that ask for NVENC but say nothing about scheduling.
    gpu_defaults: dict[str, Any] = Field(default_factory=dict)
    # CloudFront API endpoint; None means AWS itself (tests point it at moto). Credentials
    # come from the standard AWS chain (AWS_ACCESS_KEY_ID..., a pod identity).
    cloudfront_endpoint_url: str | None = Field(
        default=None, validation_alias="KINEMA_CLOUDFRONT_ENDPOINT_URL"
    )
    # Stripe secret key; unset means Plans are synced to the catalog only.
    stripe_api_key: SecretStr | None = Field(default=None, validation_alias="KINEMA_STRIPE_API_KEY")
    # Stripe API base URL; None means api.stripe.com (tests point it at stripe-mock).
    stripe_api_base: str | None = Field(default=None, validation_alias="KINEMA_STRIPE_API_BASE")
