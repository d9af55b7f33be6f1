"""API-side services: what routes call. Catalog writes go through ``kinema.catalog``."""
