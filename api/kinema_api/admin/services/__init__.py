"""Uploads, the tus protocol, videos, their Kubernetes resources, events and subtitles."""
