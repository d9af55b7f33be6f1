"""The billing routers: the viewer's billing, Stripe's webhook, and the admin's pages."""
