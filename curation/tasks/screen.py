"""Answers that people or models wrote, through the de-identifier before they are kept.

Model drafts (``curate tasks drafts import``) and references physicians wrote in task review
(``curate tasks merge``) pass :func:`curation.stages.review.screen_edit`, the screen of review
edits: any value the detector finds that the instance does not already show (its input,
instruction and labels) is masked with its placeholder. The masked text is checked again; any
failure raises :class:`ScreenFailed` (fail closed), never returns the text unscreened.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from curation.tasks.answers import Instance, fields_json, spans_json
from curation.tasks.contract import OutputType


class ScreenFailed(Exception):
    """A text could not be shown safe: a draft is quarantined, a reference not merged."""


@dataclass
class Screener:
    """The de-identifier as review edits meet it (`settings`: params.yaml, section deid)."""

    root: Path
    settings: Any = None
    _policy: Any = field(default=None, repr=False)

    @property
    def policy(self) -> Any:
        if self._policy is None:
            from curation.deid.policy import load_policy

            self._policy = load_policy(self.root)
        return self._policy

    def screen(self, instance: Instance, output: str) -> tuple[str, int]:
        """(screened answer, values masked); ScreenFailed when it cannot be made safe.

        A fields answer is screened value by value (it stays valid JSON); a spans answer holds
        only the input's own text.
        """
        shown = "\n".join([instance.input, instance.instruction, *instance.labels])
        try:
            if instance.output_type == OutputType.FIELDS:
                masked = 0

                def walk(value: Any) -> Any:
                    nonlocal masked
                    if isinstance(value, str):
                        text, n = self._screen_text(instance, shown, value)
                        masked += n
                        return text
                    if isinstance(value, list):
                        return [walk(v) for v in value]
                    if isinstance(value, dict):
                        return {k: walk(v) for k, v in value.items()}
                    return value

                return fields_json(walk(json.loads(output))), masked
            if instance.output_type == OutputType.SPANS:  # texts are the input's own
                spans = [(s["start"], s["end"], s["label"]) for s in json.loads(output)]
                return spans_json(spans, instance.input), 0
            return self._screen_text(instance, shown, output)
        except ScreenFailed:
            raise
        except Exception as error:  # a detector failure never lets a draft through
            raise ScreenFailed(f"screening failed: {type(error).__name__}") from error

    def _screen_text(self, instance: Instance, shown: str, text: str) -> tuple[str, int]:
        from curation.deid.record import record_detector
        from curation.stages.review import screen_edit

        row = {"kind": "record", "language": instance.language, "context": shown}
        screened, masked = screen_edit(row, text, self.policy, self.settings)
        left = [
            s
            for s in record_detector(self.settings).detect_record([screened], instance.language)[0]
            if screened[s.start : s.end] not in shown
        ]
        if left:
            raise ScreenFailed(f"{len(left)} value(s) still found after masking")
        return screened, masked
