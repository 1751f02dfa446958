"""Years of a cube: select mid-years, and derive financial years by interpolation.

The population of financial year ``Y/Y+1`` is ``0.75 × mid-Y + 0.25 × mid-(Y+1)``
(:mod:`forecast.periods`).
"""

from __future__ import annotations

import json
from typing import Iterable

import numpy as np

import xarray as xr

from ..errors import SpecError
from ..periods import financial_year_label, parse_financial_year, year_span

__all__ = ["select_years", "to_financial_years", "step_factor"]


def select_years(obj: xr.DataArray | xr.Dataset, years: Iterable[int] | None):
    """Select mid-years, with a clear error for a year the data does not cover."""
    if years is None:
        return obj
    years = [int(y) for y in years]
    have = [int(y) for y in obj["year"].values]
    for y in years:
        if y not in have:
            raise SpecError(f"year {y} is outside the population's years {year_span(have)}")
    return obj.sel(year=years)


def to_financial_years(obj: xr.DataArray | xr.Dataset, labels: Iterable[str] | None = None):
    """Values by financial year (April-March), interpolated from mid-years.

    FY ``Y/Y+1`` = ``0.75 × value(mid-Y) + 0.25 × value(mid-(Y+1))``: mid-year is
    30 June; the midpoint of April Y - March Y+1 is 1 October Y, a quarter of the way
    from mid-Y to mid-(Y+1).  The ``year`` dim is replaced by a
    ``financial_year`` dim of labels such as ``"2025/26"``.  Without ``labels``, every
    financial year the mid-years cover is returned.

    Valid for stocks (people with a condition, carers), which is what every measure
    of this library is.  A variable with scenario steps (``attrs["step_years"]``, set by
    derived measures: × m from a year on) is interpolated without them and then stepped by
    financial year, so a step from ``2015/16`` starts in 2015/16 and leaves 2014/15 alone.
    """
    years = [int(y) for y in obj["year"].values]
    if labels is None:
        starts = [y for y in years if y + 1 in years]
    else:
        starts = [parse_financial_year(lab) for lab in labels]
    for s in starts:
        for y in (s, s + 1):
            if y not in years:
                raise SpecError(
                    f"financial year {financial_year_label(s)} needs mid-{y}, outside the years {year_span(years)}"
                )
    with xr.set_options(keep_attrs=True):
        raw = _without_steps(obj)
        a = raw.sel(year=starts)
        b = raw.sel(year=[s + 1 for s in starts]).assign_coords(year=starts)
        out = _with_steps(0.75 * a + 0.25 * b)
    out = out.rename(year="financial_year").assign_coords(
        financial_year=[financial_year_label(s) for s in starts]
    )
    out.attrs = dict(obj.attrs)
    out.attrs["period"] = "financial year (April-March): 0.75 x mid-year Y + 0.25 x mid-year Y+1"
    return out


def step_factor(years, steps) -> xr.DataArray:
    """Each year's product of the multipliers of the ``(start year, multiplier)`` steps that
    have started by then (1 before the first)."""
    years = np.asarray(years, dtype=int)
    f = np.ones(years.size)
    for start, mult in steps:
        f = np.where(years >= int(start), f * float(mult), f)
    return xr.DataArray(f, dims="year", coords={"year": years})


def _steps(da: xr.DataArray, years) -> xr.DataArray | None:
    """Each year's product of the scenario steps that have started (None: no steps)."""
    raw = da.attrs.get("step_years")
    return step_factor(years, json.loads(raw)) if raw else None


def _apply(obj, fn):
    if isinstance(obj, xr.Dataset):
        return obj.assign({k: fn(v) for k, v in obj.data_vars.items()})
    return fn(obj)


def _without_steps(obj):
    def one(da):
        f = _steps(da, da["year"].values)
        return da if f is None else da / f
    return _apply(obj, one)


def _with_steps(interpolated):
    def one(da):
        f = _steps(da, da["year"].values)
        return da if f is None else da * f
    return _apply(interpolated, one)
