"""Artwork A/B tests: poster variants chosen per profile by Thompson sampling."""
