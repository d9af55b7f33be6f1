"""The operator's exception tree.

    KinemaError
    └── OperatorError            anything the operator raises on purpose
        ├── InvalidSpec          a resource whose spec cannot work (-> kopf.PermanentError)
        ├── ClusterError         the Kubernetes API failed or refused (retryable)
        ├── OutputError          the object store failed while reading or deleting output
        └── CatalogSyncError     the catalog database refused an upsert or delete

Handlers map ``InvalidSpec`` to ``kopf.PermanentError`` and the rest to
``kopf.TemporaryError``; third-party errors are wrapped with ``raise ... from``.
"""

from __future__ import annotations

from kinema.errors import KinemaError


class OperatorError(KinemaError):
    """Base of the operator's errors."""


class InvalidSpec(OperatorError):
    """The resource's spec cannot be acted on until someone changes it."""


class ClusterError(OperatorError):
    """A Kubernetes API call failed; retrying may help."""


class OutputError(OperatorError):
    """Reading or deleting transcoded output in the object store failed."""


class CatalogSyncError(OperatorError):
    """Writing the catalog database failed."""
