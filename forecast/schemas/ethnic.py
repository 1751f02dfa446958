"""Ethnic relative risks (``forecast.relative-risks/1``) and group mappings
(``forecast.ethnic-mapping/1``).

Relative risks give, for one measure, a ratio per ethnic group and sex against a
reference group — or the published rates by group, from which the ratios are derived::

    schema: forecast.relative-risks/1
    id: pham2018_dementia_irr
    measure: dementia
    source: {citation: "Pham TM, et al. Clin Epidemiol 2018;10:949-960"}
    reference: White
    mode: reference                  # or standardised (needs study_population)
    relative_risk:                   # or rates: {group: {male: %, female: %}}
      Black: {male: 1.28, female: 1.25}
      Asian: 0.85                    # one number: both sexes
    intervals:
      level: 0.95
      Black: {male: [1.08, 1.50], female: [1.07, 1.46]}

The same block (without schema, id, measure) may sit inline in a rate set's
``ethnicity:``.  A mapping sends detailed groups to broad ones::

    schema: forecast.ethnic-mapping/1
    id: llr2007_to_broad5
    source: {citation: "ONS, 2001 Census ethnic group classification"}
    groups:
      White: [White]
      Asian: [Indian, Pakistani, Bangladeshi, Other Asian]
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, model_validator

from .base import FileModel, IdMixin, StrictModel, problem
from .fields import Ident, NonNegative, Pair, Positive, Source, Text, TextList, choice, is_mapping, is_number

__all__ = ["RelativeRisksFile", "InlineRelativeRisks", "EthnicMappingFile", "SEXES"]

SEXES = ("male", "female")


class SexValues(StrictModel):
    """``{male: x, female: y}``."""

    male: Positive
    female: Positive


GroupValue = choice("must be a positive number (both sexes) or {male: x, female: y}",
                    both=(Positive, is_number), by_sex=(SexValues, is_mapping))
GroupTable = Annotated[dict[Text, GroupValue], Field(min_length=1)]


class SexPairs(StrictModel):
    """``{male: [low, high], female: [low, high]}``."""

    male: Pair
    female: Pair


class RRIntervals(StrictModel):
    """``level`` and, for each group with a ratio, ``{male: [low, high], female: [low, high]}``."""

    model_config = {"extra": "allow"}
    __pydantic_extra__: dict[str, SexPairs] = Field(init=False)

    level: Annotated[float, Field(allow_inf_nan=False, gt=0, lt=1)] = 0.95

    def groups(self) -> dict[str, SexPairs]:
        return dict(self.__pydantic_extra__ or {})


class StudyPopulation(StrictModel):
    """The ethnic mix of the study population (mode ``standardised``), with its source."""

    source: Text
    male: Annotated[dict[Text, NonNegative], Field(min_length=1)]
    female: Annotated[dict[Text, NonNegative], Field(min_length=1)]

    @model_validator(mode="after")
    def _weights_add_up(self) -> "StudyPopulation":
        for sex in SEXES:
            if sum(getattr(self, sex).values()) <= 0:
                raise problem("weights add to 0", sex)
        return self


class RelativeRisksBody(StrictModel):
    """The ratios (or rates) by group and sex, their intervals, and the mode."""

    source: Source
    reference: Text
    mode: Literal["reference", "standardised"] = "reference"
    relative_risk: GroupTable | None = None
    rates: GroupTable | None = None
    intervals: RRIntervals | None = None
    study_population: StudyPopulation | None = None

    def ratios(self) -> dict[str, dict[str, float]]:
        """group → {male, female} ratio to the reference group (which has 1)."""
        key = "relative_risk" if self.relative_risk is not None else "rates"
        table = {g: _by_sex(v) for g, v in getattr(self, key).items()}
        if key == "rates":
            base = table[self.reference]
            return {g: {s: v[s] / base[s] for s in SEXES} for g, v in table.items()}
        return {self.reference: {"male": 1.0, "female": 1.0}, **{g: v for g, v in table.items() if g != self.reference}}

    @model_validator(mode="after")
    def _check_ratios(self) -> "RelativeRisksBody":
        if (self.relative_risk is None) == (self.rates is None):
            raise problem("give either relative_risk (ratios) or rates (by group, ratios derived)", "relative_risk")
        if self.rates is not None and self.reference not in self.rates:
            raise problem(f"no rates for the reference group '{self.reference}'", "rates")
        if self.relative_risk is not None and self.reference in self.relative_risk:
            if any(abs(v - 1) > 1e-12 for v in _by_sex(self.relative_risk[self.reference]).values()):
                raise problem(f"the reference group '{self.reference}' must have ratio 1", "relative_risk", self.reference)
        ratios = self.ratios()
        for g, pairs in (self.intervals.groups() if self.intervals else {}).items():
            if g not in ratios:
                raise problem(f"interval for group '{g}', which has no ratio", "intervals", g)
            for sex in SEXES:
                lo, hi = getattr(pairs, sex)
                if not 0 < lo <= ratios[g][sex] <= hi:
                    raise problem(f"interval [{lo:g}, {hi:g}] does not contain the ratio {ratios[g][sex]:g}",
                                  "intervals", g, sex)
        if self.study_population is not None:
            for sex in SEXES:
                for g in getattr(self.study_population, sex):
                    if g not in ratios:
                        raise problem(f"group '{g}' has no ratio", "study_population", sex, g)
        if self.mode == "standardised" and self.study_population is None:
            raise problem("mode standardised needs study_population (the study's ethnic mix, with a source)", "mode")
        return self


def _by_sex(value) -> dict[str, float]:
    if isinstance(value, SexValues):
        return {"male": value.male, "female": value.female}
    return {"male": float(value), "female": float(value)}


class InlineRelativeRisks(RelativeRisksBody):
    """A rate set's inline ``ethnicity:`` block (its id and measure are the rate set's)."""


class RelativeRisksFile(IdMixin, RelativeRisksBody, FileModel):
    """A ``forecast.relative-risks/1`` file (see the module docstring)."""

    SCHEMA: ClassVar[str] = "forecast.relative-risks/1"
    schema_: Literal["forecast.relative-risks/1"] = Field(alias="schema")
    id: Ident
    measure: Ident
    label: Text | None = None


class EthnicMappingFile(IdMixin, FileModel):
    """A ``forecast.ethnic-mapping/1`` file: broad group → its detailed groups."""

    SCHEMA: ClassVar[str] = "forecast.ethnic-mapping/1"
    schema_: Literal["forecast.ethnic-mapping/1"] = Field(alias="schema")
    id: Ident
    label: Text | None = None
    source: Source
    groups: Annotated[dict[Text, TextList], Field(min_length=1)]

    @model_validator(mode="after")
    def _each_group_once(self) -> "EthnicMappingFile":
        seen: dict[str, str] = {}
        for broad, detailed in self.groups.items():
            for i, d in enumerate(detailed):
                if d in seen:
                    raise problem(f"'{d}' is sent to two broad groups: '{seen[d]}' and '{broad}'", "groups", broad, i)
                seen[d] = broad
        return self
