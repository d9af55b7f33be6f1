"""The operator's one door to the CloudFront API (boto3).

Create-or-adopt, update with the ETag CloudFront hands out (``IfMatch``), disable and
delete, and the origin access controls. Speaks the plain mappings of
:mod:`kinema_operator.distribution.mapping`; maps CloudFront's refusals of a config to
:class:`CloudFrontRejected` (an :class:`InvalidSpec`: retrying cannot help) and
everything else to :class:`CloudFrontError` (retryable), so no code above this module
sees botocore.

    OperatorError
    ├── InvalidSpec
    │   └── CloudFrontRejected    CloudFront refused the config (bad alias, certificate...)
    └── CloudFrontError           throttled, unreachable, conflicting ETag, not yet deployed
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from kinema_operator.distribution.mapping import Remote
from kinema_operator.errors import InvalidSpec, OperatorError

if TYPE_CHECKING:
    from mypy_boto3_cloudfront import CloudFrontClient

# Errors that say the config itself is wrong; the rest may pass on a retry.
PERMANENT = frozenset(
    {
        "InvalidArgument",
        "InvalidViewerCertificate",
        "InvalidOrigin",
        "InvalidOriginAccessControl",
        "CNAMEAlreadyExists",
        "TrustedKeyGroupDoesNotExist",
        "NoSuchOrigin",
        "InvalidTTLOrder",
        "IllegalUpdate",
        "InconsistentQuantities",
        "MalformedInput",
        "AccessDenied",
        "InvalidClientTokenId",
        "TooManyDistributions",
    }
)
_EXISTING_ID = re.compile(r"Already exists:\s*([A-Z0-9]+)")


class CloudFrontError(OperatorError):
    """A CloudFront call failed in a way a later retry may fix."""


class CloudFrontRejected(InvalidSpec):
    """CloudFront refused the distribution's configuration."""


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


@contextmanager
def _aws(what: str) -> Iterator[None]:
    try:
        yield
    except ClientError as exc:
        code = _code(exc)
        message = exc.response.get("Error", {}).get("Message", "") or str(exc)
        error = CloudFrontRejected if code in PERMANENT else CloudFrontError
        raise error(f"{what}: CloudFront said {code}: {message}") from exc
    except BotoCoreError as exc:
        raise CloudFrontError(f"{what}: {exc}") from exc


def _remote(data: dict[str, Any], etag: str) -> Remote:
    config = dict(data.get("DistributionConfig") or {})
    return Remote(
        id=str(data["Id"]),
        arn=str(data.get("ARN", "")),
        domain_name=str(data.get("DomainName", "")),
        status=str(data.get("Status", "")),
        enabled=bool(config.get("Enabled")),
        etag=etag,
        config=config,
    )


