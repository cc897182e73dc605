"""How every review command reaches Label Studio: URL + API key, SDK client, retries."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import httpx

from curation.errors import ConfigError, CurationError, RetryableServerError
from curation.review.server import KEY_VAR, URL_VAR
from curation.secrets import get_secret

if TYPE_CHECKING:
    from label_studio_sdk import LabelStudio

T = TypeVar("T")


@dataclass(frozen=True)
class Connection:
    """A Label Studio server and the API key to act on it."""

    url: str
    api_key: str

    @classmethod
    def from_project(cls, root: Path) -> Connection:
        """From LABEL_STUDIO_URL / LABEL_STUDIO_API_KEY (environment first, then .env)."""
        url, key = get_secret(root, URL_VAR), get_secret(root, KEY_VAR)
        if not url or not key:
            raise ConfigError(
                f"{URL_VAR} and {KEY_VAR} are not set",
                hint="Run `curate labelstudio up` for the local server, or export both "
                "variables to use another Label Studio server.",
            )
        return cls(url.rstrip("/"), key)

    def client(self, timeout: float = 300.0) -> LabelStudio:
        """The label-studio-sdk client for this server."""
        from label_studio_sdk import LabelStudio

        return LabelStudio(base_url=self.url, api_key=self.api_key, timeout=timeout)

    def http(self, timeout: float = 300.0) -> httpx.Client:
        """A plain HTTP client with the API key (for endpoints the SDK does not wrap)."""
        return httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"Token {self.api_key}"},
            timeout=timeout,
        )


def is_transient(exc: BaseException) -> bool:
    """Errors worth retrying: the server is unreachable, timed out or failed (5xx, 429)."""
    from label_studio_sdk.core.api_error import ApiError

    if isinstance(exc, httpx.TransportError):
        return True
    if isinstance(exc, ApiError):
        return exc.status_code is None or exc.status_code >= 500 or exc.status_code == 429
    if isinstance(exc, httpx.HTTPStatusError):
        code = exc.response.status_code
        return code >= 500 or code == 429
    return False


def refusal(exc: BaseException) -> str | None:
    """A short account of a 4xx answer (status, detail, field names and messages)."""
    from label_studio_sdk.core.api_error import ApiError

    if not isinstance(exc, ApiError) or exc.status_code is None:
        return None
    body = exc.body if isinstance(exc.body, dict) else {}
    parts = [f"HTTP {exc.status_code}", str(body.get("detail") or "")[:200]]
    errors = body.get("validation_errors")
    if isinstance(errors, dict):
        parts += [f"{k}: {' '.join(map(str, v))[:200]}" for k, v in errors.items()]
    return "; ".join(p for p in parts if p)


def with_retries(
    call: Callable[[], T],
    what: str,
    attempts: int = 6,
    first_wait: float = 1.0,
) -> T:
    """Run `call`, retrying transient server errors with exponential backoff.

    A non-idempotent `call` must itself re-read what the server already has when retried (a
    request may have succeeded with its answer lost). Gives up with a
    :class:`RetryableServerError` naming `what`.
    """
    wait = first_wait
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except Exception as exc:
            if not is_transient(exc) or attempt == attempts:
                if is_transient(exc):
                    raise RetryableServerError(
                        f"Label Studio did not answer while {what} "
                        f"({attempts} attempts, last: {type(exc).__name__})"
                    ) from None
                refused = refusal(exc)
                if refused:
                    raise CurationError(f"Label Studio refused {what}: {refused}") from None
                raise
            time.sleep(wait)
            wait = min(wait * 2, 30.0)
    raise AssertionError("unreachable")
