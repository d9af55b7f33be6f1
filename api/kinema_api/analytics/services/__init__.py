"""Admin analytics queries (rollups, billing and pipeline tables)."""
