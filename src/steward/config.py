"""Runtime configuration from ``STEWARD_*`` environment variables.

Kept free of Django imports so the CLI can resolve paths before Django starts.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

TRUE_VALUES = {"1", "true", "yes", "on"}


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in TRUE_VALUES


def data_dir() -> Path:
    """Where the embedded database, secret key and uploaded media live."""
    configured = os.environ.get("STEWARD_DATA_DIR")
    if configured:
        return Path(configured).expanduser().resolve()
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "steward"


def database_url() -> str:
    configured = os.environ.get("STEWARD_DATABASE_URL")
    if configured:
        return configured
    return f"sqlite:///{data_dir() / 'steward.sqlite3'}"


def secret_key() -> str:
    """Return STEWARD_SECRET_KEY, or a key generated once and persisted in the data directory."""
    configured = os.environ.get("STEWARD_SECRET_KEY")
    if configured:
        return configured
    path = data_dir() / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    # O_EXCL: two processes starting at once must not write different keys.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    debug: bool
    allowed_hosts: list[str]
    media_root: Path


def load() -> Settings:
    directory = data_dir()
    hosts = os.environ.get("STEWARD_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
    return Settings(
        data_dir=directory,
        database_url=database_url(),
        debug=env_bool("STEWARD_DEBUG"),
        allowed_hosts=[h.strip() for h in hosts.split(",") if h.strip()],
        media_root=Path(os.environ.get("STEWARD_MEDIA_ROOT") or directory / "media"),
    )
