"""Rate sets (``forecast.rate-set/1``): one published source's rates for one measure.

::

    schema: forecast.rate-set/1
    id: cfas_ii_2013                 # the file name without .yaml
    measure: dementia
    label: People aged 65 and over with dementia (CFAS II)
    source: {citation: "Matthews FE, et al. Lancet 2013;382:1405-1412", doi: 10.1016/…}
    rates:                           # or counts: {bands, male: {cases, population}, …}
      unit: proportion               # percent | proportion | per_1000 | per_100000
      bands: ["65-69", "70-74", "75-79", "80-84", "85-89", "90+"]   # no gaps, no overlaps
      male:   [0.012, 0.030, 0.052, 0.106, 0.128, 0.171]            # or persons: [...]
      female: [0.018, 0.025, 0.062, 0.095, 0.181, 0.350]
    intervals:                       # rates: level + [low, high] per band and sex
      level: 0.95                    # counts: method (wilson …) and level only
      male: [[0.006, 0.023], …]
      female: [[0.009, 0.036], …]
    bases: {male: [249, …], female: [311, …]}   # unweighted survey bases
    open_top: {rule: weights, weights: npp}      # error | first_band | weights
    ethnicity: {use: pham2018_dementia_irr}      # or inline relative risks
    trend: {annual_change: -0.027, from_year: 2022}

Every list has one value per band; a rate lies within its unit (0-100 percent …); an
interval contains its point estimate; cases are whole numbers no larger than their
population.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, model_validator

from .base import FileModel, IdMixin, StrictModel, problem
from .ethnic import InlineRelativeRisks
from .fields import Finite, Ident, Level, NonNegative, Pair, Positive, RateBands, Source, Text, choice, is_mapping, is_text
from .trend import TrendModel

__all__ = ["RateSetFile", "UNITS", "INTERVAL_METHODS", "OPEN_TOP_RULES"]

#: Units a rate may be given in, and the divisor that turns them into a proportion.
UNITS = {"percent": 100.0, "proportion": 1.0, "per_1000": 1000.0, "per_100000": 100000.0}
#: statsmodels ``proportion_confint`` methods for intervals computed from counts.
INTERVAL_METHODS = ("wilson", "beta", "jeffreys", "agresti_coull", "normal")
#: ``open_top.rule``: what a population's open top age group gets.
OPEN_TOP_RULES = ("error", "first_band", "weights")

_SEXES = ("male", "female", "persons")


def sex_form(block: Any, *, required: bool = True) -> tuple[str, ...]:
    """``("male", "female")`` or ``("persons",)``: the sexes a block gives (an error for
    both forms, or for one sex without the other)."""
    has = [s for s in _SEXES if getattr(block, s) is not None]
    if "persons" in has and len(has) > 1:
        raise problem("give either 'persons' or 'male' and 'female', not both", "persons")
    if has == ["persons"]:
        return ("persons",)
    if len(has) == 2 or (not has and not required):
        return tuple(has)
    missing = "male" if "female" in has else "female" if has else "male"
    raise problem("missing (give male and female, or persons when the source is not sex-specific)", missing)


def _length(values: list, n: int, *at: Any, what: str = "values") -> None:
    if len(values) != n:
        raise problem(f"{len(values)} {what} for {n} bands (lists must match the bands)", *at)


class Rates(StrictModel):
    """``{unit, bands, male, female}`` or ``{unit, bands, persons}``."""

    unit: Literal["percent", "proportion", "per_1000", "per_100000"]
    bands: RateBands
    male: list[Finite] | None = None
    female: list[Finite] | None = None
    persons: list[Finite] | None = None

    @model_validator(mode="after")
    def _check(self) -> "Rates":
        scale = UNITS[self.unit]
        for sex in sex_form(self):
            values = getattr(self, sex)
            _length(values, len(self.bands), sex)
            for i, v in enumerate(values):
                if not 0 <= v <= scale:
                    raise problem(f"rate {v:g} is outside 0-{scale:g} {self.unit}", sex, i)
        return self


class CasesPopulation(StrictModel):
    """``{cases: [...], population: [...]}``: k of n, per band."""

    cases: list[Finite]
    population: list[Finite]


class Counts(StrictModel):
    """``{bands, male: {cases, population}, female: {…}}`` or ``{bands, persons: {…}}``."""

    bands: RateBands
    male: CasesPopulation | None = None
    female: CasesPopulation | None = None
    persons: CasesPopulation | None = None

    @model_validator(mode="after")
    def _check(self) -> "Counts":
        for sex in sex_form(self):
            block = getattr(self, sex)
            _length(block.cases, len(self.bands), sex, "cases")
            _length(block.population, len(self.bands), sex, "population")
            for i, (k, n) in enumerate(zip(block.cases, block.population)):
                if k < 0 or k != int(k):
                    raise problem(f"{k:g} must be a whole number of cases, 0 or more", sex, "cases", i)
                if n <= 0 or n != int(n):
                    raise problem(f"{n:g} must be a positive whole number", sex, "population", i)
                if k > n:
                    raise problem(f"{k:g} cases out of a population of {n:g}", sex, "cases", i)
        return self


class Intervals(StrictModel):
    """Rates: ``level`` and ``[low, high]`` per band and sex.  Counts: ``method``, ``level``."""

    level: Level = 0.95
    method: Literal[INTERVAL_METHODS] | None = None
    male: list[Pair] | None = None
    female: list[Pair] | None = None
    persons: list[Pair] | None = None


class Bases(StrictModel):
    """Unweighted survey bases (respondents) per band and sex."""

    male: list[Positive] | None = None
    female: list[Positive] | None = None
    persons: list[Positive] | None = None


class OpenTopWeights(StrictModel):
    """One weight per band from the population's top age up, per sex."""

    male: Annotated[list[NonNegative], Field(min_length=1)]
    female: Annotated[list[NonNegative], Field(min_length=1)]

    @model_validator(mode="after")
    def _check(self) -> "OpenTopWeights":
        if len(self.male) != len(self.female):
            raise problem(f"{len(self.male)} male and {len(self.female)} female weights: give one per band for each sex")
        for sex in ("male", "female"):
            if sum(getattr(self, sex)) <= 0:
                raise problem("weights add to 0", sex)
        return self


