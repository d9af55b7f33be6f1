"""Shared clips: a range of at most a minute of a video, a link, and a preview. See
docs/clips.md."""
