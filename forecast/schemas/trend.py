"""Trends: a multiplicative change in every age-specific rate, year by year.

A trend (a rate set's ``trend:``, a scenario's ``trend:``) takes one of three forms::

    trend: {annual_change: -0.027, from_year: 2022}            # −2.7% a year after 2022
    trend: {total_change: -0.21, over_years: 20, from_year: 2022}   # −21% over 20 years
    trend:                                                     # piecewise: a rate per period
      from_year: 2022
      segments:
        - {until: 2030, annual_change: -0.02}
        - {until: 2040, annual_change: -0.01}

with an optional ``source``.  A change is a proportion per year in (−1, 1); a total
change is above −1; segments end in increasing years after ``from_year``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from .base import StrictModel, problem
from .fields import Finite, Positive, Year

__all__ = ["TrendModel", "Segment"]


def _annual(value: float, *at) -> None:
    if not -1 < value < 1:
        raise problem(f"{value:g} must be a proportion per year between -1 and 1 (e.g. -0.027)", *at)


class Segment(StrictModel):
    """``{until: 2030, annual_change: -0.02}``: this change each year up to ``until``."""

    until: Year
    annual_change: Finite

    @model_validator(mode="after")
    def _check(self) -> "Segment":
        _annual(self.annual_change, "annual_change")
        return self


class TrendModel(StrictModel):
    """``{annual_change, from_year}`` | ``{total_change, over_years, from_year}`` |
    ``{from_year, segments: [{until, annual_change}, …]}``, optional ``source``."""

    model_config = {"json_schema_extra": {"oneOf": [
        {"required": ["annual_change"], "not": {"anyOf": [{"required": ["total_change"]}, {"required": ["segments"]}]}},
        {"required": ["total_change", "over_years"], "not": {"anyOf": [{"required": ["annual_change"]}, {"required": ["segments"]}]}},
        {"required": ["segments"], "not": {"anyOf": [{"required": ["annual_change"]}, {"required": ["total_change"]}]}},
    ]}}

    annual_change: Finite | None = None
    total_change: Finite | None = None
    over_years: Positive | None = None
    segments: Annotated[list[Segment], Field(min_length=1)] | None = None
    from_year: Year
    source: str = ""

    @model_validator(mode="after")
    def _one_form(self) -> "TrendModel":
        given = [k for k in ("annual_change", "total_change", "segments") if getattr(self, k) is not None]
        if len(given) != 1:
            raise problem("give one of annual_change, total_change with over_years, or segments"
                          + (f" (not {' and '.join(given)})" if given else ""))
        if self.over_years is not None and self.total_change is None:
            raise problem("over_years goes with total_change", "over_years")
        if self.annual_change is not None:
            _annual(self.annual_change, "annual_change")
        if self.total_change is not None:
            if not self.total_change > -1:
                raise problem(f"{self.total_change:g} must be a proportion above -1 (e.g. -0.21)", "total_change")
            if self.over_years is None:
                raise problem("missing: total_change needs over_years (the years it took)", "over_years")
        previous = self.from_year
        for i, seg in enumerate(self.segments or ()):
            if seg.until <= previous:
                after = f"from_year {previous}" if i == 0 else f"the previous segment's until ({previous})"
                raise problem(f"until {seg.until} must be after {after}", "segments", i, "until")
            previous = seg.until
        return self

    @property
    def annual(self) -> float | None:
        """The constant annual change (a total change turned into the annual rate that
        compounds to it); None for segments."""
        if self.annual_change is not None:
            return self.annual_change
        if self.total_change is not None:
            return (1 + self.total_change) ** (1 / self.over_years) - 1
        return None
