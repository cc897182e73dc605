"""The small set of error types the CLI turns into clear messages.

A user error (bad config, bad input file) ends the command with a message and a non-zero
exit, never a traceback. Messages must never quote record text: it may hold PHI.
"""

MAX_LISTED = 20  # problems one error message lists


def listed(problems: list[str], most: int = MAX_LISTED) -> str:
    """Problems as the lines of one error message: the first `most`, then how many more
    (no problems: nothing)."""
    if not problems:
        return ""
    more = len(problems) - most
    return "\n  " + "\n  ".join(problems[:most]) + (f"\n  … and {more} more" if more > 0 else "")


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


class SetupError(CurationError):
    """A stage could not load what it needs before its first record (a word list, a model, a
    dependency): fatal, never a reason to quarantine records."""

    hint = "Fix the installation or the resource named above and run the command again."


# Errors that stop a stage whatever record was being handled: a configuration, input or server
# error, a file or disk that fails, a missing dependency, exhausted memory. Any other exception
# raised while handling one record is a per-record failure (that record is quarantined).
FATAL_ERRORS: tuple[type[BaseException], ...] = (
    CurationError,
    OSError,
    ImportError,
    MemoryError,
    SystemError,
)


def is_fatal(exc: BaseException) -> bool:
    """True when an error must stop the stage rather than quarantine the record at hand."""
    return isinstance(exc, FATAL_ERRORS) or not isinstance(exc, Exception)
