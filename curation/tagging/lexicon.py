"""The cold-start tagger: weighted keyword matches against the taxonomy's bilingual lexicons.

Chinese keywords match as substrings (Aho-Corasick), English ones as whole words,
case-insensitively. A specialty's score is the sum over its keywords of
weight × (1 + log(count)), times the specialty's `prior` (below 1 for cross-cutting services
such as anesthesia or imaging, whose words appear in every specialty's notes); scores become
shares of the total, so `score` reads as the tagger's confidence in its first choice.

Background sections of a clinical note — past medical and surgical history, medications,
allergies, family and social history, review of systems (既往史、个人史、家族史 …) — list
comorbidities that say little about the note's specialty (a stroke note mentions the patient's
diabetes and coronary disease). Their text is left out when anything else remains.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence

import ahocorasick

from curation.language import detect_language
from curation.script import to_mainland
from curation.tagging.base import TagPrediction, versioned_name
from curation.taxonomy import Taxonomy, load_taxonomy

NAME = "specialty_lexicon_v1"
# a heading: a label in capitals (or a short Chinese one) and a colon, at a line start or after a
# separator (some exports flatten a note into one line: "…,PAST MEDICAL HISTORY:, …")
_HEADING = re.compile(
    r"(?:^|(?<=[\n,.;，。；]))[ \t]*([A-Z][A-Za-z /&()-]{2,60}|[\u4e00-\u9fff]{2,8})[ \t]*[:：]"
)
_BACKGROUND = re.compile(
    r"^(?:PAST|PMH|PSH|MEDICATIONS?|CURRENT MEDICATIONS?|HOME MEDICATIONS?|ALLERG|FAMILY"
    r"|SOCIAL|REVIEW OF SYSTEMS|ROS\b|IMMUNIZATIONS?|HABITS)"
    r"|^(?:既往|个人史|家族史|婚育史|月经史|过敏史|用药史)",
    re.IGNORECASE,
)


def without_background(text: str) -> str:
    """The text minus its background sections (history, medications …); the text itself when
    that would leave nothing."""
    heads = list(_HEADING.finditer(text))
    if not heads:
        return text
    kept, cursor = [], 0
    for k, head in enumerate(heads):
        if _BACKGROUND.search(head.group(1).strip()):
            kept.append(text[cursor : head.start()])
            cursor = heads[k + 1].start() if k + 1 < len(heads) else len(text)
    kept.append(text[cursor:])
    rest = "".join(kept)
    return rest if rest.strip() else text


class LexiconTagger:
    """Keyword tagger over the taxonomy's leaves (no training data needed).

    Its `name`, written into every item it tags, is ``specialty_lexicon_v1+<digest>``: the
    digest of its code and of the taxonomy (its lexicon), so that a changed keyword gives a new
    name."""

    def __init__(self, taxonomy: Taxonomy | None = None, top_k: int = 3) -> None:
        self.taxonomy = taxonomy or load_taxonomy()
        self.top_k = top_k
        self.name = versioned_name(NAME, __name__, self.taxonomy.digest(), f"top_k={top_k}")
        self._zh = ahocorasick.Automaton()
        en_terms: dict[str, list[tuple[str, int]]] = defaultdict(list)
        zh_terms: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for spec in self.taxonomy.leaves():
            for kw in spec.keywords.get("zh", []):
                zh_terms[kw.term].append((spec.code, kw.weight))
            for kw in spec.keywords.get("en", []):
                en_terms[kw.term.lower()].append((spec.code, kw.weight))
        for term, targets in zh_terms.items():
            self._zh.add_word(term, (len(term), targets))
        self._zh.make_automaton()
        self._en_terms = dict(en_terms)
        words = sorted(en_terms, key=len, reverse=True)
        self._en = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b")

    def _hits(self, text: str, language: str) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        if language == "zh":
            text = to_mainland(text)  # the keywords are mainland Simplified words
            for end, (length, _) in self._zh.iter_long(text):
                counts[text[end - length + 1 : end + 1]] += 1
        else:
            for match in self._en.finditer(text.lower()):
                counts[match.group()] += 1
        return counts

    def scores(self, text: str, language: str | None = None) -> dict[str, float]:
        """Raw specialty scores of a text."""
        lang = language or detect_language(text)
        index = self._en_terms if lang != "zh" else None
        totals: dict[str, float] = defaultdict(float)
        for term, count in self._hits(without_background(text), lang).items():
            targets = index[term] if index is not None else self._zh.get(term)[1]
            for code, weight in targets:
                totals[code] += weight * (1 + math.log(count))
        specs = self.taxonomy.by_code()
        return {code: score * specs[code].prior for code, score in totals.items()}

    def predict(
        self, texts: Sequence[str], languages: Sequence[str | None] | None = None
    ) -> list[TagPrediction]:
        """Top specialty, its department and disease group, and the runners-up."""
        langs = languages or [None] * len(texts)
        return [self._predict(t, g) for t, g in zip(texts, langs, strict=True)]

    def _predict(self, text: str, language: str | None) -> TagPrediction:
        scores = self.scores(text or "", language)
        if not scores:
            return TagPrediction(None, None, None, 0.0, [])
        total = sum(scores.values())
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        best, best_score = ranked[0]
        spec = self.taxonomy.by_code()[best]
        return TagPrediction(
            specialty_code=best,
            department_code=self.taxonomy.department_of(best),
            disease_group=spec.icd11[0] if spec.icd11 else None,
            score=best_score / total,
            alternatives=[(c, s / total) for c, s in ranked[1 : self.top_k + 1]],
        )
