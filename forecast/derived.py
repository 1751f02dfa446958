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
import xarray as xr

from ._resources import sha256_file
from ._yaml import Lines, check_header, failer, read_yaml
from .assumptions import DERIVED_SCHEMA, registry
from .errors import AssumptionError, ForecastError, SpecError
from .population import parse_financial_year, year_span

__all__ = ["DERIVED_SCHEMA", "DerivedMeasure", "DerivedMeasures", "load_derived", "apply_derived"]



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
    path = registry.locate(key, DERIVED_SCHEMA)
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


def _base_value(da: xr.DataArray, cal: Calibration, area: str | None):
    """The modelled value of a measure in the calibration period (one area, all else summed;
    one value per draw if the result has draws)."""
    years = [int(y) for y in da["year"].values] if "year" in da.dims else []
    needed = cal.period.mid_years()
    missing = [y for y in needed if y not in years]
    if missing:
        what = f"mid-{needed[0]} and mid-{needed[1]}" if cal.period.financial else f"mid-{needed[0]}"
        have = year_span(years)
        raise SpecError(
            f"no population covers {cal.period.label} (needs {what}; the population has {have}): "
            "give an observed base count instead (against_observed: N)"
        )
    if area is None:
        if da.sizes.get("area", 1) != 1:
            raise SpecError("calibrating against a modelled value needs the area the observed count is for (area: E06000016)")
        area = str(da["area"].values[0])
    if area not in [str(a) for a in da["area"].values]:
        raise SpecError(f"calibration area {area} is not in the projection")
    one = da.sel(area=area)
    one = one.sum([d for d in one.dims if d not in ("year", "draw")])
    if cal.period.financial:
        return 0.75 * one.sel(year=needed[0]) + 0.25 * one.sel(year=needed[1])
    return one.sel(year=needed[0])


def apply_derived(
    result: xr.Dataset, derived: "DerivedMeasures | str | PathLike", *, only: Sequence[str] | None = None
) -> xr.Dataset:
    """Add the derived measures of a file (or only those named, with what they need)
    to a projection result by mid-year."""
    dm = load_derived(derived)
    if "year" not in result.dims:
        raise SpecError("apply derived measures to a result by mid-year, before turning it into financial years")
    out = result.copy()
    years = out["year"].values
    for name in dm.order(list(result.data_vars), only):
        m = dm.measures[name]
        base = out[m.from_]
        if name in out.data_vars:
            raise AssumptionError(f"derived measure '{name}' has the name of a measure already projected", file=dm.path, field=f"measures.{name}")
        try:
            if m.kind == "calibrate" and m.calibration.against == "modelled":
                base_value = _base_value(base, m.calibration, m.calibration.area)
                if (base_value <= 0).any():
                    raise SpecError(f"the modelled base value of '{m.from_}' in {m.calibration.period.label} is 0")
                value = m.calibration.observed / base_value  # one factor per draw, if there are draws
                text = f"{m.calibration.observed:,.0f} / {float(base_value.mean()):,.1f}"
            else:
                value, text = m.value, m.value_text
        except ForecastError as e:
            raise e.located(file=dm.path, field=f"measures.{name}.calibrate") from None
        steps = np.ones(len(years))
        step_notes = []
        for s in m.steps:
            steps = np.where(years >= s.start.start, steps * s.multiplier, steps)
            step_notes.append(f"× {s.multiplier:.4g} from {s.start.label}" + (f" ({s.label})" if s.label else ""))
        f = xr.DataArray(steps, dims="year", coords={"year": years}) * value
        da = (base * f).rename(name)
        base_label = base.attrs.get("long_name", m.from_)
        mean_value = float(np.mean(value))
        desc = f"{m.label} = {base_label} × {mean_value:.4g}" + (" (mean over draws)" if np.ndim(value) else "")
        value = mean_value
        if m.kind == "share":
            desc += f" (share {text})"
        elif m.kind == "multiplier":
            desc += f" (multiplier {text})"
        else:
            c = m.calibration
            where = f" in {c.area}" if c.area else ""
            if c.against == "observed":
                desc += f" (calibrated: {c.observed:,.0f} observed{where} in {c.period.label} / observed base count {c.base_observed:,.0f})"
            else:
                desc += f" (calibrated: {c.observed:,.0f} observed{where} in {c.period.label} / modelled {m.from_} {text.split(' / ')[1]} in {c.period.label})"
        if step_notes:
            desc += "; scenario " + ", ".join(step_notes)
        da.attrs = {
            "long_name": m.label,
            "units": "persons",
            "measure": name,
            "derived_from": m.from_,
            "factor": float(value),
            "derivation": desc,
            "citation": "; ".join(x.rstrip(".") for x in [m.source, *(s.source for s in m.steps)] if x),
            "derived_measures": dm.id,
        }
        if "rate_set" in base.attrs:
            da.attrs["rate_set"] = base.attrs["rate_set"]
        out[name] = da
    out.attrs = dict(result.attrs)
    out.attrs["derived_measures"] = f"{dm.id} (sha256={dm.sha256})"
    out.attrs["derived_measures_citation"] = dm.citation
    return out
