"""License propagation: which source licenses one release config may combine."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from curation.config import read_yaml, validate_config
from curation.contracts import LICENSES, contract_path


class License(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    commercial: bool
    share_alike: bool
    hf: str
    no_derivatives: bool = False


class LicenseTable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    licenses: dict[str, License]


def license_table(path: Path | None = None) -> dict[str, License]:
    """The license table: `path`, else the project's contract (its own or the shipped one)."""
    return _license_table(path or contract_path(LICENSES))


@cache
def _license_table(path: Path) -> dict[str, License]:
    return validate_config(LicenseTable, read_yaml(path), path).licenses


def license_problems(
    config: str, by_source: dict[str, str], declare_non_commercial: bool
) -> list[str]:
    """Why one release config may not combine these sources' licenses (empty: it may)."""
    table = license_table()
    problems = []
    unknown = sorted({lic for lic in by_source.values() if lic not in table})
    for lic in unknown:
        sources = sorted(s for s, x in by_source.items() if x == lic)
        problems.append(
            f"config {config}: license {lic} of {', '.join(sources)} is not in "
            "schemas/licenses.yaml (check its terms, then add it)"
        )
    known = {s: table[x] for s, x in by_source.items() if x in table}
    share_alike = sorted({by_source[s] for s, lic in known.items() if lic.share_alike})
    if len(share_alike) > 1:
        problems.append(
            f"config {config}: mixes share-alike licenses {', '.join(share_alike)}, "
            "which each demand to be the only license of the whole"
        )
    non_commercial = sorted({by_source[s] for s, lic in known.items() if not lic.commercial})
    if share_alike and any(x not in share_alike for x in non_commercial):
        problems.append(
            f"config {config}: mixes share-alike {', '.join(share_alike)} with non-commercial "
            f"{', '.join(non_commercial)}: the share-alike terms forbid the added restriction"
        )
    no_derivatives = sorted(s for s, lic in known.items() if lic.no_derivatives)
    if no_derivatives:
        problems.append(
            f"config {config}: {', '.join(no_derivatives)} forbid derivatives; a curated, "
            "de-identified benchmark is one"
        )
    if non_commercial and not declare_non_commercial:
        sources = sorted(s for s, lic in known.items() if not lic.commercial)
        problems.append(
            f"config {config}: {', '.join(sources)} ({', '.join(non_commercial)}) allow "
            "non-commercial use only; set release.declare_non_commercial: true so that the card "
            "says so"
        )
    return problems


def hf_license(licenses: set[str]) -> str:
    """The card's `license` field: the one license, or 'other' (listed in the card)."""
    table = license_table()
    if len(licenses) == 1:
        only = next(iter(licenses))
        return table[only].hf if only in table else "other"
    return "other"
