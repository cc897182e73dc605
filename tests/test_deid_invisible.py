"""Invisible and full-width characters hide no identifier: detection reads through them and
its spans land on the original text (covering what was hidden inside)."""

from __future__ import annotations

import pytest

from curation.deid import scan_texts
from curation.deid.invisible import restore, visible
from curation.deid.spans import Span


def _found(text: str) -> list[tuple[str, str]]:
    (result,) = scan_texts([text])
    return [(s.label, text[s.start : s.end]) for s in result.spans]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Call 617-555-\u20600134 today.", [("PHONE", "617-555-\u20600134")]),
        (
            "mail jo\u200bhn.doe@exa\u200dmple.com now",
            [("CONTACT", "jo\u200bhn.doe@exa\u200dmple.com")],
        ),
        ("SSN 123\u202e-45-6789 on file", [("ID", "123\u202e-45-6789")]),
        ("患者张\u200b三，男，45岁", [("NAME", "张\u200b三")]),
        ("電話０９１２３４５６７８，請回電", [("PHONE", "０９１２３４５６７８")]),
        ("郵件ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ", [("CONTACT", "ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ")]),
        ("no identifier\u200b here\ufeff", []),
    ],
)
def test_hidden_and_full_width_identifiers(text: str, expected: list) -> None:
    assert _found(text) == expected


def test_visible_maps_offsets_back() -> None:
    text = "a\u200bb\u200c\u200dc"
    shown, kept = visible(text)
    assert shown == "abc" and kept == [0, 2, 5]
    assert restore([Span(0, 3, "NAME")], kept) == [Span(0, 6, "NAME")]
    assert visible("plain") == ("plain", None)
