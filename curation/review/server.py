"""The embedded Label Studio server: `curate labelstudio up | down | status`.

The `label-studio` package (extra `server`) runs on SQLite under ``.labelstudio/`` in the
project, bound to 127.0.0.1, with signup (except by invite link), version checks, analytics and
Sentry off. Its admin account and API token come from the project's git-ignored ``.env``, which
`up` fills with random secrets on first use; every other command reads ``LABEL_STUDIO_URL`` and
``LABEL_STUDIO_API_KEY`` from the environment or that file.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from curation.errors import ConfigError, CurationError
from curation.secrets import ensure_env, read_env_file

SERVER_DIR = ".labelstudio"
DEFAULT_PORT = 8080
ADMIN_EMAIL = "admin@medcurate.local"
URL_VAR = "LABEL_STUDIO_URL"
KEY_VAR = "LABEL_STUDIO_API_KEY"

# Never phone home, never report errors to third parties, never open signup.
QUIET_ENV = {
    "LATEST_VERSION_CHECK": "false",
    "COLLECT_ANALYTICS": "false",
    "SENTRY_DSN": "",
    "FRONTEND_SENTRY_DSN": "",
    "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",
    "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
}


@dataclass(frozen=True)
class LocalServer:
    """One project's embedded Label Studio: its data folder, port and credentials."""

    root: Path

    @property
    def folder(self) -> Path:
        return self.root / SERVER_DIR

    @property
    def pid_file(self) -> Path:
        return self.folder / "server.pid"

    @property
    def log_file(self) -> Path:
        return self.folder / "server.log"

    def env_values(self) -> dict[str, str]:
        """The server's settings from .env (after :meth:`ensure_secrets`)."""
        return read_env_file(self.root)

    @property
    def url(self) -> str:
        return self.env_values().get(URL_VAR, f"http://127.0.0.1:{DEFAULT_PORT}")

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[-1].strip("/"))

    def ensure_secrets(self, port: int | None = None) -> list[str]:
        """Add the admin account, API token and URL to .env when missing; return keys added."""
        token = secrets.token_hex(20)
        return ensure_env(
            self.root,
            {
                "LABEL_STUDIO_USERNAME": ADMIN_EMAIL,
                "LABEL_STUDIO_PASSWORD": secrets.token_urlsafe(18),
                "LABEL_STUDIO_USER_TOKEN": token,
                "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
                URL_VAR: f"http://127.0.0.1:{port or free_port(DEFAULT_PORT)}",
                KEY_VAR: token,
            },
        )

    def process_env(self) -> dict[str, str]:
        """Environment for the server process: ours plus the quiet and account settings."""
        values = self.env_values()
        env = dict(os.environ)
        env.update(QUIET_ENV)
        env["LABEL_STUDIO_BASE_DATA_DIR"] = str(self.folder / "data")
        for key in ("LABEL_STUDIO_USERNAME", "LABEL_STUDIO_PASSWORD", "LABEL_STUDIO_USER_TOKEN"):
            env[key] = values[key]
        return env

    def healthy(self, timeout: float = 2.0) -> bool:
        """Whether the server answers /health."""
        try:
            return httpx.get(f"{self.url}/health", timeout=timeout).status_code == 200
        except httpx.HTTPError:
            return False

    def pid(self) -> int | None:
        """The server's process id, when it was started here and still runs."""
        try:
            pid = int(self.pid_file.read_text().strip())
            os.kill(pid, 0)
        except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
            return None
        return pid

    def up(self, wait: float = 300.0) -> bool:
        """Start the server unless it runs; wait for /health. Returns False if it already ran."""
        self.ensure_secrets()
        if self.healthy():
            return False
        executable = label_studio_executable()
        self.folder.mkdir(parents=True, exist_ok=True)
        log = self.log_file.open("ab")
        process = subprocess.Popen(
            [
                executable,
                "start",
                "--no-browser",
                "--internal-host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "WARNING",
            ],
            cwd=self.folder,
            env=self.process_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.pid_file.write_text(f"{process.pid}\n")
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise CurationError(
                    f"Label Studio exited with code {process.returncode} while starting",
                    hint=f"See {self.log_file} (port {self.port} in use? another data folder?).",
                )
            if self.healthy():
                return True
            time.sleep(1.0)
        self.down()
        raise CurationError(
            f"Label Studio did not answer {self.url}/health within {wait:.0f} s",
            hint=f"See {self.log_file}.",
        )

    def down(self, wait: float = 30.0) -> bool:
        """Stop the server started by :meth:`up`. Returns False when none was running."""
        pid = self.pid()
        if pid is None:
            return False
        os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and self.pid() is not None:
            if _reaped(pid):
                break
            time.sleep(0.2)
        else:
            if self.pid() is not None:
                os.killpg(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return True


def _reaped(pid: int) -> bool:
    """Reap the process if it is our exited child (so it does not linger as a zombie)."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return False
    return done == pid


def label_studio_executable() -> str:
    """The `label-studio` command next to this Python, else on PATH."""
    beside = Path(sys.executable).parent / "label-studio"
    found = str(beside) if beside.exists() else shutil.which("label-studio")
    if not found:
        raise ConfigError(
            "the Label Studio server is not installed",
            hint="pip install -e '.[server]' (or point LABEL_STUDIO_URL and "
            "LABEL_STUDIO_API_KEY at a running server).",
        )
    return found


def free_port(preferred: int) -> int:
    """`preferred` if nothing listens there, else a free port chosen by the OS."""
    for port in (preferred, 0):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise CurationError("no free TCP port on 127.0.0.1")
