"""params.yaml `release`: what the dataset card says and how strict the release gates are."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ReleaseConfig(BaseModel):
    """params.yaml `release`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field("MedCurate benchmark", min_length=1)
    description: str = (
        "A medical LLM benchmark curated with MedCurate: de-identified, specialty-tagged, "
        "deduplicated and reviewed by physicians."
    )
    homepage: str = ""
    citation: str = "@misc{medcurate, title={MedCurate benchmark}, note={Built with MedCurate}}"
    declare_non_commercial: bool = Field(
        False, description="Required when a source is non-commercial: the card then says so."
    )
    ngram: int = Field(13, ge=3, description="n of the n-gram contamination check.")
    ngram_overlap: float = Field(
        0.8, gt=0, le=1, description="Share of a test item's n-grams seen in train that fails."
    )
    remote: str = Field("", description="DVC remote for `release publish` ('' = the default).")
