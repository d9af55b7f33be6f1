"""The media pipeline that runs inside every transcode Job and the embedded worker pool.
Imports the core only."""
