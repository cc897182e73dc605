"""Loading YAML configuration into pydantic models, with errors a user can act on."""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from curation.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


def read_yaml(path: Path) -> Any:
    """Parse a YAML file; a missing file, a syntax error or a repeated key (which YAML would
    let silently replace the first) becomes a ConfigError."""
    if not path.is_file():
        raise ConfigError(f"{path}: file not found")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not valid UTF-8 (byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(
            f"{path}: cannot be read ({exc.strerror or type(exc).__name__})"
        ) from None
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            _refuse_duplicate_keys(node, path)
            return loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"{path}{where}: {problem}") from None


def _refuse_duplicate_keys(node: yaml.Node, path: Path) -> None:
    """Raise a ConfigError at a mapping key that repeats an earlier one (dotted key path)."""
    stack: list[tuple[yaml.Node, str]] = [(node, "")]
    seen_nodes: set[int] = set()  # an alias points at a node already checked
    while stack:
        current, at = stack.pop()
        if id(current) in seen_nodes:
            continue
        seen_nodes.add(id(current))
        if isinstance(current, yaml.SequenceNode):
            stack.extend((item, f"{at}[{i}]") for i, item in enumerate(current.value))
        if not isinstance(current, yaml.MappingNode):
            continue
        lines: dict[str, int] = {}
        for key, value in current.value:
            name = str(key.value) if isinstance(key, yaml.ScalarNode) else "?"
            dotted = f"{at}.{name}" if at else name
            if key.tag != "tag:yaml.org,2002:merge" and isinstance(key, yaml.ScalarNode):
                if name in lines:
                    raise ConfigError(
                        f"{path} (line {key.start_mark.line + 1}): key '{dotted}' is repeated "
                        f"(first on line {lines[name]}); the second would silently replace the "
                        "first",
                        hint="Rename or remove one of them.",
                    )
                lines[name] = key.start_mark.line + 1
            stack.append((value, dotted))


def describe_errors(exc: ValidationError, model: type[BaseModel], prefix: str) -> str:
    """One line per problem: where (dotted key path), what is wrong, and a suggestion."""
    lines = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = [str(p) for p in err["loc"]]
        where = ".".join([prefix, *loc]) if prefix else ".".join(loc)
        msg = err["msg"]
        if err["type"] == "extra_forbidden" and loc:
            msg = f"unknown key '{loc[-1]}'" + suggest(loc[-1], _known_keys(model, loc[:-1]))
        elif err["type"] == "missing":
            msg = "required key is missing"
        elif err["type"] == "value_error":
            msg = msg.removeprefix("Value error, ")
        lines.append(f"  {where}: {msg}")
    return "\n".join(lines)


def validate_config(
    model: type[M],
    data: Any,
    path: Path,
    prefix: str = "",
    context: dict[str, Any] | None = None,
) -> M:
    """Validate parsed YAML into a model, raising a ConfigError that lists every problem.

    `context` reaches the model's validators (e.g. the project root, the declared sources)."""
    try:
        return model.model_validate(data, context=context)
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
    """The pydantic model an annotation holds (itself, or inside ``list[…]``, ``dict[…]`` …)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for candidate in getattr(annotation, "__args__", ()):
        if (found := _model_of(candidate)) is not None:
            return found
    return None


def suggest(word: str, choices: list[str], most: int = 20) -> str:
    """' (did you mean 'X'?)' for a close choice, else the choices (when there are few)."""
    close = difflib.get_close_matches(word, choices, n=1)
    if close:
        return f" (did you mean '{close[0]}'?)"
    return f"; allowed: {', '.join(choices)}" if len(choices) <= most else ""


def check_known(values: Iterable[str], known: Collection[str], what: str) -> None:
    """Raise a ValueError (for a pydantic validator) naming every value not in `known`."""
    unknown = [v for v in values if v not in known]
    if unknown:
        raise ValueError(
            "; ".join(f"unknown {what} '{v}'" + suggest(v, list(known)) for v in unknown)
        )
