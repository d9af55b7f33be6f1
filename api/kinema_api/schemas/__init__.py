"""Request and response bodies (Create / Update / Public), apart from the ORM models."""
