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

import numpy as np

from .._yaml import Lines, check_header, failer, read_yaml
from ..errors import AssumptionError, ForecastError, SpecError
from ..files import sha256_file
from ..periods import parse_financial_year
from .registry import LOADERS, registry

__all__ = ["DERIVED_SCHEMA", "Period", "Step", "Calibration", "DerivedMeasure", "DerivedMeasures", "load_derived"]

DERIVED_SCHEMA = "forecast.derived-measures/1"


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

    def mid_years(self) -> list[int]:
        return [self.start, self.start + 1] if self.financial else [self.start]


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


def _number(v: Any, fail, *keys, positive: bool = True) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v) or (positive and v <= 0) or v < 0:
        raise fail(f"{v!r} must be a {'positive' if positive else 'non-negative'} number", *keys)
    return float(v)


def _fraction(v: Any, fail, *keys) -> tuple[float, str]:
    """A number, or {numerator, denominator} (both cited counts) → (value, text)."""
    if isinstance(v, dict):
        if set(v) != {"numerator", "denominator"}:
            raise fail("must be a number or {numerator, denominator}", *keys)
        n = _number(v["numerator"], fail, *keys, "numerator", positive=False)
        d = _number(v["denominator"], fail, *keys, "denominator")
        return n / d, f"{n:,.0f} / {d:,.0f}"
    return _number(v, fail, *keys, positive=False), f"{v:g}"


def load_derived(key: "DerivedMeasures | str | PathLike") -> DerivedMeasures:
    """A derived-measures file by id (in the assumption folders) or path, or the object."""
    if isinstance(key, DerivedMeasures):
        return key
    found = registry.resolve(key, "derived-measures")
    if isinstance(found, DerivedMeasures):
        return found
    path = found
    data, lines = read_yaml(path, error=AssumptionError)
    return _parse(data, path, lines)


def _parse(d: Any, path: Path, lines: Lines) -> DerivedMeasures:
    fail = failer(AssumptionError, path, lines)

    src = check_header(d, fail, path, schema=DERIVED_SCHEMA, kind="a derived-measures file",
                       keys={"schema", "id", "label", "area", "source", "measures"})
    measures_raw = d.get("measures")
    if not isinstance(measures_raw, dict) or not measures_raw:
        raise fail("must map each derived measure's name to its definition", "measures")
    area = d.get("area")
    out = {}
    for name, m in measures_raw.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise fail(f"{name!r} must be a name of letters, digits and _", "measures", name)
        if not isinstance(m, dict):
            raise fail("must be a mapping with from, label, source and one factor", "measures", name)
        bad = sorted(set(m) - {"from", "label", "source", "share", "multiplier", "calibrate", "scenario"}, key=str)
        if bad:
            raise fail("unknown key (known: from, label, source, share, multiplier, calibrate, scenario)", "measures", name, bad[0])
        if not isinstance(m.get("from"), str):
            raise fail("missing: the measure this one is made from", "measures", name, "from")
        if not m.get("source"):
            raise fail("needs a source for its factor", "measures", name, "source")
        kinds = [k for k in ("share", "multiplier", "calibrate") if k in m]
        if len(kinds) != 1:
            raise fail("give exactly one of share, multiplier, calibrate", "measures", name)
        kind = kinds[0]
        value, text, cal = None, "", None
        if kind == "share":
            value, text = _fraction(m["share"], fail, "measures", name, "share")
            if not 0 <= value <= 1:
                raise fail(f"share {value:g} is outside 0-1", "measures", name, "share")
        elif kind == "multiplier":
            value, text = _fraction(m["multiplier"], fail, "measures", name, "multiplier")
        else:
            c = m["calibrate"]
            if not isinstance(c, dict):
                raise fail("must be {observed, period, against: modelled} or {observed, period, against_observed}", "measures", name, "calibrate")
            bad = sorted(set(c) - {"observed", "period", "against", "against_observed", "area"}, key=str)
            if bad:
                raise fail("unknown key (known: observed, period, against, against_observed, area)", "measures", name, "calibrate", bad[0])
            observed = _number(c.get("observed"), fail, "measures", name, "calibrate", "observed", positive=False)
            try:
                period = Period.parse(c.get("period"))
            except ForecastError as e:
                raise fail(e.message, "measures", name, "calibrate", "period") from None
            if "against_observed" in c:
                base = _number(c["against_observed"], fail, "measures", name, "calibrate", "against_observed")
                cal = Calibration(observed, period, "observed", base, c.get("area") or area)
                value, text = observed / base, f"{observed:,.0f} / {base:,.0f}"
            elif c.get("against", "modelled") == "modelled":
                cal = Calibration(observed, period, "modelled", None, c.get("area") or area)
            else:
                raise fail("against must be 'modelled', or give against_observed: N", "measures", name, "calibrate", "against")
        steps = []
        for i, s in enumerate(m.get("scenario") or []):
            if not isinstance(s, dict) or not {"from", "multiply"} <= set(s):
                raise fail("each step needs from (a period) and multiply", "measures", name, "scenario", i)
            try:
                start = Period.parse(s["from"])
            except ForecastError as e:
                raise fail(e.message, "measures", name, "scenario", i, "from") from None
            mult, _ = _fraction(s["multiply"], fail, "measures", name, "scenario", i, "multiply")
            if mult <= 0:
                raise fail("must be positive", "measures", name, "scenario", i, "multiply")
            steps.append(Step(start, mult, str(s.get("label", "")), " ".join(str(s.get("source", "")).split())))
        out[name] = DerivedMeasure(
            name=name, from_=m["from"], label=str(m.get("label", name)), kind=kind,
            source=" ".join(str(m["source"]).split()), value=value, value_text=text, calibration=cal, steps=tuple(steps),
        )
    dm = DerivedMeasures(
        id=d["id"], label=str(d.get("label", d["id"])), measures=out, citation=" ".join(str(src["citation"]).split()),
        area=area, notes=" ".join(str(src.get("notes", "")).split()), path=path, sha256=sha256_file(path),
    )
    return dm  # cycles and unknown bases are found against a projection, in apply_derived


LOADERS["derived-measures"] = load_derived
