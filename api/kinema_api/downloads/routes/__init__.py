"""Routes of the downloads area: grants (``grants``) and their media (``media``)."""
