"""Validators that turn pattern hits into confident identifiers (checksums, plausible dates)."""

from __future__ import annotations

import datetime as dt

_RIC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RIC_CHECK = "10X98765432"


def cn_resident_id_ok(value: str) -> bool:
    """GB 11643-1999 checksum (ISO 7064 MOD 11-2) and a real birth date.

    The county code is deliberately not checked against its history: real IDs keep codes
    that were later abolished.
    """
    value = value.upper()
    if len(value) != 18 or not value[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _RIC_WEIGHTS, strict=True))
    if _RIC_CHECK[total % 11] != value[17]:
        return False
    return plausible_date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


# the two-digit code of a Taiwan ID's first letter (its place of first registration)
_TW_LETTERS = "ABCDEFGHJKLMNPQRSTUVXYWZIO"  # A=10, B=11 … in this order


def tw_national_id_ok(value: str) -> bool:
    """Taiwan national ID (and the resident certificate of 2021): a letter, 1/2 (sex) or 8/9
    (resident), seven digits and a check digit. The letter's code (A=10 … O=35) is split into
    two digits; digits weighted 1, 9, 8, 7 … 1, 1 sum to a multiple of 10."""
    value = value.upper()
    if len(value) != 10 or value[0] not in _TW_LETTERS or not value[1:].isdigit():
        return False
    if value[1] not in "1289":
        return False
    code = 10 + _TW_LETTERS.index(value[0])
    digits = [code // 10, code % 10, *(int(c) for c in value[1:])]
    weights = (1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1)
    return sum(d * w for d, w in zip(digits, weights, strict=True)) % 10 == 0


def luhn_ok(value: str) -> bool:
    """Luhn checksum of the digits in a string (payment cards, some account numbers)."""
    digits = [int(c) for c in value if c.isdigit()]
    if len(digits) < 12:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def iban_ok(value: str) -> bool:
    """ISO 13616 mod-97 check of an IBAN (spaces ignored)."""
    compact = value.replace(" ", "").upper()
    if not (15 <= len(compact) <= 34) or not compact[:2].isalpha():
        return False
    moved = compact[4:] + compact[:4]
    try:
        return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1
    except ValueError:
        return False


def plausible_date(year: int | None, month: int, day: int | None) -> bool:
    """A calendar date between 1800 and 2199 (missing parts are assumed valid)."""
    if not 1 <= month <= 12:
        return False
    if year is not None and not 1800 <= year <= 2199:
        return False
    try:
        dt.date(year or 2000, month, day or 1)
    except ValueError:
        return False
    return True


def ipv4_ok(value: str) -> bool:
    """Four dot-separated octets, not a version-like or decimal number, nor an enumeration of
    single digits ('2.3.4.5.阳性': items 2, 3, 4 and 5)."""
    parts = value.split(".")
    return (
        len(parts) == 4
        and all(p.isdigit() and int(p) <= 255 and str(int(p)) == p for p in parts)
        and not all(len(p) == 1 for p in parts)
    )


def domain_ok(value: str) -> bool:
    """A bare domain, unless it is two words with the space after a full stop missing
    ('liquid.no stool', 'complication.at', 'secretions.pt'): a country-code ending that is
    itself a word or an abbreviation, after a word the safe vocabulary explains."""
    from curation.deid.vocabulary import shorthand_or_typo, word_class

    labels = value.lower().split(".")
    if any(label.isdigit() for label in labels):
        return False  # '78.3.no': a number, then a word after a missing space
    if len(labels) != 2 or len(labels[1]) > 3 or labels[1] in ("com", "org", "net", "edu", "gov"):
        return True  # several labels (nhs.uk has none of this) or a generic ending (.com)
    word, ending = labels
    if ending in ("co", "io", "me", "tv", "ai", "ly"):
        return True  # country codes used as generic endings (x.co, x.io)
    if not word.isalpha():
        return not any(c.isdigit() for c in word[:1])  # '20mcgkgmin.pt' is a dose
    return not (
        word_class(ending) in ("stop", "clinical")
        and (word_class(word) != "unknown" or shorthand_or_typo(word))
    )  # 'infarct.med', 'antibx.no': shorthand and a word, the space after the stop missing
