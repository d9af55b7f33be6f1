"""Playback tokens, manifests, byte ranges, CloudFront URLs and cookies."""
