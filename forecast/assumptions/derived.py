"""Derived measures: chains of factors on projected measures (carer funnels).

A derived-measures file (schema ``forecast.derived-measures/1``) defines measures made
from other measures by a factor, each factor with its source::

    carers → carers needing support → completed carers' assessments per year
    young carers → young carers known to services

A factor is one of:

* ``share`` — a proportion in 0-1, given as a number or as ``{numerator, denominator}``
  (e.g. 16,000 of 30,000 carers "could require some support");
* ``multiplier`` — any positive number;
* ``calibrate`` — ``observed`` count in a base ``period`` divided by the base value of the
  measure it derives from, either the **modelled** value in that period (the
  projection must cover it: a mid-year, or both mid-years of a financial year) or an
  **observed** base count (``against_observed``, e.g. the strategy's 30,000 carers).  The
  calibrated measure equals the observed count in the base period exactly.

``scenario`` steps multiply a factor from a period on (e.g. ×4,000/1,972 from 2015/16,
the Care Act estimate).  A step from financial year ``Y/Y+1`` applies from mid-year
``Y``, so financial years from ``Y/Y+1`` on carry it in full (and ``Y-1/Y`` carries a
quarter of it through the financial-year interpolation).

:func:`apply_derived` adds the derived measures to a projection result, in dependency
order; a measure naming an unknown measure, or a cycle among derived measures, is an
error.  The calibration is recorded in each variable's ``attrs`` and the table notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any, Mapping, Sequence

from ..errors import AssumptionError, SpecError
from ..files import sha256_file
from ..periods import parse_financial_year
from ..schemas import load
from ..schemas.derived import Fraction, factor_value
from .registry import LOADERS, registry

__all__ = ["Period", "Step", "Calibration", "DerivedMeasure", "DerivedMeasures", "load_derived"]


@dataclass(frozen=True)
class Period:
    """A mid-year (``"2011"``) or a financial year (``"2013/14"``)."""

    label: str
    start: int  # the mid-year, or the first year of the financial year
    financial: bool

    @classmethod
    def parse(cls, value: Any) -> "Period":
        text = str(value).strip()
        if "/" in text:
            return cls(text, parse_financial_year(text), True)
        if text.isdigit() and len(text) == 4:
            return cls(text, int(text), False)
        raise SpecError(f"{value!r} is not a year (2011) or a financial year (2013/14)")


@dataclass(frozen=True)
class Step:
    start: Period
    multiplier: float
    label: str = ""
    source: str = ""


@dataclass(frozen=True)
class Calibration:
    observed: float
    period: Period
    against: str  # "modelled" | "observed"
    base_observed: float | None = None
    area: str | None = None


@dataclass(frozen=True)
class DerivedMeasure:
    name: str
    from_: str
    label: str
    kind: str  # share | multiplier | calibrate
    source: str
    value: float | None = None
    value_text: str = ""
    calibration: Calibration | None = None
    steps: tuple[Step, ...] = ()
    units: str = "persons"  # what it counts: people unless the file says otherwise


@dataclass(frozen=True)
class DerivedMeasures:
    KIND = "derived-measures"

    id: str
    label: str
    measures: Mapping[str, DerivedMeasure]
    citation: str
    area: str | None = None
    notes: str = ""
    path: Path | None = None
    sha256: str | None = None

    def order(self, available: Sequence[str], only: Sequence[str] | None = None) -> list[str]:
        """Dependency order of all measures (or of ``only`` and what they need);
        unknown bases and cycles are errors."""
        done: list[str] = []
        visiting: list[str] = []

        def visit(name: str) -> None:
            if name in done or name in available and name not in self.measures:
                return
            if name in visiting:
                cycle = visiting[visiting.index(name):] + [name]
                raise AssumptionError(f"cycle among derived measures: {' → '.join(cycle)}", file=self.path, field=f"measures.{name}.from")
            m = self.measures.get(name)
            if m is None:
                raise AssumptionError(
                    f"unknown measure '{name}' (the projection has: {', '.join(available) or 'none'}; "
                    f"derived: {', '.join(self.measures)})",
                    file=self.path,
                )
            visiting.append(name)
            try:
                visit(m.from_)
            except AssumptionError as e:
                if e.field is None and "unknown measure" in e.message:
                    raise AssumptionError(e.message, file=self.path, field=f"measures.{name}.from") from None
                raise
            visiting.pop()
            done.append(name)

        for n in (only if only is not None else self.measures):
            if n not in self.measures:
                raise AssumptionError(f"no derived measure '{n}' (it has: {', '.join(self.measures)})", file=self.path)
            visit(n)
        return done


def load_derived(key: "DerivedMeasures | str | PathLike") -> DerivedMeasures:
    """A derived-measures file by id (in the assumption folders) or path, or the object.
    Cycles and unknown bases are found against a projection (:func:`forecast.apply_derived`)."""
    return registry.load(key, DerivedMeasures, _read_derived)


def _read_derived(path: Path) -> DerivedMeasures:
    m = load(path, "derived-measures")
    measures = {name: _measure(name, d, m.area) for name, d in m.measures.items()}
    return DerivedMeasures(id=m.id, label=m.label or m.id, measures=measures, citation=" ".join(m.source.citation.split()),
                           area=m.area, notes=" ".join(m.source.notes.split()), path=Path(path), sha256=sha256_file(path))


def _text(f) -> str:
    return f"{f.numerator:,.0f} / {f.denominator:,.0f}" if isinstance(f, Fraction) else f"{f:g}"


def _measure(name: str, d, area) -> DerivedMeasure:
    value, text, cal = None, "", None
    if d.kind in ("share", "multiplier"):
        f = getattr(d, d.kind)
        value, text = factor_value(f), _text(f)
    else:
        c = d.calibrate
        period = Period.parse(c.period)
        if c.against_observed is not None:
            cal = Calibration(float(c.observed), period, "observed", float(c.against_observed), c.area or area)
            value, text = c.observed / c.against_observed, f"{c.observed:,.0f} / {c.against_observed:,.0f}"
        else:
            cal = Calibration(float(c.observed), period, "modelled", None, c.area or area)
    steps = tuple(Step(Period.parse(s.from_), factor_value(s.multiply), s.label, " ".join(s.source.split()))
                  for s in d.scenario)
    return DerivedMeasure(name=name, from_=d.from_, label=d.label or name, kind=d.kind, source=" ".join(d.source.split()),
                          value=value, value_text=text, calibration=cal, steps=steps,
                          units=" ".join(d.units.split()) if d.units else "persons")


LOADERS["derived-measures"] = load_derived
