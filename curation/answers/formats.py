"""The run files `curate answers import` reads, each mapped back to released public ids.

* ``jsonl``: one ``{"id": …, "output": …}`` per line (an item's ``item_id`` or a task
  instance's ``instance_id``; the output a string).
* ``lm_eval``: an lm-evaluation-harness ``--log_samples`` file,
  ``<output_path>/<model>/samples_<task>_<date>.jsonl``. lm-eval 0.4
  (``evaluator.py``, ``loggers/evaluation_tracker.py::save_results_samples``) writes one JSON
  line per doc and filter: ``doc_id``, ``doc`` (the row as loaded), ``target``, ``arguments``
  (``{"gen_args_<i>": {"arg_<j>": …}}``), ``resps``, ``filtered_resps``, ``filter``,
  ``metrics``, ``doc_hash``, ``prompt_hash``, ``target_hash`` and the metric values; ``resps``
  and ``filtered_resps`` pass ``sanitize_list`` (every leaf a string, tuples as lists). The
  release's exports put the id in the doc: ``doc["instance_id"]`` (task configs, which also
  carry ``item_id``) or ``doc["item_id"]`` (MCQ configs). The answer is ``filtered_resps``:
  ``generate_until`` has one request, its text; ``multiple_choice`` has one
  ``[loglikelihood, is_greedy]`` per choice, and the answer is the choice (``doc["choices"]``,
  the option letters) with the highest loglikelihood, as lm-eval's ``acc`` picks it.
* ``opencompass``: ``predictions/<model>/<dataset abbr>.json``, written by OpenCompass's
  ``GenInferencerOutputHandler.write_to_json`` (``json.dump(…, indent=4)``): a dict of
  ``str(index)`` → ``{"origin_prompt", "prediction", "gold"?}``. The index is the 0-based line
  of the dataset file (``CustomDataset.load`` reads it line by line), the release's
  ``exports/opencompass/<config>_<split>.jsonl`` or ``task_<key>_<split>.jsonl``, whose lines
  carry ``item_id`` or ``instance_id``; a ``gold`` must equal that line's ``answer``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMATS = ("jsonl", "lm_eval", "opencompass")
ID_FIELDS = ("instance_id", "item_id")  # in an exported doc: a task doc carries both
# A top-level key of OpenCompass's dump (indent=4: nested keys sit deeper; strings hold no
# raw line breaks).
_KEY_LINE = re.compile(r'^ {4}"(\d+)": \{\s*$')


@dataclass(frozen=True)
class Answer:
    """One output of a run file: where it is (1-based line), the public id it answers."""

    line: int
    id: str
    output: str


@dataclass
class Parsed:
    """The answers of a file and every problem found (``file:line: why``)."""

    format: str
    answers: list[Answer] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def detect(path: Path) -> str:
    """The format of a run file: an OpenCompass ``.json`` dict of predictions, an lm-eval
    samples file (``samples_*.jsonl`` or lines with ``doc`` and ``filtered_resps``), else
    plain JSONL."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix == ".json":
        try:
            body = json.loads(text)
        except json.JSONDecodeError:
            body = None
        if isinstance(body, dict) and any(
            isinstance(v, dict) and "prediction" in v for v in body.values()
        ):
            return "opencompass"
    if path.name.startswith("samples_"):
        return "lm_eval"
    for raw in text.splitlines():
        if raw.strip():
            try:
                first = json.loads(raw)
            except json.JSONDecodeError:
                break
            if isinstance(first, dict) and "doc" in first and "filtered_resps" in first:
                return "lm_eval"
            break
    return "jsonl"


def _lines(path: Path, parsed: Parsed) -> list[tuple[int, dict[str, Any]]]:
    """The JSON-object lines of a file with their numbers (bad lines become problems)."""
    out = []
    with path.open(encoding="utf-8-sig") as fh:
        for number, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            where = f"{path.name}:{number}"
            try:
                body = json.loads(raw)
            except json.JSONDecodeError as error:
                parsed.problems.append(f"{where}: not a JSON line ({error.msg})")
                continue
            if not isinstance(body, dict):
                parsed.problems.append(f"{where}: not a JSON object")
                continue
            out.append((number, body))
    return out


def read_jsonl(path: Path) -> Parsed:
    """``{"id": …, "output": …}`` lines."""
    parsed = Parsed("jsonl")
    for number, body in _lines(path, parsed):
        where = f"{path.name}:{number}"
        given, output = body.get("id"), body.get("output")
        if not isinstance(given, str) or not given.strip():
            parsed.problems.append(f"{where}: field id: missing or not a string")
        elif "output" not in body:
            parsed.problems.append(f"{where}: field output: missing")
        elif not isinstance(output, str):
            parsed.problems.append(f"{where}: field output: not a string")
        else:
            parsed.answers.append(Answer(number, given.strip(), output))
    return parsed


