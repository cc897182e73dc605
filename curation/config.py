"""Loading YAML configuration into pydantic models, with errors a user can act on."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from curation.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


def read_yaml(path: Path) -> Any:
    """Parse a YAML file; a missing file or a syntax error becomes a ConfigError."""
    if not path.is_file():
        raise ConfigError(f"{path}: file not found")
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"{path}{where}: {problem}") from None


def describe_errors(exc: ValidationError, model: type[BaseModel], prefix: str) -> str:
    """One line per problem: where (dotted key path), what is wrong, and a suggestion."""
    lines = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = [str(p) for p in err["loc"]]
        where = ".".join([prefix, *loc]) if prefix else ".".join(loc)
        msg = err["msg"]
        if err["type"] == "extra_forbidden" and loc:
            msg = f"unknown key '{loc[-1]}'" + _suggest(loc[-1], _known_keys(model, loc[:-1]))
        elif err["type"] == "missing":
            msg = "required key is missing"
        lines.append(f"  {where}: {msg}")
    return "\n".join(lines)


def validate_config(model: type[M], data: Any, path: Path, prefix: str = "") -> M:
    """Validate parsed YAML into a model, raising a ConfigError that lists every problem."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{path} is invalid:\n{describe_errors(exc, model, prefix)}") from None


def _known_keys(model: type[BaseModel], loc: list[str]) -> list[str]:
    """Field names of the (nested) model at a location, best effort."""
    current: Any = model
    for part in loc:
        fields = getattr(current, "model_fields", None)
        if fields is None or part not in fields:
            continue  # a dict key (e.g. a source name) or a list index
        current = _model_of(fields[part].annotation)
    fields = getattr(current, "model_fields", None)
    return list(fields) if fields else []


def _model_of(annotation: Any) -> Any:
    for candidate in (annotation, *getattr(annotation, "__args__", ())):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
        found = _model_of(candidate) if getattr(candidate, "__args__", None) else None
        if found is not None:
            return found
    return None


def _suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f" (did you mean '{close[0]}'?)" if close else f"; allowed: {', '.join(choices)}"
