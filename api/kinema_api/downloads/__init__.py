"""Offline downloads: grants that let one device keep one title, and their media."""
