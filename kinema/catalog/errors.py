"""The catalog's exception tree.

KinemaError
└── CatalogError            a catalog operation cannot be done
    ├── NotFound            the row named does not exist
    ├── Conflict            the change clashes with existing rows (duplicate email...)
    ├── InvalidChange       the change is well-formed but not allowed in this state
    └── MigrationError      the database schema could not be brought up to date
"""

from __future__ import annotations

from kinema.errors import KinemaError


class CatalogError(KinemaError):
    """A catalog operation cannot be done."""


class NotFound(CatalogError):
    """The named row does not exist."""


class Conflict(CatalogError):
    """The change clashes with existing rows."""


class InvalidChange(CatalogError):
    """The change is not allowed in the current state."""


class MigrationError(CatalogError):
    """The schema could not be migrated."""
