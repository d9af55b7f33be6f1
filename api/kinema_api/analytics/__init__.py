"""Admin analytics: the dashboard's figures, read from the playback rollups."""
