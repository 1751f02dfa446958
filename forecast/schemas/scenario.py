"""Scenarios (``forecast.scenario/1``): a trend for the rate sets it names, or for
every rate set of a measure.

::

    schema: forecast.scenario/1
    id: cfas_i_to_ii_prevalence_fall
    label: Age-specific dementia prevalence falls as from CFAS I to CFAS II
    applies_to: {measure: dementia}          # or {rate_sets: [cfas_ii_2013, …]}
    trend: {total_change: -0.21, over_years: 20, from_year: 2022}
    source: {citation: "Matthews FE, et al. Lancet 2013;382:1405-12"}

Whether the rate sets named exist is checked when the scenario is used.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, model_validator

from .base import FileModel, IdMixin, StrictModel, problem
from .fields import Ident, Source, Text, TextList
from .trend import TrendModel

__all__ = ["ScenarioFile", "AppliesTo"]


class AppliesTo(StrictModel):
    """``{measure: name}`` or ``{rate_sets: [ids]}``."""

    model_config = {"json_schema_extra": {"oneOf": [{"required": ["measure"]}, {"required": ["rate_sets"]}]}}

    measure: Ident | None = None
    rate_sets: TextList | None = None

    @model_validator(mode="after")
    def _one(self) -> "AppliesTo":
        if (self.measure is None) == (self.rate_sets is None):
            raise problem("must be {measure: name} or {rate_sets: [ids]} (one of them)")
        return self


class ScenarioFile(IdMixin, FileModel):
    """A ``forecast.scenario/1`` file (see the module docstring)."""

    SCHEMA: ClassVar[str] = "forecast.scenario/1"
    schema_: Literal["forecast.scenario/1"] = Field(alias="schema")
    id: Ident
    label: Text | None = None
    applies_to: AppliesTo
    trend: TrendModel
    source: Source
