"""Accounts: sign-up, login sessions, tokens, passwords and profiles."""
