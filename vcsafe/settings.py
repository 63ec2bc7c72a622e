"""Settings in three layers: config/default.toml, then VCSAFE_* environment, then overrides."""

from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import limits

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULTS_FILE = PROJECT_ROOT / "config" / "default.toml"
MODES = ("embedded", "production")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(Exception):
    """A setting is missing or invalid; the message is one line a person can act on."""


@dataclass(frozen=True)
class Settings:
    """Validated settings for one vcsafe process."""

    mode: str
    secret_key: str
    previous_secret_keys: tuple[str, ...]
    database_url: str
    instance_path: str
    auto_migrate: bool
    host: str
    port: int
    public_base_url: str
    https: bool
    proxy_hops: int
    demo: bool
    redis_url: str
    login_attempts_limit: str
    registration_limit_per_address: str
    registration_limit_per_meeting: str
    smtp_host: str
    smtp_port: int
    smtp_username: str
    smtp_password: str
    smtp_starttls: bool
    mail_from: str
    cleanup_interval_minutes: int
    push_interval_seconds: int
    webhook_grace_minutes: int
    purge_lease_seconds: int
    provider_max_attempts: int
    provider_backoff_seconds: float
    provider_total_seconds: float
    provider_read_timeout_seconds: float
    log_level: str

    @property
    def embedded(self) -> bool:
        return self.mode == "embedded"

    @property
    def base_url(self) -> str:
        return self.public_base_url or f"http://{self.host}:{self.port}"


def load_settings(overrides: dict[str, Any] | None = None) -> Settings:
    """Read the three layers, coerce types, fill embedded defaults and validate."""
    defaults_path = Path(os.environ.get("VCSAFE_DEFAULTS_FILE", DEFAULTS_FILE))
    values = _read_toml(defaults_path)
    site_file = os.environ.get("VCSAFE_CONFIG_FILE")
    if site_file:
        values.update(_read_toml(Path(site_file), known=values))
    for key, default in list(values.items()):
        raw = os.environ.get(f"VCSAFE_{key.upper()}")
        if raw is not None:
            values[key] = _coerce(f"VCSAFE_{key.upper()}", raw, default)
    for key, value in (overrides or {}).items():
        if key not in values:
            raise SettingsError(f"unknown setting {key!r} in overrides")
        values[key] = value
    missing = {f.name for f in fields(Settings)} - values.keys()
    if missing:
        raise SettingsError(f"{defaults_path} lacks the setting(s): {', '.join(sorted(missing))}")
    values["previous_secret_keys"] = tuple(values["previous_secret_keys"])
    values["instance_path"] = str(
        Path(values["instance_path"] or PROJECT_ROOT / "instance").resolve()
    )
    settings = Settings(**{f.name: values[f.name] for f in fields(Settings)})
    _validate(settings)
    return _with_embedded_defaults(settings)


def _read_toml(path: Path, known: dict[str, Any] | None = None) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise SettingsError(f"settings file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path} is not valid TOML: {exc}") from None
    if known is not None:
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise SettingsError(f"{path}: unknown setting(s): {', '.join(unknown)}")
    return data


def _coerce(name: str, raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        lowered = raw.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off", ""):
            return False
        raise SettingsError(f"{name} must be true or false, not {raw!r}")
    if isinstance(default, float):
        try:
            return float(raw)
        except ValueError:
            raise SettingsError(f"{name} must be a number, not {raw!r}") from None
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if isinstance(default, list):
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw


def _validate(s: Settings) -> None:
    def check(ok: bool, message: str) -> None:
        if not ok:
            raise SettingsError(message)

    check(s.mode in MODES, f"mode must be one of {', '.join(MODES)}, not {s.mode!r}")
    check(1 <= s.port <= 65535, f"port must be between 1 and 65535, not {s.port}")
    check(0 <= s.proxy_hops <= 5, "proxy_hops must be between 0 and 5")
    check(1 <= s.smtp_port <= 65535, f"smtp_port must be between 1 and 65535, not {s.smtp_port}")
    check(s.cleanup_interval_minutes >= 1, "cleanup_interval_minutes must be at least 1")
    check(s.push_interval_seconds >= 1, "push_interval_seconds must be at least 1")
    check(s.webhook_grace_minutes >= 0, "webhook_grace_minutes cannot be negative")
    check(s.purge_lease_seconds >= 1, "purge_lease_seconds must be at least 1")
    check(1 <= s.provider_max_attempts <= 20, "provider_max_attempts must be between 1 and 20")
    check(s.provider_backoff_seconds >= 0, "provider_backoff_seconds cannot be negative")
    check(s.provider_total_seconds > 0, "provider_total_seconds must be more than 0")
    check(s.provider_read_timeout_seconds > 0, "provider_read_timeout_seconds must be more than 0")
    check(s.log_level.upper() in LOG_LEVELS, f"log_level must be one of {', '.join(LOG_LEVELS)}")
    check(
        not s.database_url or s.database_url.startswith(("sqlite", "postgresql")),
        "database_url must be a sqlite:/// or postgresql:// URL",
    )
    check(
        not s.redis_url or s.redis_url.startswith(("redis://", "rediss://", "unix://")),
        "redis_url must be a redis:// URL",
    )
    check(
        not s.public_base_url or s.public_base_url.startswith(("http://", "https://")),
        "public_base_url must start with http:// or https://",
    )
    for name in (
        "login_attempts_limit",
        "registration_limit_per_address",
        "registration_limit_per_meeting",
    ):
        value = getattr(s, name)
        try:
            limits.parse(value)
        except ValueError:
            raise SettingsError(f"{name} must read like '5 per 5 minutes', not {value!r}") from None
    if s.mode == "production":
        check(bool(s.secret_key), "production mode needs a secret key: set VCSAFE_SECRET_KEY")
        check(len(s.secret_key) >= 32, "VCSAFE_SECRET_KEY must be at least 32 characters long")
        check(bool(s.database_url), "production mode needs VCSAFE_DATABASE_URL (PostgreSQL)")


def _with_embedded_defaults(s: Settings) -> Settings:
    instance = Path(s.instance_path)
    changes: dict[str, Any] = {}
    if not s.database_url:
        # The embedded default: a SQLite file that upgrades itself on start-up.
        instance.mkdir(parents=True, exist_ok=True)
        changes["database_url"] = f"sqlite:///{instance / 'vcsafe.db'}"
        changes["auto_migrate"] = True
    elif s.database_url.startswith("postgresql://"):
        changes["database_url"] = "postgresql+psycopg://" + s.database_url[len("postgresql://") :]
    if not s.secret_key:
        changes["secret_key"] = _instance_secret_key(instance)
    if not changes:
        return s
    values = {f.name: getattr(s, f.name) for f in fields(Settings)} | changes
    return Settings(**values)


def _instance_secret_key(instance: Path) -> str:
    """Generate the embedded secret key once and keep it, readable by this user only."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race: use its key
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key
