"""The accounts routers: auth (users, sessions) and profiles."""