class OpenTop(StrictModel):
    """How bands that split the population's open top group (90-94, 95+ onto 90+) apply:
    ``error`` (refuse), ``first_band`` (the band holding the top age), or ``weights``
    (given per sex with a source, or ``npp``: the national projection each year)."""

    rule: Literal[OPEN_TOP_RULES]
    weights: choice("must be {male: [...], female: [...]} or npp (weights from the national projection each year)",
                    npp=(Literal["npp"], is_text), given=(OpenTopWeights, is_mapping)) | None = None
    source: str = ""
    note: str = ""

    @model_validator(mode="after")
    def _check(self) -> "OpenTop":
        if self.rule != "weights" and self.weights is not None:
            raise problem("weights are used only with rule: weights", "weights")
        if self.rule == "weights" and self.weights is None:
            raise problem("missing: rule 'weights' needs weights {male: [...], female: [...]} (one per band from "
                          "the top age up) or weights: npp", "weights")
        if isinstance(self.weights, OpenTopWeights) and not self.source.strip():
            raise problem("missing: rule 'weights' needs a source for the weights", "source")
        return self


class EthnicityUse(StrictModel):
    """``{use: <relative-risks id or path>}``."""

    use: Text

    @classmethod
    def _check_mapping(cls, data: Any) -> Any:
        extra = [k for k in data if k != "use"]
        if extra:
            raise problem("with 'use', give no other keys (the file named holds the ratios)", extra[0])
        return data


Ethnicity = choice("must be {use: <relative-risks id>} or inline relative risks (reference, relative_risk or rates, source)",
                   use=(EthnicityUse, lambda v: isinstance(v, dict) and "use" in v),
                   inline=(InlineRelativeRisks, is_mapping))