class CloudFrontApi:
    def __init__(self, client: CloudFrontClient) -> None:
        self.client = client

    def close(self) -> None:
        self.client.close()

    @classmethod
    def connect(cls, endpoint_url: str | None) -> CloudFrontApi:
        """A client for ``endpoint_url`` (None: AWS) with the standard credential chain.

        CloudFront is global; its API lives in us-east-1 whatever region S3 uses.
        """
        client = boto3.client(
            "cloudfront",
            endpoint_url=endpoint_url,
            region_name="us-east-1",
            config=Config(retries={"max_attempts": 3, "mode": "standard"}),
        )
        return cls(client)

    # --- origin access controls -------------------------------------------------------

    def ensure_oac(self, name: str) -> str:
        """The id of the S3 origin access control named ``name``, created if missing."""
        found = self.find_oac(name)
        if found:
            return found
        with _aws(f"creating origin access control {name}"):
            created = self.client.create_origin_access_control(
                OriginAccessControlConfig={
                    "Name": name,
                    "Description": "Kinema: CloudFront signs its requests to the bucket",
                    "SigningProtocol": "sigv4",
                    "SigningBehavior": "always",
                    "OriginAccessControlOriginType": "s3",
                }
            )
        return str(created["OriginAccessControl"]["Id"])

    def find_oac(self, name: str) -> str | None:
        marker = ""
        while True:
            with _aws("listing origin access controls"):
                page = self.client.list_origin_access_controls(
                    **({"Marker": marker} if marker else {})
                )["OriginAccessControlList"]
            for item in page.get("Items") or []:
                if item.get("Name") == name:
                    return str(item["Id"])
            marker = str(page.get("NextMarker") or "")
            if not page.get("IsTruncated") or not marker:
                return None

    def delete_oac(self, oac_id: str) -> None:
        try:
            with _aws(f"reading origin access control {oac_id}"):
                etag = self.client.get_origin_access_control(Id=oac_id)["ETag"]
            with _aws(f"deleting origin access control {oac_id}"):
                self.client.delete_origin_access_control(Id=oac_id, IfMatch=etag)
        except (CloudFrontError, CloudFrontRejected) as exc:
            cause = exc.__cause__
            if isinstance(cause, ClientError) and _code(cause) == "NoSuchOriginAccessControl":
                return
            raise

    # --- distributions ----------------------------------------------------------------

    def get(self, distribution_id: str) -> Remote | None:
        try:
            found = self.client.get_distribution(Id=distribution_id)
        except ClientError as exc:
            if _code(exc) == "NoSuchDistribution":
                return None
            with _aws(f"reading distribution {distribution_id}"):
                raise
        except BotoCoreError as exc:
            raise CloudFrontError(f"reading distribution {distribution_id}: {exc}") from exc
        return _remote(cast(dict[str, Any], found["Distribution"]), found["ETag"])

    def create(self, config: dict[str, Any]) -> Remote:
        """Create a distribution, or adopt the one created with the same CallerReference
        (an earlier attempt whose answer was lost, or an operator that restarted)."""
        try:
            created = self.client.create_distribution(DistributionConfig=cast(Any, config))
        except ClientError as exc:
            if _code(exc) == "DistributionAlreadyExists":
                message = str(exc.response.get("Error", {}).get("Message", ""))
                match = _EXISTING_ID.search(message)
                existing = self.get(match.group(1)) if match else None
                if existing is not None:
                    return existing
            with _aws("creating a distribution"):
                raise
        except BotoCoreError as exc:
            raise CloudFrontError(f"creating a distribution: {exc}") from exc
        return _remote(cast(dict[str, Any], created["Distribution"]), created["ETag"])

    def update(self, remote: Remote, config: dict[str, Any]) -> Remote:
        """Replace the config of ``remote`` (its CallerReference is kept, as CloudFront
        requires); a stale ETag is a :class:`CloudFrontError`, retried with a fresh read."""
        body = {**config, "CallerReference": remote.config.get("CallerReference", "")}
        with _aws(f"updating distribution {remote.id}"):
            updated = self.client.update_distribution(
                Id=remote.id, IfMatch=remote.etag, DistributionConfig=cast(Any, body)
            )
        return _remote(cast(dict[str, Any], updated["Distribution"]), updated["ETag"])

    def delete(self, remote: Remote) -> None:
        try:
            self.client.delete_distribution(Id=remote.id, IfMatch=remote.etag)
        except ClientError as exc:
            if _code(exc) == "NoSuchDistribution":
                return
            if _code(exc) in {"DistributionNotDisabled", "PreconditionFailed"}:
                raise CloudFrontError(
                    f"distribution {remote.id} is not disabled and deployed yet"
                ) from exc
            with _aws(f"deleting distribution {remote.id}"):
                raise
        except BotoCoreError as exc:
            raise CloudFrontError(f"deleting distribution {remote.id}: {exc}") from exc

    # --- invalidations ------------------------------------------------------------------

    def invalidate(self, distribution_id: str, paths: list[str], reference: str) -> None:
        """Have CloudFront forget ``paths`` (files rewritten in place). ``reference`` is the
        CallerReference: the same one again (a retry, a second reconcile) names the same
        invalidation, which CloudFront answers without starting another."""
        batch: Any = {
            "Paths": {"Quantity": len(paths), "Items": list(paths)},
            "CallerReference": reference,
        }
        try:
            self.client.create_invalidation(DistributionId=distribution_id, InvalidationBatch=batch)
        except ClientError as exc:
            if _code(exc) == "InvalidationBatchAlreadyExists":
                return
            with _aws(f"invalidating {len(paths)} path(s) on distribution {distribution_id}"):
                raise
        except BotoCoreError as exc:
            raise CloudFrontError(f"invalidating on distribution {distribution_id}: {exc}") from exc