def read_lm_eval(path: Path) -> Parsed:
    """An lm-eval ``--log_samples`` file (see the module docstring)."""
    parsed = Parsed("lm_eval")
    for number, body in _lines(path, parsed):
        where = f"{path.name}:{number}"
        doc = body.get("doc")
        if not isinstance(doc, dict):
            parsed.problems.append(f"{where}: field doc: missing or not an object")
            continue
        given = next((doc[k] for k in ID_FIELDS if isinstance(doc.get(k), str)), None)
        if not given:
            parsed.problems.append(
                f"{where}: field doc: holds no instance_id or item_id (not a task of this "
                "release's lm-eval export?)"
            )
            continue
        try:
            output = lm_eval_answer(body.get("filtered_resps"), doc)
        except ValueError as error:
            parsed.problems.append(f"{where}: field filtered_resps: {error}")
            continue
        parsed.answers.append(Answer(number, given, output))
    return parsed


def lm_eval_answer(filtered: Any, doc: dict[str, Any]) -> str:
    """The answer of one lm-eval sample: the generated text, or the choice whose
    loglikelihood is highest (ValueError says why there is none)."""
    if not isinstance(filtered, list) or not filtered:
        raise ValueError("missing or not a non-empty list")
    if len(filtered) == 1 and isinstance(filtered[0], str):  # generate_until
        return filtered[0]
    scores = []
    for entry in filtered:  # multiple_choice: [loglikelihood, is_greedy] per choice
        if not (isinstance(entry, list) and len(entry) == 2):
            raise ValueError("neither one generated text nor [loglikelihood, is_greedy] pairs")
        try:
            scores.append(float(entry[0]))
        except (TypeError, ValueError):
            raise ValueError("a loglikelihood is not a number") from None
    choices = doc.get("choices")
    if not isinstance(choices, list) or len(choices) != len(scores):
        raise ValueError(f"{len(scores)} loglikelihoods but doc.choices has a different length")
    return str(choices[max(range(len(scores)), key=scores.__getitem__)])


def read_opencompass(path: Path, dataset_file: Path | None) -> Parsed:
    """An OpenCompass prediction file, mapped through its dataset file's line order."""
    parsed = Parsed("opencompass")
    try:
        body = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as error:
        parsed.problems.append(f"{path.name}:{error.lineno}: not JSON ({error.msg})")
        return parsed
    if not isinstance(body, dict):
        parsed.problems.append(f"{path.name}:1: not a JSON object of index → prediction")
        return parsed
    if dataset_file is None or not dataset_file.is_file():
        parsed.problems.append(
            f"{path.name}: no dataset file {dataset_file.name if dataset_file else ''} in the "
            "release's exports/opencompass (pass --dataset-file)"
        )
        return parsed
    rows = _lines(dataset_file, parsed)
    lines = _key_lines(path)
    for key, entry in body.items():
        number = lines.get(key, 1)
        where = f"{path.name}:{number} (index {key})"
        if not key.isdigit() or int(key) >= len(rows):
            parsed.problems.append(
                f"{where}: index beyond the {len(rows)} lines of {dataset_file.name}"
            )
            continue
        if not isinstance(entry, dict) or "prediction" not in entry:
            parsed.problems.append(f"{where}: field prediction: missing")
            continue
        prediction = entry["prediction"]
        if not isinstance(prediction, str):
            parsed.problems.append(f"{where}: field prediction: not one string")
            continue
        line, row = rows[int(key)]
        given = next((row[k] for k in ID_FIELDS if isinstance(row.get(k), str)), None)
        if not given:
            parsed.problems.append(
                f"{where}: {dataset_file.name}:{line} holds no instance_id or item_id"
            )
            continue
        if "gold" in entry and entry["gold"] != row.get("answer"):
            parsed.problems.append(
                f"{where}: field gold: differs from {dataset_file.name}:{line} (another "
                "dataset file or release?)"
            )
            continue
        parsed.answers.append(Answer(number, given, prediction))
    return parsed


def _key_lines(path: Path) -> dict[str, int]:
    """Index → the line its entry starts on, in OpenCompass's indented dump."""
    found: dict[str, int] = {}
    with path.open(encoding="utf-8-sig") as fh:
        for number, raw in enumerate(fh, 1):
            if match := _KEY_LINE.match(raw):
                found.setdefault(match.group(1), number)
    return found
