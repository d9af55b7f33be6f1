"""Bring one Distribution's CloudFront distribution in line with its spec, or take it down.

Level-triggered: every call reads what exists (the id in status first, then the
CallerReference derived from the object's uid, so a lost answer or a restart adopts
rather than duplicates), compares the part of the config Kinema owns
(:func:`distribution.managed_view`) and writes only when it differs. Writes are
serialised (a change handler and a finalizer may overlap after a quick edit-then-delete),
and the resync timer only reads: it follows a deployment until CloudFront says Deployed.

Deletion follows CloudFront's rules: a distribution is deleted only once it is disabled
and that change is deployed, which takes minutes on AWS. :meth:`CloudFrontSync.remove`
therefore returns what it waits for, and the handler retries until nothing is left.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from kinema.resources.distribution import DistributionStatus
from kinema_operator import distribution as dist
from kinema_operator.cloudfront import CloudFrontApi, CloudFrontError
from kinema_operator.distribution import DEPLOYED, Remote


@dataclass
class CloudFrontSync:
    api: CloudFrontApi
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def sync(self, body: dict[str, Any]) -> dict[str, Any]:
        """The new status of the Distribution ``body`` once CloudFront matches its spec.

        Raises :class:`InvalidSpec` (bad spec, or CloudFront refused it) and
        :class:`CloudFrontError` (try again).
        """
        spec = dist.parse(body)
        cf = dist.check(spec)
        if cf is None:
            # Switched from cloudfront to none: take the old distribution down first.
            waiting = self.remove(body)
            if waiting:
                raise CloudFrontError(waiting)
            return dist.none_status(body, str(spec.base_url))
        meta = body["metadata"]
        with self._lock:
            oac_id = self.api.ensure_oac(dist.oac_name(meta["uid"])) if (
                cf.origin_access_control
            ) else None  # fmt: skip
            desired = dist.distribution_config(
                cf,
                reference=dist.caller_reference(meta["uid"]),
                comment=dist.comment_for(cf, meta["namespace"], meta["name"]),
                oac_id=oac_id,
            )
            remote = self._find(body)
            if remote is None:
                remote = self.api.create(desired)
            if dist.managed_view(remote.config) != dist.managed_view(desired):
                remote = self.api.update(remote, desired)
        return dist.synced_status(body, remote, oac_id)

    def refresh(self, body: dict[str, Any]) -> dict[str, Any] | None:
        """The status with CloudFront's current deployment state, while the last sync
        left it short of Deployed; None when there is nothing to look at.

        Read-only on purpose: the timer may hold an older body than the change handler,
        and must never write an older spec back to CloudFront.
        """
        status = DistributionStatus.model_validate(body.get("status") or {})
        generation = int(body["metadata"].get("generation") or 1)
        if (
            not status.distribution_id
            or status.observed_generation != generation  # the change handler has it
            or status.deployment == DEPLOYED
        ):
            return None
        remote = self.api.get(status.distribution_id)
        if remote is None:
            return None  # gone behind our back: the next spec change or resume recreates it
        return dist.synced_status(body, remote, status.origin_access_control_id)

    def remove(self, body: dict[str, Any]) -> str:
        """Disable, then delete the distribution and its origin access control.

        Returns "" when all is gone, else what CloudFront is still doing.
        """
        status = DistributionStatus.model_validate(body.get("status") or {})
        with self._lock:
            remote = self.api.get(status.distribution_id) if status.distribution_id else None
            if remote is not None:
                if remote.enabled:
                    remote = self.api.update(remote, {**remote.config, "Enabled": False})
                    # Real CloudFront deploys this for minutes; an emulator may not.
                    remote = self.api.get(remote.id) or remote
                if remote.status != DEPLOYED:
                    return (
                        f"CloudFront distribution {remote.id} is disabled and deploying; "
                        "it can be deleted once that is done"
                    )
                self.api.delete(remote)
            if status.origin_access_control_id:
                self.api.delete_oac(status.origin_access_control_id)
        return ""

    def _find(self, body: dict[str, Any]) -> Remote | None:
        status = DistributionStatus.model_validate(body.get("status") or {})
        if status.distribution_id:
            return self.api.get(status.distribution_id)
        return None
