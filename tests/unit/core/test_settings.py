"""Settings refuse what cannot work, with a message that says what to do."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from kinema.errors import ConfigError
from kinema.settings import Environment, Settings


def test_embedded_default_is_sqlite_under_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'kinema.db'}"


@pytest.mark.parametrize("secret", ["", "changeme", "development-only-secret"])
def test_production_refuses_placeholder_secrets(secret: str) -> None:
    with pytest.raises(ConfigError, match="KINEMA_SECRET_KEY"):
        Settings(environment=Environment.PRODUCTION, secret_key=SecretStr(secret))


def test_storage_url_must_be_s3() -> None:
    with pytest.raises(ConfigError, match="s3://"):
        Settings(storage_url="/var/media")
