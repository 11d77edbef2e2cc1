"""Settings from environment variables, each documented where it is read.

Every variable has a safe default for a developer's machine; production sets them
explicitly. See ``docs/configuration.md`` for the full list.
"""

import os
from pathlib import Path


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "ja"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def data_dir() -> Path:
    """State folder: embedded database, generated development keys (CASUSTAFEL_DATA_DIR)."""
    path = Path(env("CASUSTAFEL_DATA_DIR", str(Path.cwd() / ".state"))).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path
