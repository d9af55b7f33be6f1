"""The Distribution resource: the CDN in front of processed output.

``cloudfront``: a CloudFront distribution with origin access control on the bucket,
short-TTL manifests, immutable segments and optional signed cookies. ``none``: the API
or a local edge serves the files from ``baseUrl``.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import ConfigDict, Field

from kinema.resources.common import CONDITIONS_LIST, Condition, Model

KIND = "Distribution"
PLURAL = "distributions"

HOSTNAME = r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,63}$"


class Provider(StrEnum):
    CLOUDFRONT = "cloudfront"
    NONE = "none"


class PriceClass(StrEnum):
    PRICE_CLASS_100 = "PriceClass_100"
    PRICE_CLASS_200 = "PriceClass_200"
    PRICE_CLASS_ALL = "PriceClass_All"


class CacheBehaviors(Model):
    manifest_ttl_seconds: int = Field(
        default=2, ge=0, le=3600, description="Playlists change on republish: keep short."
    )
    segment_ttl_seconds: int = Field(
        default=31_536_000, ge=60, le=31_536_000, description="Segments never change."
    )


class SignedCookies(Model):
    enabled: bool = False
    key_group_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9-]{1,64}$")
    private_key_secret: str | None = Field(
        default=None, description="Secret (key 'private.pem') holding the signing key."
    )


class CloudFront(Model):
    model_config = ConfigDict(
        json_schema_extra={
            "x-kubernetes-validations": [
                {
                    "rule": "!has(self.aliases) || size(self.aliases) == 0 "
                    "|| has(self.certificateArn)",
                    "message": "aliases need a certificateArn (ACM, us-east-1)",
                }
            ]
        }
    )

    origin_bucket: str = Field(
        pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", description="S3 bucket of the output."
    )
    origin_path: str = Field(default="", pattern=r"^(/[A-Za-z0-9._-]+)*$")
    aliases: list[str] = Field(default_factory=list, max_length=10)
    certificate_arn: str | None = Field(
        default=None, pattern=r"^arn:aws:acm:us-east-1:[0-9]{12}:certificate/[0-9a-f-]{36}$"
    )
    price_class: PriceClass = PriceClass.PRICE_CLASS_100
    origin_access_control: bool = Field(default=True, description="Bucket stays private.")
    cache: CacheBehaviors = Field(default_factory=CacheBehaviors)
    signed_cookies: SignedCookies = Field(default_factory=SignedCookies)
    comment: str = Field(default="", max_length=128)


class DistributionSpec(Model):
    model_config = ConfigDict(
        json_schema_extra={
            "x-kubernetes-validations": [
                {
                    "rule": "self.provider != 'cloudfront' || has(self.cloudfront)",
                    "message": "provider cloudfront needs spec.cloudfront",
                },
                {
                    "rule": "self.provider != 'none' || has(self.baseUrl)",
                    "message": "provider none needs spec.baseUrl",
                },
            ]
        }
    )

    provider: Provider
    cloudfront: CloudFront | None = None
    base_url: str | None = Field(
        default=None,
        pattern=r"^https?://[^\s/]+(/[^\s]*)?$",
        max_length=2048,
        description="Where output is served from when provider is none.",
    )


class DistributionStatus(Model):
    observed_generation: int | None = Field(default=None, ge=0)
    distribution_id: str | None = None
    domain_name: str | None = None
    arn: str | None = None
    origin_access_control_id: str | None = None
    deployment: str | None = Field(default=None, description="InProgress or Deployed.")
    conditions: list[Condition] = Field(default_factory=list, json_schema_extra=CONDITIONS_LIST)
