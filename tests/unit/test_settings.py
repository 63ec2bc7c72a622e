"""Settings: defaults file, then VCSAFE_* environment, then overrides; clear one-line errors."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from vcsafe.app import create_app
from vcsafe.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for key in list(os.environ):
        if key.startswith("VCSAFE_"):
            monkeypatch.delenv(key)


def test_environment_overrides_file_and_overrides_win(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VCSAFE_PORT", "9100")
    monkeypatch.setenv("VCSAFE_HTTPS", "yes")
    settings = load_settings({"instance_path": str(tmp_path)})
    assert settings.port == 9100
    assert settings.https is True
    assert settings.host == "127.0.0.1"  # from config/default.toml

    assert load_settings({"instance_path": str(tmp_path), "port": 9200}).port == 9200


def test_site_file_layer(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text('host = "0.0.0.0"\ncleanup_interval_minutes = 5\n')
    monkeypatch.setenv("VCSAFE_CONFIG_FILE", str(site))
    settings = load_settings({"instance_path": str(tmp_path)})
    assert (settings.host, settings.cleanup_interval_minutes) == ("0.0.0.0", 5)


@pytest.mark.parametrize(
    ("env", "value", "message"),
    [
        ("VCSAFE_PORT", "eighty", "VCSAFE_PORT must be a whole number, not 'eighty'"),
        ("VCSAFE_HTTPS", "maybe", "VCSAFE_HTTPS must be true or false"),
        ("VCSAFE_MODE", "staging", "mode must be one of embedded, production"),
        ("VCSAFE_DATABASE_URL", "mysql://x", "database_url must be a sqlite:/// or postgresql://"),
        ("VCSAFE_LOGIN_ATTEMPTS_LIMIT", "lots", "login_attempts_limit must read like"),
    ],
)
def test_invalid_settings_stop_start_up_with_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, env: str, value: str, message: str
) -> None:
    monkeypatch.setenv(env, value)
    with pytest.raises(SettingsError) as excinfo:
        create_app({"instance_path": str(tmp_path)})
    assert message in str(excinfo.value)
    assert "\n" not in str(excinfo.value)


def test_production_needs_a_secret_key(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="production mode needs a secret key"):
        load_settings(
            {
                "mode": "production",
                "database_url": "postgresql://db/x",
                "instance_path": str(tmp_path),
            }
        )
    with pytest.raises(SettingsError, match="at least 32 characters"):
        load_settings({"mode": "production", "secret_key": "short", "instance_path": str(tmp_path)})


def test_unknown_override_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="unknown setting 'prot'"):
        load_settings({"instance_path": str(tmp_path), "prot": 1})


def test_embedded_secret_key_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    first = load_settings({"instance_path": str(tmp_path)})
    second = load_settings({"instance_path": str(tmp_path)})
    key_file = tmp_path / "secret_key"
    assert first.secret_key == second.secret_key == key_file.read_text()
    assert len(first.secret_key) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_embedded_default_is_sqlite_in_instance_folder_and_migrates(tmp_path: Path) -> None:
    settings = load_settings({"instance_path": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'vcsafe.db'}"
    assert settings.auto_migrate is True


def test_postgres_url_uses_psycopg_driver(tmp_path: Path) -> None:
    settings = load_settings(
        {"instance_path": str(tmp_path), "database_url": "postgresql://u@h:5432/d"}
    )
    assert settings.database_url == "postgresql+psycopg://u@h:5432/d"
    assert settings.auto_migrate is False
