"""Kinema's Kubernetes operator. Imports the core only; never the API.

Layers, kept by import-linter (``[tool.importlinter]`` in pyproject.toml), each importing
only those below it::

    cli, run          ``kinema operator``: run Kopf with the handlers
    handlers          Kopf triggers, thin; errors mapped to Kopf's
    wiring            builds the doors and kinds from the settings, closes them
    video             the Video kind (reads Ladders and Distributions through theirs)
    distribution | plan | ladder
                      the other kinds, independent of each other
    catalog, kube, conditions, errors, metrics, config, labels
                      shared: the database and cluster doors, pure helpers, settings
"""
