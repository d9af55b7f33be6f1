"""``kinema.catalog``: the database behind the API and the operator.

SQLAlchemy 2 models (``kinema.catalog.models``), Alembic migrations
(``kinema.catalog.migrations``, run by :mod:`kinema.catalog.migrate` before start),
search (:mod:`kinema.catalog.search`), and the services that write to it
(``kinema.catalog.services``), shared by the API and the operator so both change the
catalog the same way.
"""
