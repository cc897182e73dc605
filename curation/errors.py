"""The small set of error types the CLI turns into clear messages.

A user error (bad config, bad input file) ends the command with a message and a non-zero
exit, never a traceback. Messages must never quote record text: it may hold PHI.
"""


class CurationError(Exception):
    """Base class: every error the CLI reports without a traceback."""

    hint: str = ""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint or self.hint


class ConfigError(CurationError):
    """A configuration file (sources.yaml, params.yaml) is missing or invalid: fatal."""

    hint = "Fix the file named above and run the command again."


class InputFileError(CurationError):
    """A raw input file is missing, unreadable or not in the declared format: fatal for it."""

    hint = "Check the source's path, format and encoding in sources.yaml."


class RetryableServerError(CurationError):
    """A server (e.g. Label Studio) failed in a way that a retry may fix."""

    hint = "The server may be down or busy; run the command again to resume."
