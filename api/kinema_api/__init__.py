"""Kinema's FastAPI service: catalog, playback, viewer state and admin routes.
Imports the core only; never the operator."""
