"""Clip rules, the preview's files and Job, and the link card."""
