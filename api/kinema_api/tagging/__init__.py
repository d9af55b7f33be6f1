"""Admin review of auto-tagging suggestions (docs/auto-tagging.md)."""
