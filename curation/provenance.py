"""What an output was made from: the code a module runs and digests of code, data and models.

:func:`module_closure` reads import statements (module level and inside functions, so lazy
imports count) without importing anything, and follows them within the ``curation`` package:
the files whose code a stage may run. Importing ``curation.a.b`` also runs the package files
``curation/__init__.py`` and ``curation/a/__init__.py``; they are part of the closure. The DVC
dependency test (``tests/test_dvc_deps.py``) and the version stamps (``deid_version``, the
tagger names) are derived from it, so that neither can miss code added later.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Iterable
from functools import cache
from importlib import metadata
from pathlib import Path

PACKAGE = "curation"
PACKAGE_DIR = Path(__file__).resolve().parent


def module_file(module: str) -> Path | None:
    """The source file of a module of the package (its __init__.py for a package), if any."""
    if module != PACKAGE and not module.startswith(f"{PACKAGE}."):
        return None
    base = PACKAGE_DIR.joinpath(*module.split(".")[1:])
    for path in (base / "__init__.py", base.with_suffix(".py")):
        if path.is_file():
            return path
    return None


def _parents(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def _imports(path: Path, module: str) -> set[str]:
    """Modules of the package that a file imports (each with its parent packages)."""
    is_package = path.name == "__init__.py"
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_bytes(), filename=str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from . import x / from ..a import b
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, node.module] if node.module else anchor)
            else:
                base = node.module or ""
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        for name in names:
            for candidate in _parents(name):
                if module_file(candidate) is not None:
                    found.add(candidate)
    return found


@cache
def module_closure(*modules: str, boundary: tuple[str, ...] = ()) -> tuple[Path, ...]:
    """Source files of the package that importing these modules may run, sorted; modules in
    `boundary` are neither included nor followed."""
    seen: set[str] = set()
    todo = [parent for module in modules for parent in _parents(module)]
    while todo:
        module = todo.pop()
        if module in seen or module in boundary:
            continue
        path = module_file(module)
        if path is None:
            continue
        seen.add(module)
        todo.extend(_imports(path, module) - seen)
    files = {module_file(m) for m in seen}
    return tuple(sorted(p for p in files if p is not None))


def package_relative(path: Path) -> str:
    """A package file's path as `curation/...` (stable across machines and installs)."""
    return f"{PACKAGE}/{path.resolve().relative_to(PACKAGE_DIR).as_posix()}"


def digest_files(files: Iterable[Path], parts: Iterable[str | bytes] = ()) -> str:
    """sha256 (8 hex) of package files (name and bytes, in path order) and further parts."""
    digest = hashlib.sha256()
    for path in sorted(files, key=package_relative):
        digest.update(package_relative(path).encode() + b"\0")
        digest.update(path.read_bytes())
    for part in parts:
        digest.update(b"\0" + (part.encode() if isinstance(part, str) else part))
    return digest.hexdigest()[:8]


@cache
def code_digest(*modules: str, data: tuple[Path, ...] = ()) -> str:
    """Digest of the import closure of modules and of package data files they read (once per
    process: code does not change under a running process)."""
    return digest_files([*module_closure(*modules), *data])


def distribution_versions(*names: str) -> str:
    """`name==version` of installed distributions (word lists and dictionaries shipped by
    dependencies change with their version); `name==?` when one is missing."""

    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "?"

    return ",".join(f"{name}=={version(name)}" for name in names)
