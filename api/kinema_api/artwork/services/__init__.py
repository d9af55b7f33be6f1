"""Artwork tests: variants, assignment, counters, admin statistics."""
