"""What the catalog routes call: listings and title pages within the viewer's limits."""
