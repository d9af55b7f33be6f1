"""Watching: playback URLs and tokens, streaming, manifests, progress, history, My List."""
