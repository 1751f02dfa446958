"""Report specs (``forecast.table/1``) and indicator specs (``forecast.indicator/1``).

A table spec says which table to make::

    schema: forecast.table/1
    title: "People aged 65 and over predicted to have dementia"
    population: default              # history | a dataset (england, snpp2022) | {snpp: files}
                                     # | {tidy: file} | {mye: file}, or a list joined by year
    areas: [E10000018, Leicester, Rutland]   # or all-districts | all-upper-tier | all-regions
                                             # | region:<code or name>
    measures:
      - rate_set: dementia_uk_2007   # an id, or a YAML path (relative to the spec)
        label: Dementia
      - derived: young_carers_known  # a measure of the derived-measures file(s) below
    derived: leicester_carers_2015
    ages: "65+"                      # or bands: [65-74, 75-84, 85+]
    years: [2025, 2030, 2035, 2040]  # or "2025-2040", ["2025/26", …], {from: 2022/23, to: March 2030}
    change: [2025, 2040]             # two of the years
    uncertainty: {draws: 1000, seed: 1, level: 0.95}
    scenarios: {constant: constant, "prevalence falls": ahmadi_abhari_2017_prevalence}
    extend_to: 2050                  # extend_method: npp | hold_growth
    charts: [{kind: line, measure: dementia}]

An indicator spec compares observed counts with expected prevalence::

    schema: forecast.indicator/1
    observed: counts.csv
    areas: [E06000016]
    indicators:
      - {observed: dementia_register_65plus, rate_set: cfas_ii_2013, ages: 65+,
         target: {ratio: 0.667, by: 2028}}

Paths stay text here: the spec's reader resolves them against the spec's folder.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, model_validator

from .base import FileModel, StrictModel, problem
from .fields import Band, Bands, Files, Finite, Period, RoundTo, Text, TextList
from .groups import AreaGroupModel
from ..periods import year_span
from .spec_parts import (
    Areas, ChartSpec, Choices, DerivedMeasureRef, EthnicitySpec, ExtendTo, Measure, Notes, Population, RateSetMeasure,
    Uncertainty, Years,
)

__all__ = ["TableSpecFile", "IndicatorSpecFile", "IndicatorModel", "Target"]


class TableSpecFile(FileModel):
    """A ``forecast.table/1`` report spec (see the module docstring)."""

    SCHEMA: ClassVar[str] = "forecast.table/1"
    schema_: Literal["forecast.table/1"] = Field(alias="schema")
    title: str | None = None
    population: Population = "default"
    groups: list[AreaGroupModel] = []
    ethnicity: EthnicitySpec | None = None
    areas: Areas
    measures: Annotated[list[Measure], Field(min_length=1)]
    derived: Files | None = None
    ages: Band | None = None
    bands: Bands | None = None
    years: Years
    change: Annotated[list[Period], Field(min_length=2, max_length=2)] | None = None
    totals: bool = True
    round_to: RoundTo = 1
    notes: Notes = []
    uncertainty: Uncertainty | None = None
    scenario: Text | None = None
    scenarios: Choices | None = None
    variant: Text | None = None
    variants: Choices | None = None
    extend_to: ExtendTo | None = None
    extend_method: Literal["npp", "hold_growth"] | None = None
    compare_with: Annotated[list[Literal["region", "county", "england"]], Field(min_length=1)] | None = None
    rows: Literal["area", "age_band", "sex"] | None = None
    by: Literal["sex", "ethnicity"] | None = None
    charts: list[ChartSpec] = []

    @model_validator(mode="after")
    def _check(self) -> "TableSpecFile":
        self._check_measures()
        for i, y in enumerate(self.change or ()):
            if y not in self.years:
                raise problem(f"{y} is not one of the table's years ({_span(self.years)})", "change", i)
        if self.change and self.change[0] == self.change[1]:
            raise problem(f"the change is between two different years, not {self.change[0]} and itself", "change", 1)
        for one, many, what in (("scenario", "scenarios", "scenarios"), ("variant", "variants", "variants")):
            if getattr(self, one) is not None and getattr(self, many) is not None:
                raise problem(f"give {one} (one) or {many} (side by side), not both", many)
            if getattr(self, many) is not None and len(getattr(self, many)) < 2:
                raise problem(f"side by side needs at least two {what} (use {one}: for one)", many)
        if self.scenarios is not None and self.ethnicity is not None and self.ethnicity.compare:
            raise problem("compare ethnicity or scenarios side by side, not both", "scenarios")
        if self.by == "ethnicity" and self.ethnicity is None:
            raise problem("a table by ethnicity needs an 'ethnicity: {mix: …}' section", "by")
        if self.by == "ethnicity" and self.ethnicity.compare:
            raise problem("'compare: true' and a breakdown by ethnicity cannot be combined; drop one", "by")
        return self

    def _check_measures(self) -> None:
        for i, m in enumerate(self.measures):
            if isinstance(m, DerivedMeasureRef) and self.derived is None:
                raise problem("a derived measure needs a 'derived:' file that defines it", "measures", i, "derived")
            if isinstance(m, RateSetMeasure) and m.relative_risks is not None and self.ethnicity is None:
                raise problem("relative risks need an ethnic mix: add an 'ethnicity: {mix: …}' section",
                              "measures", i, "relative_risks")


def _span(years: list) -> str:
    mids = [y for y in years if isinstance(y, int)]
    fys = [y for y in years if isinstance(y, str)]
    return ", ".join(filter(None, [year_span(mids) if mids else "", ", ".join(fys)]))


class Target(StrictModel):
    """``{ratio, by}``: the observed ÷ expected ratio to reach by a year or financial year."""

    ratio: Finite
    by: Period

    @model_validator(mode="after")
    def _ratio(self) -> "Target":
        if not 0 < self.ratio <= 1:
            raise problem(f"target ratio {self.ratio:g} must be in (0, 1], e.g. 0.667 for 66.7%", "ratio")
        return self


class IndicatorModel(StrictModel):
    """``{observed, rate_set, label, ages, target}``."""

    observed: Text
    rate_set: Text
    label: str | None = None
    ages: Band | None = None
    target: Target | None = None


class IndicatorSpecFile(FileModel):
    """A ``forecast.indicator/1`` spec (see the module docstring)."""

    SCHEMA: ClassVar[str] = "forecast.indicator/1"
    schema_: Literal["forecast.indicator/1"] = Field(alias="schema")
    title: str | None = None
    population: Population = "default"
    areas: TextList | None = None
    observed: Text
    indicators: Annotated[list[IndicatorModel], Field(min_length=1)]
    uncertainty: Uncertainty | None = None
    round_to: RoundTo = 1
    notes: Notes = []