class RateSetFile(IdMixin, FileModel):
    """A ``forecast.rate-set/1`` file (see the module docstring)."""

    SCHEMA: ClassVar[str] = "forecast.rate-set/1"
    model_config = {"json_schema_extra": {"oneOf": [{"required": ["rates"]}, {"required": ["counts"]}]}}

    schema_: Literal["forecast.rate-set/1"] = Field(alias="schema")
    id: Ident
    measure: Ident
    label: Text | None = None
    source: Source
    rates: Rates | None = None
    counts: Counts | None = None
    intervals: Intervals | None = None
    bases: Bases | None = None
    open_top: OpenTop | None = None
    ethnicity: Ethnicity | None = None
    trend: TrendModel | None = None
    notes: str = ""

    @property
    def table(self) -> Rates | Counts:
        """The ``rates`` or ``counts`` block."""
        return self.rates if self.rates is not None else self.counts

    @property
    def sexes(self) -> tuple[str, ...]:
        """``("male", "female")`` or ``("persons",)``."""
        return sex_form(self.table)

    @property
    def unit(self) -> str:
        return self.rates.unit if self.rates is not None else "proportion"

    @model_validator(mode="after")
    def _check(self) -> "RateSetFile":
        if self.rates is not None and self.counts is not None:
            raise problem("give either rates or counts, not both", "counts")
        if self.table is None:
            raise problem("missing: give rates (unit, bands, male and female or persons) or counts", "rates")
        sexes = sex_form(self.table)
        if self.counts is not None:
            self._check_with_counts()
        else:
            self._check_intervals(sexes)
            self._check_bases(sexes)
        return self

    def _check_with_counts(self) -> None:
        iv = self.intervals
        for sex in _SEXES:
            if iv is not None and getattr(iv, sex) is not None:
                raise problem("with counts, intervals are computed: give only method and level", "intervals", sex)
        if self.bases is not None:
            raise problem("with counts, the bases are the populations: drop bases", "bases")

    def _check_intervals(self, sexes: tuple[str, ...]) -> None:
        iv = self.intervals
        if iv is None:
            return
        if iv.method is not None:
            raise problem("method is for intervals computed from counts; with rates give [low, high] pairs", "intervals", "method")
        self._same_sexes(iv, sexes, "intervals", "[low, high] pairs, one per band")
        scale, unit = UNITS[self.unit], self.unit
        for sex in sexes:
            pairs = getattr(iv, sex)
            _length(pairs, len(self.table.bands), "intervals", sex, what="intervals")
            for i, (lo, hi) in enumerate(pairs):
                if not 0 <= lo <= hi <= scale:
                    raise problem(f"interval [{lo:g}, {hi:g}] must satisfy 0 <= low <= high <= {scale:g} {unit}",
                                  "intervals", sex, i)
                point = getattr(self.rates, sex)[i]
                if not lo <= point <= hi:
                    raise problem(f"interval [{lo:g}, {hi:g}] does not contain its point estimate {point:g}",
                                  "intervals", sex, i)

    def _check_bases(self, sexes: tuple[str, ...]) -> None:
        if self.bases is None:
            return
        self._same_sexes(self.bases, sexes, "bases", "one base per band")
        for sex in sexes:
            values = getattr(self.bases, sex)
            _length(values, len(self.table.bands), "bases", sex)
            for i, v in enumerate(values):
                if v != int(v):
                    raise problem(f"base {v:g} must be a positive whole number", "bases", sex, i)

    @staticmethod
    def _same_sexes(block: Any, sexes: tuple[str, ...], key: str, what: str) -> None:
        for sex in _SEXES:
            given = getattr(block, sex) is not None
            if sex in sexes and not given:
                raise problem(f"missing: {what} (the rates give {' and '.join(sexes)})", key, sex)
            if sex not in sexes and given:
                raise problem(f"the rates give {' and '.join(sexes)}, not {sex}", key, sex)
