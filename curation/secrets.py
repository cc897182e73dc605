"""Project secrets in a git-ignored `.env` at the project root (never logged, never released)."""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from curation.errors import ConfigError

ENV_FILE = ".env"
SALT_VAR = "MEDCURATE_DEID_SALT"


def read_env_file(root: Path) -> dict[str, str]:
    """KEY=VALUE lines of <root>/.env (comments and blank lines skipped)."""
    path = root / ENV_FILE
    if not path.is_file():
        return {}
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip().strip("'\"")
    return values


def get_secret(root: Path, name: str) -> str | None:
    """A secret from the environment, else from <root>/.env."""
    return os.environ.get(name) or read_env_file(root).get(name)


def ensure_env(root: Path, defaults: dict[str, str]) -> list[str]:
    """Append missing keys to <root>/.env (created with mode 600). Returns the keys added."""
    path = root / ENV_FILE
    present = read_env_file(root)
    missing = {k: v for k, v in defaults.items() if k not in present}
    if missing:
        new = not path.exists()
        with path.open("a", encoding="utf-8") as fh:
            if new:
                fh.write("# MedCurate secrets: never commit this file.\n")
            for key, value in missing.items():
                fh.write(f"{key}={value}\n")
        path.chmod(0o600)
    return list(missing)


def deid_salt(root: Path) -> bytes:
    """The secret salt that keys surrogates and date shifts; fails clearly when unset."""
    value = get_secret(root, SALT_VAR)
    if not value:
        raise ConfigError(
            f"{SALT_VAR} is not set",
            hint="Run `curate init` to create a .env with a random salt, or export the variable. "
            "Keep it secret and stable: it decides every surrogate and date shift.",
        )
    return value.encode("utf-8")


def salt_id(root: Path) -> str:
    """A public fingerprint of the project's salt (which salt made an output)."""
    return salt_fingerprint(deid_salt(root))


def salt_fingerprint(salt: bytes) -> str:
    """A public fingerprint of a salt, not the salt itself."""
    return hashlib.sha256(b"medcurate-salt-id\x1f" + salt).hexdigest()[:12]


def new_salt() -> str:
    """A fresh random salt."""
    return secrets.token_hex(32)
