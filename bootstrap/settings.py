"""Settings from the environment (and a `.env` file), read once at start-up."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import time
from pathlib import Path

from dotenv import dotenv_values, load_dotenv

DEFAULT_SECRET_KEY = "dev-insecure-secret-key"


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ConfigurationError(Exception):
    """The process must not start with these settings."""


def _flag(name: str, raw: str, default: bool) -> bool:
    value = raw.strip().lower()
    if not value:
        return default
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigurationError(f"{name} must be 1 or 0 (true/false, yes/no, on/off), not {raw!r}")


@dataclass(frozen=True)
class Settings:
    kite_api_key: str = ""
    kite_api_secret: str = ""
    kite_access_token: str = ""
    kite_api_root: str = "https://api.kite.trade"
    kite_login_url: str = "https://kite.zerodha.com/connect/login"
    kite_timeout: float = 7.0
    kite_rate_limit: int = 3
    data_dir: Path = Path("./data/hdf5")
    secret_key: str = DEFAULT_SECRET_KEY
    env: str = "development"
    fetch_concurrency: int = 4
    batch_workers: int = 4
    store_lock_timeout: float = 30.0
    min_free_mb: int = 1024  # serve warns (log line, dashboard banner) below this much free space in the data dir
    api_key: str = ""  # X-API-Key required on /api/* when set; required to bind beyond loopback
    durable: bool = True  # fsync every file kitefetch keeps; KITEFETCH_DURABLE=0 is for benchmarks only
    sync_at: tuple[time, ...] = ()  # IST times `serve` syncs at on trading days (KITEFETCH_SYNC_AT="16:05,18:30")
    sync_tick_seconds: int = 60  # how often the schedule looks for a login a waiting sync needs (tests: 1)

    @property
    def production(self) -> bool:
        return self.env == "production"

    def __repr__(self) -> str:
        return (f"Settings(api_root={self.kite_api_root!r}, data_dir={str(self.data_dir)!r}, env={self.env!r}, "
                "secrets=***)")

    @classmethod
    def from_env(cls, env_file: str | None = ".env") -> Settings:
        if env_file:
            load_dotenv(env_file, override=False)
        e = os.environ
        env = e.get("FLASK_ENV", "development").strip().lower() or "development"
        if env not in ("development", "production"):
            raise ConfigurationError(f"FLASK_ENV must be development or production, not {env!r}")
        return cls(
            kite_api_key=e.get("KITE_API_KEY", ""),
            kite_api_secret=e.get("KITE_API_SECRET", ""),
            kite_access_token=e.get("KITE_ACCESS_TOKEN", ""),
            kite_api_root=e.get("KITE_API_ROOT", cls.kite_api_root),
            kite_login_url=e.get("KITE_LOGIN_URL", cls.kite_login_url),
            kite_timeout=float(e.get("KITE_TIMEOUT", cls.kite_timeout)),
            kite_rate_limit=int(e.get("KITE_RATE_LIMIT", cls.kite_rate_limit)),
            data_dir=Path(e.get("KITEFETCH_DATA_DIR", str(cls.data_dir))),
            secret_key=e.get("FLASK_SECRET_KEY", "") or DEFAULT_SECRET_KEY,
            env=env,
            fetch_concurrency=int(e.get("KITEFETCH_FETCH_CONCURRENCY", cls.fetch_concurrency)),
            batch_workers=int(e.get("KITEFETCH_BATCH_WORKERS", cls.batch_workers)),
            api_key=e.get("KITEFETCH_API_KEY", ""),
            min_free_mb=int(e.get("KITEFETCH_MIN_FREE_MB", cls.min_free_mb)),
            durable=_flag("KITEFETCH_DURABLE", e.get("KITEFETCH_DURABLE", ""), cls.durable),
            sync_at=_times("KITEFETCH_SYNC_AT", e.get("KITEFETCH_SYNC_AT", "")),
            sync_tick_seconds=int(e.get("KITEFETCH_SYNC_TICK_SECONDS", cls.sync_tick_seconds)),
        )

    def check(self, bind_host: str = "127.0.0.1") -> None:
        if self.production and (not self.secret_key or self.secret_key == DEFAULT_SECRET_KEY):
            raise ConfigurationError("FLASK_SECRET_KEY must be set to a real secret in production")
        if not _is_loopback(bind_host) and len(self.api_key) < 16:
            raise ConfigurationError(f"Binding {bind_host} exposes the API beyond this machine: set KITEFETCH_API_KEY "
                                     "(16+ characters); clients send it as the X-API-Key header")
        if self.api_key and (not self.secret_key or self.secret_key == DEFAULT_SECRET_KEY):
            # Browser sessions stand for the key once unlocked: cookies signed with a public key would not.
            raise ConfigurationError("KITEFETCH_API_KEY needs FLASK_SECRET_KEY set to a real secret as well")


def _times(name: str, text: str) -> tuple[time, ...]:
    from domain.errors import InvalidInput
    from domain.sync_schedule import parse_times

    try:
        return parse_times(text)
    except InvalidInput as error:
        raise ConfigurationError(f"{name}: {error.message}") from None


def data_dir_from_env(env_file: str | None = ".env") -> tuple[Path, str]:
    """The data dir as Settings.from_env finds it (the environment, then the `.env` file, then ./data/hdf5) and
    which of them named it, without loading `.env` into the environment: a notebook that only reads candles
    picks up no Kite secret."""
    name = "KITEFETCH_DATA_DIR"
    if name in os.environ:
        return Path(os.environ[name]), name
    if env_file:
        value = dotenv_values(env_file).get(name)
        if value is not None:
            return Path(value), f"{name} in {env_file}"
    return Settings.data_dir, "the default"
