"""What every `curate` command shares: the console, --root, the progress bar, error handling."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from curation.errors import CurationError

F = TypeVar("F", bound=Callable[..., Any])

console = Console(stderr=True)
MACHINE_HINT = (
    "A file, the disk, memory or an installed dependency failed (not a record): fix it and run "
    "the command again."
)

RootOption = Annotated[
    Path,
    typer.Option(
        "--root",
        help="Project root (holds sources.yaml, params.yaml, data/, reports/).",
        exists=True,
        file_okay=False,
        resolve_path=True,
        callback=lambda root: _use_project(root),
    ),
]
EngineOption = Annotated[
    str | None,
    typer.Option(
        "--engine",
        help="local (this machine, worker processes) or ray (Ray Data); default: params.yaml "
        "engine.name. Outputs are byte-identical either way.",
        show_default=False,
    ),
]
WorkersOption = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=0,
        help="Worker processes / Ray actors (0: every core); default: params.yaml engine.workers.",
        show_default=False,
    ),
]


def engine_from(base: Any, name: str | None, workers: int | None) -> Any:
    """params.yaml's engine section with --engine / --workers applied (checked)."""
    from curation.stages.runner import EngineConfig

    changes = {"name": name, "workers": workers}
    data = base.model_dump() | {k: v for k, v in changes.items() if v is not None}
    try:
        return EngineConfig.model_validate(data)
    except ValueError as exc:
        raise typer.BadParameter(str(exc).splitlines()[-1]) from None


def _use_project(root: Path) -> Path:
    """Contracts (taxonomy, PHI policy …) resolve against this project's files first."""
    from curation.contracts import use_project

    use_project(root)
    return root


def user_errors(fn: F) -> F:
    """Turn CurationErrors into a clear message and exit code 1 (no traceback); so too the
    errors of the machine (a file or disk, a missing dependency, memory), which name a file or
    module, never record text.

    Any other exception is a bug; its message may quote record text (PHI), so only its type is
    printed (exit 2) unless MEDCURATE_DEBUG=1 asks for the full traceback.
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except CurationError as exc:
            # soft wrap: a long path is never broken across lines (it stays copyable)
            console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
            if exc.hint:
                console.print(f"[dim]hint: {exc.hint}[/]", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        except (OSError, ImportError, MemoryError) as exc:
            if os.environ.get("MEDCURATE_DEBUG") == "1":
                raise
            console.print(
                f"[bold red]error:[/] {type(exc).__name__}: {escape(str(exc))}",
                highlight=False,
                soft_wrap=True,
            )
            console.print(f"[dim]hint: {MACHINE_HINT}[/]", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            if os.environ.get("MEDCURATE_DEBUG") == "1":
                raise
            console.print(
                f"[bold red]internal error:[/] {type(exc).__name__} in `{fn.__name__}` "
                "(message withheld: it may quote record text)",
                highlight=False,
            )
            console.print("[dim]hint: rerun with MEDCURATE_DEBUG=1 for the traceback[/]")
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


def progress() -> Progress:
    """The progress bar every long command uses."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )
