"""Bring one Distribution's CloudFront distribution in line with its spec, or take it down.

Level-triggered: every call reads what exists (the id in status first, then the
CallerReference derived from the object's uid, so a lost answer or a restart adopts
rather than duplicates), compares the part of the config Kinema owns
(:func:`distribution.managed_view`) and writes only when it differs. Writes are
serialised (a change handler and a finalizer may overlap after a quick edit-then-delete).

The resync timer (:meth:`CloudFrontSync.resync`) makes one GetDistribution per tick. It
follows a deployment until CloudFront says Deployed, and once deployed it compares the
managed settings with the spec: a distribution edited by hand (disabled, a TTL, an alias,
a key group...) gets the spec's config back with the ETag just read, and the caller is
told what was corrected. It never writes while CloudFront is deploying (ours or someone
else's change: it looks again on a later tick), never for a generation the change
handler has not finished, and never an older spec than the last one a sync applied.

Deletion follows CloudFront's rules: a distribution is deleted only once it is disabled
and that change is deployed, which takes minutes on AWS. :meth:`CloudFrontSync.remove`
therefore returns what it waits for, and the handler retries until nothing is left.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from kinema.resources.distribution import CloudFront, DistributionStatus
from kinema_operator.distribution import mapping as dist
from kinema_operator.distribution.cloudfront import CloudFrontApi, CloudFrontError
from kinema_operator.distribution.mapping import DEPLOYED, DRIFT_CORRECTED, SYNCED_REASONS, Remote


@dataclass(frozen=True, slots=True)
class Resynced:
    """What one resync tick found: the status to write, and what drift it corrected."""

    status: dict[str, Any]
    corrected: str = ""  # a drift message; "" when nothing was changed behind our back


@dataclass
class CloudFrontSync:
    api: CloudFrontApi
    _lock: threading.Lock = field(default_factory=threading.Lock)
    # Distribution id -> the newest generation whose config this process wrote or
    # checked, so the timer (whose body may be a read old) never writes an older spec.
    _applied: dict[str, int] = field(default_factory=dict)

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
            desired = _desired(body, cf, oac_id)
            remote = self._find(body)
            if remote is None:
                remote = self.api.create(desired)
            if dist.drift(remote.config, desired):
                remote = self.api.update(remote, desired)
            # Change handlers run one at a time per object, with its newest spec.
            self._applied[remote.id] = _generation(body)
        return dist.synced_status(body, remote, oac_id)

    def resync(self, body: dict[str, Any]) -> Resynced | None:
        """One timer tick for the Distribution ``body`` (read afresh): None when there is
        nothing to write, else the new status and, if CloudFront's managed settings had
        drifted from the spec and were put back, what was corrected.

        Raises :class:`InvalidSpec` (CloudFront refused the config) and
        :class:`CloudFrontError` (try again on the next tick).
        """
        if body["metadata"].get("deletionTimestamp"):
            return None  # the finalizer is disabling it: never switch it back on
        status = DistributionStatus.model_validate(body.get("status") or {})
        generation = _generation(body)
        ready = next((c for c in status.conditions if c.type == "Ready"), None)
        if (
            not status.distribution_id
            or status.observed_generation != generation  # the change handler has it
            or ready is None
            or ready.reason not in SYNCED_REASONS  # invalid or failing: not ours to redo
        ):
            return None
        cf = dist.check(dist.parse(body))
        oac_id = status.origin_access_control_id
        if cf is None or (cf.origin_access_control and not oac_id):
            return None
        # While the corrected config deploys, the status keeps saying it was corrected.
        corrected = dist.corrected_message(ready.message) if (
            ready.reason == DRIFT_CORRECTED
        ) else ""  # fmt: skip
        with self._lock:
            if self._applied.get(status.distribution_id, 0) > generation:
                return None  # a newer spec was applied; the change handler reports it
            remote = self.api.get(status.distribution_id)
            if remote is None:
                return None  # gone behind our back: the next spec change or resume recreates it
            if remote.status != DEPLOYED:
                # A deployment in progress (ours, or a hand edit's): look again later.
                if status.deployment == remote.status:
                    return None
                return Resynced(dist.synced_status(body, remote, oac_id, corrected=corrected))
            desired = _desired(body, cf, oac_id)
            changed = dist.drift(remote.config, desired)
            if not changed:
                if status.deployment == DEPLOYED:
                    return None  # the usual tick: one read, no write
                return Resynced(dist.synced_status(body, remote, oac_id, corrected=corrected))
            remote = self.api.update(remote, desired)
            self._note_applied(remote.id, generation)
        message = dist.drift_message(remote.id, changed)
        return Resynced(dist.synced_status(body, remote, oac_id, corrected=message), message)

    def remove(self, body: dict[str, Any]) -> str:
        """Disable, then delete the distribution and its origin access control.

        Returns "" when all is gone, else what CloudFront is still doing.
        """
        status = DistributionStatus.model_validate(body.get("status") or {})
        with self._lock:
            if status.distribution_id:  # a timer tick that read the body before must not
                self._applied[status.distribution_id] = _REMOVED  # re-enable it
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

    def _note_applied(self, distribution_id: str, generation: int) -> None:
        known = self._applied.get(distribution_id, 0)
        self._applied[distribution_id] = max(known, generation)


_REMOVED = 2**62  # above any generation


def _generation(body: dict[str, Any]) -> int:
    return int(body["metadata"].get("generation") or 1)


def _desired(body: dict[str, Any], cf: CloudFront, oac_id: str | None) -> dict[str, Any]:
    """The full config the spec asks for (the same for create, update and drift)."""
    meta = body["metadata"]
    return dist.distribution_config(
        cf,
        reference=dist.caller_reference(meta["uid"]),
        comment=dist.comment_for(cf, meta["namespace"], meta["name"]),
        oac_id=oac_id,
    )
