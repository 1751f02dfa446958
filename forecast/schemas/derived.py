"""Derived measures (``forecast.derived-measures/1``): measures made from other measures
by a factor, each with its source (carer funnels).

::

    schema: forecast.derived-measures/1
    id: leicester_carers_2015
    area: E06000016
    source: {citation: "Leicester's mental health strategy 2015-2019"}
    measures:
      carers_needing_support:
        from: unpaid_carers
        share: {numerator: 16000, denominator: 30000}     # or a number in 0-1
        source: "16,000 of about 30,000 carers could require some support"
      carers_assessments:
        from: unpaid_carers
        calibrate: {observed: 1972, period: 2013/14, against_observed: 30000}
        scenario: [{from: 2015/16, multiply: {numerator: 4000, denominator: 1972}, label: Care Act}]
        source: "…"
        units: assessments                                 # what it counts (default: people)
      young_carers_known:
        from: young_carers
        calibrate: {observed: 249, period: 2011, against: modelled}
        source: "…"

Each measure has exactly one factor: ``share`` (0-1), ``multiplier`` (positive) or
``calibrate``.  ``units`` says what a measure counts when it is not people (e.g.
``assessments``): charts label their value axis with it.  Unknown bases and cycles are found against a projection.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, model_validator

from .base import FileModel, IdMixin, StrictModel, problem
from .fields import Ident, Name, NonNegative, Period, Positive, Source, Text, choice, is_mapping, is_number

__all__ = ["DerivedMeasuresFile", "DerivedMeasureModel", "Fraction", "Calibrate", "Step"]


class Fraction(StrictModel):
    """``{numerator, denominator}``: both cited counts."""

    numerator: NonNegative
    denominator: Positive

    @property
    def value(self) -> float:
        return self.numerator / self.denominator


Factor = choice("must be a number or {numerator, denominator}",
                number=(NonNegative, is_number), fraction=(Fraction, is_mapping))


def factor_value(f: float | Fraction) -> float:
    """A factor's value (a fraction divided out)."""
    return f.value if isinstance(f, Fraction) else float(f)


class Calibrate(StrictModel):
    """``{observed, period, against: modelled}`` or ``{observed, period, against_observed}``."""

    observed: NonNegative
    period: Period
    against: Literal["modelled"] | None = None
    against_observed: Positive | None = None
    area: Text | None = None

    @model_validator(mode="after")
    def _one_base(self) -> "Calibrate":
        if self.against is not None and self.against_observed is not None:
            raise problem("give against: modelled or against_observed: N, not both", "against_observed")
        return self


class Step(StrictModel):
    """``{from: period, multiply: factor, label, source}``: a change from a period on."""

    from_: Period = Field(alias="from")
    multiply: Factor
    label: str = ""
    source: str = ""

    @model_validator(mode="after")
    def _positive(self) -> "Step":
        if factor_value(self.multiply) <= 0:
            raise problem("must be positive", "multiply")
        return self


class DerivedMeasureModel(StrictModel):
    """One derived measure: ``from``, one factor, ``source``; optional ``label``, ``units``, ``scenario``."""

    model_config = {"json_schema_extra": {"oneOf": [
        {"required": ["share"]}, {"required": ["multiplier"]}, {"required": ["calibrate"]}]}}

    from_: Text = Field(alias="from")
    label: str | None = None
    units: Text | None = None
    source: Text
    share: Factor | None = None
    multiplier: Factor | None = None
    calibrate: Calibrate | None = None
    scenario: list[Step] = []

    @property
    def kind(self) -> str:
        """``share``, ``multiplier`` or ``calibrate``."""
        return next(k for k in ("share", "multiplier", "calibrate") if getattr(self, k) is not None)

    @model_validator(mode="after")
    def _one_factor(self) -> "DerivedMeasureModel":
        given = [k for k in ("share", "multiplier", "calibrate") if getattr(self, k) is not None]
        if len(given) != 1:
            raise problem("give exactly one of share, multiplier, calibrate"
                          + (f" (not {' and '.join(given)})" if given else ""), *given[1:2])
        if self.share is not None and not 0 <= factor_value(self.share) <= 1:
            raise problem(f"share {factor_value(self.share):g} is outside 0-1", "share")
        if self.multiplier is not None and factor_value(self.multiplier) <= 0:
            raise problem("must be positive", "multiplier")
        return self


class DerivedMeasuresFile(IdMixin, FileModel):
    """A ``forecast.derived-measures/1`` file (see the module docstring)."""

    SCHEMA: ClassVar[str] = "forecast.derived-measures/1"
    schema_: Literal["forecast.derived-measures/1"] = Field(alias="schema")
    id: Ident
    label: Text | None = None
    area: Text | None = None
    source: Source
    measures: Annotated[dict[Name, DerivedMeasureModel], Field(min_length=1)]
