"""Users, login sessions and password hashing."""
