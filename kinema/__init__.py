"""Kinema's shared core.

Everything every component needs and nothing that belongs to one of them: resource
models (the single source of truth for the CRDs), ladder planning, storage backends,
the catalog, settings and the ffmpeg door. The core imports no component; the
`.importlinter` contracts in ``pyproject.toml`` keep it so.
"""

__version__ = "0.1.0"
