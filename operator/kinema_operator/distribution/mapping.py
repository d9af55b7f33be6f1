"""Distribution resources into CloudFront configurations and statuses. Pure.

:func:`distribution_config` turns a Distribution's spec into the ``DistributionConfig``
CloudFront's API takes: one private S3 origin (reached through an origin access
control), segments cached for the long TTL under the default behaviour, ``*.m3u8`` and
``*.mpd`` under ordered behaviours with the short manifest TTL, signed cookies through a
trusted key group. :func:`managed_view` is the part of a config this operator owns, so
the sync can tell drift from what CloudFront adds by itself; :func:`drift` names the
managed settings that differ (what a hand edit in the AWS console changed).
:func:`distribution_status` builds the status, :func:`public_base` and :func:`output_url`
say where players reach output through the Distribution (what a Video's manifest URLs
start with); no function here talks to AWS (see :mod:`cloudfront`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from kinema.resources.common import now
from kinema.resources.distribution import (
    CloudFront,
    DistributionSpec,
    DistributionStatus,
    Provider,
)
from kinema_operator.conditions import condition, merge
from kinema_operator.errors import InvalidSpec

ORIGIN_ID = "kinema-s3"
MANIFEST_PATTERNS = ("*.m3u8", "*.mpd")
DEPLOYED = "Deployed"
# Ready reasons of a Distribution whose spec the last sync applied to CloudFront: the
# only state in which the resync timer compares CloudFront with the spec.
DRIFT_CORRECTED = "DriftCorrected"
SYNCED_REASONS = frozenset({"Deployed", "Deploying", DRIFT_CORRECTED})
_METHODS = {
    "Quantity": 2,
    "Items": ["GET", "HEAD"],
    "CachedMethods": {"Quantity": 2, "Items": ["GET", "HEAD"]},
}


@dataclass(frozen=True, slots=True)
class Remote:
    """What CloudFront reports about one distribution (read by :mod:`cloudfront`)."""

    id: str
    arn: str
    domain_name: str
    status: str  # InProgress or Deployed
    enabled: bool
    etag: str
    config: dict[str, Any]


def parse(body: dict[str, Any]) -> DistributionSpec:
    try:
        return DistributionSpec.model_validate(body.get("spec") or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "spec"
        raise InvalidSpec(f"invalid spec at {where}: {first['msg']}") from exc


def check(spec: DistributionSpec) -> CloudFront | None:
    """The CloudFront part of ``spec`` (None for provider none), or why it cannot work.

    The CRD's CEL rules say the same, but a server without them (or an old CRD) must
    still get a clear message rather than a CloudFront error.
    """
    if spec.provider is Provider.NONE:
        if not spec.base_url:
            raise InvalidSpec("provider none needs spec.baseUrl")
        return None
    cf = spec.cloudfront
    if cf is None:
        raise InvalidSpec("provider cloudfront needs spec.cloudfront")
    if cf.aliases and not cf.certificate_arn:
        raise InvalidSpec("spec.cloudfront.aliases need a certificateArn (ACM, us-east-1)")
    if cf.signed_cookies.enabled and not cf.signed_cookies.key_group_id:
        raise InvalidSpec("spec.cloudfront.signedCookies.enabled needs keyGroupId")
    return cf


def caller_reference(uid: str) -> str:
    """One per Kubernetes object: CloudFront refuses a second distribution for it."""
    return f"kinema-{uid}"


def oac_name(uid: str) -> str:
    return f"kinema-{uid}"[:64]


def _behaviour(ttl_min: int, ttl: int, key_group: str | None, *, compress: bool) -> dict[str, Any]:
    groups = [key_group] if key_group else []
    return {
        "TargetOriginId": ORIGIN_ID,
        "ViewerProtocolPolicy": "redirect-to-https",
        "AllowedMethods": _METHODS,
        "Compress": compress,
        "SmoothStreaming": False,
        "FieldLevelEncryptionId": "",
        "ForwardedValues": {
            "QueryString": False,
            "Cookies": {"Forward": "none"},
            "Headers": {"Quantity": 0},
            "QueryStringCacheKeys": {"Quantity": 0},
        },
        "MinTTL": ttl_min,
        "DefaultTTL": ttl,
        "MaxTTL": ttl,
        "TrustedSigners": {"Enabled": False, "Quantity": 0},
        "TrustedKeyGroups": {"Enabled": bool(groups), "Quantity": len(groups), "Items": groups},
        "LambdaFunctionAssociations": {"Quantity": 0},
        "FunctionAssociations": {"Quantity": 0},
    }


def distribution_config(
    cf: CloudFront,
    *,
    reference: str,
    comment: str,
    oac_id: str | None,
    enabled: bool = True,
) -> dict[str, Any]:
    """The full ``DistributionConfig`` for ``cf`` (create and update take the same)."""
    key_group = cf.signed_cookies.key_group_id if cf.signed_cookies.enabled else None
    origin: dict[str, Any] = {
        "Id": ORIGIN_ID,
        "DomainName": f"{cf.origin_bucket}.s3.amazonaws.com",
        "OriginPath": cf.origin_path,
        "S3OriginConfig": {"OriginAccessIdentity": ""},
        "CustomHeaders": {"Quantity": 0},
        "ConnectionAttempts": 3,
        "ConnectionTimeout": 10,
    }
    if oac_id:
        origin["OriginAccessControlId"] = oac_id
    segments = cf.cache.segment_ttl_seconds
    manifests = cf.cache.manifest_ttl_seconds
    # Segments never change once written: cache them for the whole TTL whatever the
    # origin says. Manifests change on republish: keep them short, and compress them.
    ordered = [
        {"PathPattern": pattern, **_behaviour(0, manifests, key_group, compress=True)}
        for pattern in MANIFEST_PATTERNS
    ]
    certificate: dict[str, Any] = (
        {
            "CloudFrontDefaultCertificate": False,
            "ACMCertificateArn": cf.certificate_arn,
            "SSLSupportMethod": "sni-only",
            "MinimumProtocolVersion": "TLSv1.2_2021",
        }
        if cf.certificate_arn
        else {"CloudFrontDefaultCertificate": True}
    )
    return {
        "CallerReference": reference,
        "Comment": comment,
        "Enabled": enabled,
        "Aliases": {"Quantity": len(cf.aliases), "Items": list(cf.aliases)},
        "Origins": {"Quantity": 1, "Items": [origin]},
        "DefaultCacheBehavior": _behaviour(segments, segments, key_group, compress=False),
        "CacheBehaviors": {"Quantity": len(ordered), "Items": ordered},
        "PriceClass": cf.price_class.value,
        "ViewerCertificate": certificate,
        "Restrictions": {"GeoRestriction": {"RestrictionType": "none", "Quantity": 0}},
        "HttpVersion": "http2and3",
        "IsIPV6Enabled": True,
    }


def comment_for(cf: CloudFront, namespace: str, name: str) -> str:
    return cf.comment or f"Kinema {namespace}/{name}"[:128]


def _behaviour_view(b: dict[str, Any]) -> tuple[Any, ...]:
    groups = (b.get("TrustedKeyGroups") or {}).get("Items") or []
    return (
        b.get("PathPattern", ""),
        b.get("TargetOriginId"),
        b.get("ViewerProtocolPolicy"),
        int(b.get("MinTTL") or 0),
        int(b.get("DefaultTTL") or 0),
        int(b.get("MaxTTL") or 0),
        tuple(groups),
    )


def managed_view(config: dict[str, Any]) -> dict[str, Any]:
    """The fields of a ``DistributionConfig`` this operator decides, in comparable form.

    CloudFront fills in defaults and echoes fields back in its own shapes; comparing the
    whole config would see drift on every read. The origin access control id is left
    out because not every CloudFront emulator echoes it (moto does not).
    """
    origins = (config.get("Origins") or {}).get("Items") or []
    ordered = (config.get("CacheBehaviors") or {}).get("Items") or []
    cert = config.get("ViewerCertificate") or {}
    return {
        "comment": config.get("Comment", ""),
        "enabled": bool(config.get("Enabled")),
        "aliases": sorted((config.get("Aliases") or {}).get("Items") or []),
        "origins": sorted(
            (o.get("Id"), o.get("DomainName"), o.get("OriginPath") or "") for o in origins
        ),
        "default": _behaviour_view(config.get("DefaultCacheBehavior") or {}),
        "ordered": [_behaviour_view(b) for b in ordered],
        "price_class": config.get("PriceClass"),
        "certificate": cert.get("ACMCertificateArn") or None,
    }


# managed_view keys, in the words a status message uses.
_DRIFT_LABELS = {
    "enabled": "enabled",
    "origins": "origin",
    "default": "segment cache behaviour (TTLs, key groups)",
    "ordered": "manifest cache behaviours (TTLs, key groups)",
    "aliases": "aliases",
    "certificate": "certificate",
    "price_class": "price class",
    "comment": "comment",
}


def _origin_access_control(config: dict[str, Any]) -> str | None:
    """The OAC id on Kinema's origin, "" for none; None when the config does not say
    (CloudFront echoes the field, moto leaves it out)."""
    for origin in (config.get("Origins") or {}).get("Items") or []:
        if origin.get("Id") == ORIGIN_ID and "OriginAccessControlId" in origin:
            return str(origin.get("OriginAccessControlId") or "")
    return None


def drift(current: dict[str, Any], desired: dict[str, Any]) -> list[str]:
    """The managed settings of ``current`` (CloudFront's config) that differ from
    ``desired`` (the spec's), as words for a message; empty when nothing drifted."""
    now, want = managed_view(current), managed_view(desired)
    changed = [label for key, label in _DRIFT_LABELS.items() if now[key] != want[key]]
    echoed = _origin_access_control(current)
    if echoed is not None and echoed != (_origin_access_control(desired) or ""):
        changed.append("origin access control")
    return changed


_DEPLOYING = "; CloudFront is deploying it"


def corrected_message(message: str) -> str:
    """The drift message of a ``DriftCorrected`` Ready condition's ``message``."""
    return message.removesuffix(_DEPLOYING)


def drift_message(distribution_id: str, changed: list[str]) -> str:
    return (
        f"CloudFront distribution {distribution_id} had been changed outside Kinema "
        f"({', '.join(changed)}); the Distribution's spec was applied again"
    )


def public_base(body: dict[str, Any]) -> str:
    """Where Videos' output is reached through this Distribution ("" = not yet)."""
    status = body.get("status") or {}
    if status.get("domainName"):
        return f"https://{status['domainName']}"
    return str((body.get("spec") or {}).get("baseUrl") or "")


def output_url(body: dict[str, Any], key: str) -> str:
    """Where the output stored under ``key`` is reached through this Distribution
    ("" = not yet). Its CloudFront domain serves the bucket from ``originPath`` down, so
    that part of the key is left out; a ``baseUrl`` serves the whole key."""
    base = public_base(body)
    if not base:
        return ""
    if (body.get("status") or {}).get("domainName"):
        cloudfront = (body.get("spec") or {}).get("cloudfront") or {}
        origin = str(cloudfront.get("originPath") or "").strip("/")
        key = key.removeprefix(f"{origin}/") if origin else key
    return f"{base.rstrip('/')}/{key}"


def distribution_status(
    body: dict[str, Any],
    *,
    remote: Remote | None = None,
    oac_id: str | None = None,
    reason: str,
    message: str,
    ready: bool,
) -> dict[str, Any]:
    """The Distribution's status: what CloudFront reported (kept when ``remote`` is None)
    and one Ready condition for this generation."""
    generation = int((body.get("metadata") or {}).get("generation") or 1)
    old = DistributionStatus.model_validate(body.get("status") or {})
    update: dict[str, Any] = {
        "observed_generation": generation,
        "conditions": merge(
            old.conditions,
            [condition("Ready", ready, reason, message, generation=generation)],
            now(),
        ),
    }
    if remote is not None:
        update |= {
            "distribution_id": remote.id,
            "domain_name": remote.domain_name,
            "arn": remote.arn,
            "deployment": remote.status,
        }
    if oac_id is not None:
        update["origin_access_control_id"] = oac_id
    return old.model_copy(update=update).to_wire()


# Status fields that describe a CloudFront distribution; null in a merge patch drops them.
CLOUDFRONT_FIELDS = ("distributionId", "domainName", "arn", "originAccessControlId", "deployment")


def none_status(body: dict[str, Any], base_url: str) -> dict[str, Any]:
    """Ready for provider none, with any CloudFront fields of an earlier spec cleared
    (Videos prefer ``domainName`` over ``baseUrl``)."""
    status = distribution_status(
        body,
        ready=True,
        reason="NoCDN",
        message=f"output is served from {base_url}; nothing to create",
    )
    return {**status, **dict.fromkeys(CLOUDFRONT_FIELDS)}


def synced_status(
    body: dict[str, Any], remote: Remote, oac_id: str | None, *, corrected: str = ""
) -> dict[str, Any]:
    """Ready once CloudFront has deployed ``remote``. ``corrected`` (a :func:`drift_message`)
    makes the reason ``DriftCorrected``, kept while the corrected config deploys."""
    deployed = remote.status == DEPLOYED
    if corrected:
        return distribution_status(
            body,
            remote=remote,
            oac_id=oac_id,
            ready=deployed,
            reason=DRIFT_CORRECTED,
            message=corrected if deployed else corrected + _DEPLOYING,
        )
    return distribution_status(
        body,
        remote=remote,
        oac_id=oac_id,
        ready=deployed,
        reason="Deployed" if deployed else "Deploying",
        message=(
            f"CloudFront distribution {remote.id} serves https://{remote.domain_name}"
            if deployed
            else f"CloudFront is deploying distribution {remote.id} ({remote.domain_name})"
        ),
    )
