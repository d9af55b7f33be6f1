"""The viewing routers: playback and streaming, progress and lists."""
