"""One push at a time per project: an advisory file lock, ``.labelstudio/push.lock``.

Label Studio does not deduplicate imports, so two pushes that both read a project before either
imports would each create every missing task. ``flock(2)`` serialises pushes started from one
project folder on one machine; the OS releases it when its holder exits, even when killed, so a
crash leaves no stale lock. It does not reach other machines, other clones of the project, or a
lock folder on a network file system: :meth:`ReviewServer.upsert` repairs what gets past it.
"""

from __future__ import annotations

import fcntl
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from curation.errors import CurationError

LOCK_FILE = "push.lock"
DEFAULT_WAIT = 600.0  # seconds a push waits for another one before giving up


@contextmanager
def push_lock(
    root: Path,
    wait: float = DEFAULT_WAIT,
    waiting: Callable[[str], None] = lambda message: None,
    poll: float = 0.2,
) -> Iterator[None]:
    """Hold the project's push lock, waiting up to `wait` seconds (told through `waiting`)."""
    from curation.review.server import SERVER_DIR

    path = root / SERVER_DIR / LOCK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if not _acquired(fd):
            holder = _holder(fd)
            waiting(f"waiting for another push of this project to finish ({holder}) …")
            deadline = time.monotonic() + wait
            while not _acquired(fd):
                if time.monotonic() >= deadline:
                    raise CurationError(
                        f"another push of this project is still running ({holder}); "
                        f"gave up after waiting {wait:g} s",
                        hint="Run the push again once the other one has finished, or give it "
                        "longer with --wait.",
                    )
                time.sleep(poll)
        since = time.strftime("%Y-%m-%d %H:%M:%S")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()}, since {since}".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # releases the lock


def _acquired(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _holder(fd: int) -> str:
    """Who holds the lock, as its holder wrote it (empty while it is being written)."""
    return os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "holder unknown"
