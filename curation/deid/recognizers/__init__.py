"""Every recognizer module; `curation.deid.registry.default_registry` collects them."""

from curation.deid.recognizers import (
    contact,
    dates,
    ids,
    names,
    names_zh,
    organizations,
    phones,
    places,
    places_zh,
    safe,
    safety_en,
    safety_zh,
)

ALL = [
    *safe.RECOGNIZERS,
    *contact.RECOGNIZERS,
    *ids.RECOGNIZERS,
    *phones.RECOGNIZERS,
    *dates.RECOGNIZERS,
    *places_zh.RECOGNIZERS,
    *organizations.RECOGNIZERS,
    *places.RECOGNIZERS,
    *names_zh.RECOGNIZERS,
    *safety_zh.RECOGNIZERS,  # the recall net: adds spans only, after the precise rules
    *names.RECOGNIZERS,
    *safety_en.RECOGNIZERS,  # the English recall net: adds spans only
]
EXTENDERS = [
    places.AddressTailExtender(),
    *organizations.EXTENDERS,
    places.PlaceJoinExtender(),  # joins what the extenders before it have grown: keep it after them
    *names.EXTENDERS,
    *dates.EXTENDERS,
]
