"""Trends: a change in every age-specific rate over the years (a scenario's effect).

``factor(year) = (1 + annual_change) ^ max(0, year − from_year)``, or piecewise: each
segment ``{until, annual_change}`` compounds its own rate over its years, and after the
last segment the factor is held.  A total change over a period (CFAS I → II: −21% over 20
years) becomes the constant annual rate that compounds to it:
``(1 + total_change) ^ (1 / over_years) − 1``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

__all__ = ["Trend"]


@dataclass(frozen=True)
class Trend:
    """A multiplicative change in every age-specific rate, per year from ``from_year``.

    ``segments`` is a tuple of ``(until_year, annual_change)``; a constant trend is one
    segment with no end (``until_year=None``).
    """

    from_year: int
    segments: tuple[tuple[int | None, float], ...]
    source: str = ""
    description: str = ""

    @classmethod
    def constant(cls, annual_change: float, from_year: int, source: str = "", description: str = "") -> "Trend":
        return cls(int(from_year), ((None, float(annual_change)),), source, description or f"{annual_change:+.2%} a year")

    @property
    def annual_change(self) -> float:
        """The (first) annual change, for notes."""
        return self.segments[0][1]

    @classmethod
    def from_model(cls, m, source: str = "") -> "Trend":
        """From a validated ``trend:`` (:class:`forecast.schemas.TrendModel`)."""
        src = " ".join((m.source or source).split())
        if m.segments is not None:
            segs = tuple((int(x.until), float(x.annual_change)) for x in m.segments)
            start, parts = m.from_year, []
            for until, ch in segs:
                parts.append(f"{ch:+.2%} a year {start}-{until}")
                start = until
            return cls(int(m.from_year), segs, src, ", then ".join(parts) + f", held at the {segs[-1][0]} level after")
        if m.total_change is not None:
            desc = f"{m.total_change:+.0%} over {m.over_years:g} years = {m.annual:+.2%} a year"
        else:
            desc = f"{m.annual:+.2%} a year"
        return cls.constant(float(m.annual), int(m.from_year), src, desc)

    def factor(self, years: Sequence[int]) -> np.ndarray:
        """The multiplier for each year (1 up to ``from_year``)."""
        y = np.asarray(years, dtype=float)
        out = np.ones_like(y)
        start = float(self.from_year)
        for until, change in self.segments:
            end = np.inf if until is None else float(until)
            steps = np.clip(y, start, end) - start
            out *= (1.0 + change) ** steps
            start = end
        return out

    def formula(self) -> str:
        """``rate × (1 − 0.0117)^(year − 2022)``, or each segment's change and years."""
        if len(self.segments) == 1:
            ch = self.segments[0][1]
            return f"rate × (1 {'−' if ch < 0 else '+'} {abs(ch):.4g})^(year − {self.from_year})"
        parts, start = [], self.from_year
        for until, ch in self.segments:
            parts.append(f"{ch:+.2%} a year {start}-{until}" if until else f"{ch:+.2%} a year from {start}")
            start = until
        return "; ".join(parts) + " (held after the last year)"

    def sentence(self) -> str:
        """One plain sentence for notes: ``age-specific rates change −1.17% a year from 2022
        (rate × (1 − 0.0117)^(year − 2022))``, or, piecewise, each segment's change and years
        and the year after which rates are held."""
        if len(self.segments) > 1:
            return f"age-specific rates change {self.description}" if self.description else self.formula()
        what = self.description or f"{self.annual_change:+.2%} a year"
        return f"age-specific rates change {what} from {self.from_year} ({self.formula()})"
