"""Derived measures applied to a projection: shares, multipliers, calibration, scenario steps.

The definitions (``forecast.derived-measures/1`` files) are read by
:mod:`forecast.assumptions.derived`; here each derived measure becomes a variable of the
result: its base measure × the factor (× the scenario steps by year), in dependency order.
A measure naming an unknown measure, or a cycle among derived measures, is an error.  The
calibration is recorded in each variable's ``attrs`` and the table notes.
"""

from __future__ import annotations

import json
from os import PathLike
from typing import Sequence

import numpy as np
import xarray as xr

from ..assumptions.derived import Calibration, DerivedMeasures, load_derived
from ..errors import AssumptionError, SpecError, at
from ..periods import period_weights, year_span
from ..population.years import step_factor

__all__ = ["apply_derived"]


def _base_value(da: xr.DataArray, cal: Calibration, area: str | None):
    """The modelled value of a measure in the calibration period (one area, all else summed;
    one value per draw if the result has draws)."""
    years = [int(y) for y in da["year"].values] if "year" in da.dims else []
    weights = period_weights(cal.period.label)
    needed = list(weights)
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
    return sum(w * one.sel(year=y) for y, w in weights.items())


def _factor(m, base: xr.DataArray):
    """The measure's factor (one per draw when calibrated against draws) and how it reads."""
    if m.kind == "calibrate" and m.calibration.against == "modelled":
        base_value = _base_value(base, m.calibration, m.calibration.area)
        if (base_value <= 0).any():
            raise SpecError(f"the modelled base value of '{m.from_}' in {m.calibration.period.label} is 0")
        return m.calibration.observed / base_value, f"{m.calibration.observed:,.0f} / {float(base_value.mean()):,.1f}"
    return m.value, m.value_text


def _derivation(m, base: xr.DataArray, value, text: str) -> str:
    """``label = base × factor (how the factor was found); scenario × … from …``."""
    desc = f"{m.label} = {base.attrs.get('long_name', m.from_)} × {float(np.mean(value)):.4g}"
    desc += " (mean over draws)" if np.ndim(value) else ""
    if m.kind == "share":
        desc += f" (share {text})"
    elif m.kind == "multiplier":
        desc += f" (multiplier {text})"
    else:
        c = m.calibration
        where = f" in {c.area}" if c.area else ""
        if c.against == "observed":
            desc += (f" (calibrated: {c.observed:,.0f} observed{where} in {c.period.label} / observed base count "
                     f"{c.base_observed:,.0f})")
        else:
            desc += (f" (calibrated: {c.observed:,.0f} observed{where} in {c.period.label} / modelled {m.from_} "
                     f"{text.split(' / ')[1]} in {c.period.label})")
    notes = [f"× {s.multiplier:.4g} from {s.start.label}" + (f" ({s.label})" if s.label else "") for s in m.steps]
    return desc + ("; scenario " + ", ".join(notes) if notes else "")


def _attrs(dm, name: str, m, base: xr.DataArray, value, text: str) -> dict:
    """A derived variable's provenance: label, factor, derivation, citations, step years."""
    attrs = {
        "long_name": m.label,
        "units": m.units,
        "measure": name,
        "derived_from": m.from_,
        "factor": float(np.mean(value)),
        "derivation": _derivation(m, base, value, text),
        "citation": "; ".join(x.rstrip(".") for x in [m.source, *(s.source for s in m.steps)] if x),
        "derived_measures": dm.id,
    }
    inherited = json.loads(base.attrs.get("step_years") or "[]")
    if m.steps or inherited:  # kept (with the base's) so that financial years are stepped as financial years
        attrs["step_years"] = json.dumps(inherited + [[s.start.start, s.multiplier] for s in m.steps])
    if "rate_set" in base.attrs:  # the rates' own source, beside the derivation's (charts credit each)
        attrs["rate_set"] = base.attrs["rate_set"]
        attrs["rate_set_citation"] = base.attrs.get("rate_set_citation") or base.attrs.get("citation", "")
    return attrs


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
        with at(file=dm.path, field=f"measures.{name}.calibrate"):
            value, text = _factor(m, base)
        steps = step_factor(years, [(s.start.start, s.multiplier) for s in m.steps])
        da = (base * (steps * value)).rename(name)
        da.attrs = _attrs(dm, name, m, base, value, text)
        out[name] = da
    out.attrs = dict(result.attrs)
    out.attrs["derived_measures"] = f"{dm.id} (sha256={dm.sha256})"
    out.attrs["derived_measures_citation"] = dm.citation
    return out
