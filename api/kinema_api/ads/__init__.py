"""Ads for plans with ``ads: true``: ad creatives (admin), the VAST ad decision, the
creative's media and its tracking pixels."""
