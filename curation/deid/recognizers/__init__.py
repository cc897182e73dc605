"""Every recognizer module; `curation.deid.registry.default_registry` collects them."""

from curation.deid.recognizers import contact, dates, ids, names, phones, places, safe

ALL = [
    *safe.RECOGNIZERS,
    *contact.RECOGNIZERS,
    *ids.RECOGNIZERS,
    *phones.RECOGNIZERS,
    *dates.RECOGNIZERS,
    *places.RECOGNIZERS,
    *names.RECOGNIZERS,
]
EXTENDERS = [*places.EXTENDERS, *names.EXTENDERS]
