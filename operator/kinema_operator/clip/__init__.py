"""Shared clips' previews in a cluster: a Job per clip, launched and followed by the
operator (:mod:`.previews`), built and judged by pure code (:mod:`.jobs`)."""
