"""Every write to the catalog, as functions with keyword-only arguments.

The API and the operator call these, never ORM code of their own, so a video created
from a web upload and one created from ``kubectl apply`` end up as the same rows.
Functions take a ``Session`` and flush but do not commit: the caller owns the
transaction.
"""
