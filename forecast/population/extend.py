"""Extending a population past its projection's last year.

ONS subnational projections stop (the 2022-based SNPP at 2047); a strategy may run later.
:func:`extend_population` carries the cube forward:

* ``method="npp"`` (default) — each area × sex × single age is scaled by the national
  projection's ratio to the last year: ``pop[y] = pop[last] × NPP[y] / NPP[last]``, with the
  ONS 2022-based NPP for England (to 2122).  This is the method of ``ukpopulation``'s
  ``extend`` (Smith A., nismod/ukpopulation, 2019).  Backtested on the shipped extract
  (truncate at 2037, extend to 2047, compare with the real 2047): see the tests.
* ``method="hold_growth"`` — each area × sex × single age keeps the growth of the last
  projected year, compounded: ``pop[y] = pop[last] × (pop[last] / pop[last − 1])^(y − last)``.
  It overstates older populations badly over a decade (the backtest), and is kept by name only.
* ``ratios=`` — a user-given ratio per age × sex (a CSV ``sex, age, ratio``, or a DataArray),
  compounded each year.

A county stays the sum of its districts.  The method is recorded in the cube's ``attrs`` and
every table note.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from ..errors import InputError, SpecError
from ..files import read_bytes
from ..periods import check_year
from .areas import area_groups
from .cube import validate_cube
from .national import national_ratio
from .readers._common import line_numbers, male_or_female, read_csv_text, require_columns, to_numbers

__all__ = ["extend_population"]


def _ratios(ratios: Any) -> xr.DataArray:
    if isinstance(ratios, xr.DataArray):
        return ratios
    path = Path(ratios)
    df = read_csv_text(read_bytes(path), file=str(path))
    cols = require_columns(df, ["sex", "age", "ratio"], file=str(path), layout="a ratios file")
    lines = line_numbers(df)
    sex = male_or_female(df[cols["sex"]], file=path, field="sex", lines=lines)
    age = pd.to_numeric(df[cols["age"]].str.rstrip("+"), errors="coerce")
    if age.isna().any():
        i = int(np.flatnonzero(age.isna().to_numpy())[0])
        raise InputError(f"{df[cols['age']].iloc[i]!r} is not an age", file=path, field="age", line=int(lines.iloc[i]))
    ratio = to_numbers(df[cols["ratio"]], file=str(path), field="ratio", lines=lines)
    frame = pd.DataFrame({"sex": sex, "age": age.astype(int), "ratio": ratio})
    if frame.duplicated(["sex", "age"]).any():
        raise InputError("duplicate sex × age rows", file=path)
    return frame.set_index(["sex", "age"])["ratio"].to_xarray()


METHODS = ("npp", "hold_growth")


def extend_population(population: xr.DataArray, to_year: int, *, method: str = "npp", ratios=None) -> xr.DataArray:
    """Carry a population cube forward to ``to_year`` (module docstring)."""
    validate_cube(population)
    years = [int(y) for y in population["year"].values]
    last = years[-1]
    if isinstance(to_year, bool) or not isinstance(to_year, (int, np.integer)):
        raise SpecError(f"the year to extend to must be a year such as 2050, not {to_year!r}")
    to_year = check_year(int(to_year), what="the year to extend to")
    if to_year < years[0]:
        raise SpecError(f"the end year {to_year} is before the projection's start ({years[0]})")
    if to_year <= last:
        return population
    new = list(range(last + 1, to_year + 1))
    base = population.sel(year=last)
    if ratios is not None:
        r = _ratios(ratios)
        missing = [(s, int(a)) for s in population["sex"].values for a in population["age"].values
                   if s not in r["sex"].values or int(a) not in r["age"].values]
        if missing:
            raise InputError(f"the ratios have no value for {missing[0][0]}, age {missing[0][1]}")
        growth = r.sel(sex=population["sex"], age=population["age"])
        steps = xr.DataArray(np.arange(1, len(new) + 1), dims="year", coords={"year": new})
        factor = growth ** steps
        how = "a given ratio per age × sex each year"
    elif method == "npp":
        _check_england(population)
        factor = national_ratio(new, last, int(population.attrs["open_top_age"]))
        how = (f"each area × sex × single age × the ONS 2022-based national projection for England's ratio to {last} "
               "(the ukpopulation method)")
    elif method == "hold_growth":
        if len(years) < 2 or years[-2] != last - 1:
            raise SpecError("hold_growth needs the last two years of the projection")
        prev = population.sel(year=last - 1)
        growth = xr.where(prev > 0, base / prev, 1.0)
        factor = growth ** xr.DataArray(np.arange(1, len(new) + 1), dims="year", coords={"year": new})
        how = f"each area × sex × age keeps its {last - 1}-{last} growth"
    else:
        raise SpecError(f"unknown extension method {method!r} (use {' or '.join(METHODS)}, or give ratios)")
    extended = (base * factor).transpose(*population.dims)
    out = xr.concat([population, extended], dim="year", coords="minimal", compat="override").transpose(*population.dims)
    out = out.assign_coords(area_name=("area", population["area_name"].values))
    out = _regroup(out, population, new)
    out.name = population.name
    out.attrs = dict(population.attrs)
    out.attrs["extended"] = f"years {last + 1}-{to_year} extended beyond the projection ({how})"
    return out


def _check_england(pop: xr.DataArray) -> None:
    """Extension by the national projection needs English areas (the NPP shipped is England's)."""
    groups = area_groups(pop)
    other = [str(a) for a in pop["area"].values if not str(a).startswith("E") and str(a) not in groups]
    if other:
        raise SpecError(f"area {other[0]} is not in England: forecast ships England's national projection only "
                        "(give ratios=, or method='hold_growth')")


def _regroup(out: xr.DataArray, population: xr.DataArray, new: list[int]) -> xr.DataArray:
    """A group (county) stays the sum of its extended members."""
    groups = area_groups(population)
    if not groups:
        return out
    out = out.copy()
    for g, members in groups.items():
        if g in out["area"].values and all(m in out["area"].values for m in members):
            out.loc[dict(area=g, year=new)] = out.sel(area=list(members), year=new).sum("area")
    return out
