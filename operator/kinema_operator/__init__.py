"""Kinema's Kubernetes operator: Kopf handlers and their side effects (Jobs, CloudFront,
Stripe, catalog). Imports the core only; never the API."""
