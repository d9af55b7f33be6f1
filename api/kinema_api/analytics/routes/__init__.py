"""Admin analytics routes."""
