"""Download grants (``grants``) and their media (``media``); the pure rules are
``kinema.downloads``."""
