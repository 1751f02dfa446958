"""Extending a population past its projection's last year.

ONS projections stop (the 2022-based SNPP at 2047); a strategy may run later.
:func:`extend_population` carries the cube forward year by year:

* ``method="hold_growth"`` — each area × sex × single age keeps the growth of the last
  projected year: ``pop[y+1, a] = pop[y, a] × pop[last, a] / pop[last − 1, a]``;
* ``ratios=`` — a user-given national ratio per age × sex (a CSV ``sex, age, ratio``, or a
  DataArray), applied every year: ``pop[y+1, a] = pop[y, a] × ratio[sex, a]``.

The method is recorded in the cube's ``attrs`` and every table note.
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
from .readers._common import line_numbers, parse_sex, read_csv_text, require_columns, to_numbers

__all__ = ["extend_population"]


def _ratios(ratios: Any) -> xr.DataArray:
    if isinstance(ratios, xr.DataArray):
        return ratios
    path = Path(ratios)
    df = read_csv_text(read_bytes(path), file=str(path))
    cols = require_columns(df, ["sex", "age", "ratio"], file=str(path), layout="a ratios file")
    lines = line_numbers(df)
    sex = df[cols["sex"]].map(parse_sex)
    if sex.isna().any() or (sex == "persons").any():
        i = int(np.flatnonzero((sex.isna() | (sex == "persons")).to_numpy())[0])
        raise InputError(f"sex {df[cols['sex']].iloc[i]!r} must be male or female", file=path, field="sex", line=int(lines.iloc[i]))
    age = pd.to_numeric(df[cols["age"]].str.rstrip("+"), errors="coerce")
    if age.isna().any():
        i = int(np.flatnonzero(age.isna().to_numpy())[0])
        raise InputError(f"{df[cols['age']].iloc[i]!r} is not an age", file=path, field="age", line=int(lines.iloc[i]))
    ratio = to_numbers(df[cols["ratio"]], file=str(path), field="ratio", lines=lines)
    frame = pd.DataFrame({"sex": sex, "age": age.astype(int), "ratio": ratio})
    if frame.duplicated(["sex", "age"]).any():
        raise InputError("duplicate sex × age rows", file=path)
    return frame.set_index(["sex", "age"])["ratio"].to_xarray()


def extend_population(population: xr.DataArray, to_year: int, *, method: str = "hold_growth", ratios=None) -> xr.DataArray:
    """Carry a population cube forward to ``to_year`` (module docstring)."""
    validate_cube(population)
    years = [int(y) for y in population["year"].values]
    last = years[-1]
    if isinstance(to_year, bool) or not isinstance(to_year, (int, np.integer)):
        raise SpecError(f"the year to extend to must be a year such as 2050, not {to_year!r}")
    if to_year < years[0]:
        raise SpecError(f"the end year {to_year} is before the projection's start ({years[0]})")
    if to_year <= last:
        return population
    if ratios is not None:
        r = _ratios(ratios)
        missing = [(s, int(a)) for s in population["sex"].values for a in population["age"].values
                   if s not in r["sex"].values or int(a) not in r["age"].values]
        if missing:
            raise InputError(f"the ratios have no value for {missing[0][0]}, age {missing[0][1]}")
        growth = r.sel(sex=population["sex"], age=population["age"])
        how = "a given ratio per age × sex each year"
    elif method == "hold_growth":
        if len(years) < 2 or years[-2] != last - 1:
            raise SpecError("hold_growth needs the last two years of the projection")
        prev = population.sel(year=last - 1)
        growth = xr.where(prev > 0, population.sel(year=last) / prev, 1.0)
        how = f"each area × sex × age keeps its {last - 1}-{last} growth"
    else:
        raise SpecError(f"unknown extension method {method!r} (hold_growth, or give ratios)")
    frames, current = [population], population.sel(year=last)
    for y in range(last + 1, to_year + 1):
        current = current * growth
        frames.append(current.expand_dims(year=[y]))
    out = xr.concat(frames, dim="year", coords="minimal", compat="override").transpose(*population.dims)
    out = out.assign_coords(area_name=("area", population["area_name"].values))
    groups = area_groups(population)
    if groups:  # a group (county) stays the sum of its extended members
        new = list(range(last + 1, to_year + 1))
        out = out.copy()
        for g, members in groups.items():
            if all(m in out["area"].values for m in members):
                out.loc[dict(area=g, year=new)] = out.sel(area=list(members), year=new).sum("area")
    out.name = population.name
    out.attrs = dict(population.attrs)
    note = f"years {last + 1}-{to_year} extended beyond the projection ({how})"
    out.attrs["notes"] = "; ".join(filter(None, [population.attrs.get("notes", ""), note]))
    out.attrs["extended"] = note
    return out
