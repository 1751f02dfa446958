"""Scenarios: trends in rates, and populations extended past their last projected year.

**Trends.**  Constant age-specific rates are what POPPI and PANSI assume, and what the
Dementia UK authors call the worst case.  A scenario file (schema
``forecast.scenario/1``) gives a trend — ``rate × (1 + annual_change) ^ (year −
from_year)`` after ``from_year`` — for the rate sets it names, or for every rate set of a
measure::

    schema: forecast.scenario/1
    id: ahmadi_abhari_2017_incidence_fall
    label: Age-specific dementia rates fall 2.7% a year
    applies_to: {measure: dementia}          # or {rate_sets: [cfas_ii_2013, …]}
    trend: {annual_change: -0.027, from_year: 2022}
    source: {citation: "Ahmadi-Abhari S, et al. BMJ 2017;358:j2856"}

A trend can also be a total change over a number of years (CFAS I → II: −21% over 20
years), turned into the annual rate that compounds to it.

**Extending a projection.**  ONS projections stop (the 2022-based SNPP at 2047); a
strategy may run later.  :func:`extend_population` carries the cube forward year by year:

* ``method="hold_growth"`` — each area × sex × single age keeps the growth of the last
  projected year: ``pop[y+1, a] = pop[y, a] × pop[last, a] / pop[last − 1, a]``;
* ``ratios=`` — a user-given national ratio per age × sex (a CSV ``sex, age, ratio``, or
  a DataArray), applied every year: ``pop[y+1, a] = pop[y, a] × ratio[sex, a]``.

Either is a simple assumption, recorded in the cube's ``attrs`` and every table note.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from os import PathLike
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd
import xarray as xr

from ._yaml import check_header, failer, read_yaml
from .assumptions import SCENARIO_SCHEMA, RateSet, Source, Trend, get_rate_set, registry
from .errors import AssumptionError, InputError, SpecError
from .population import area_groups, validate_cube

__all__ = ["Scenario", "load_scenario", "apply_scenario", "extend_population", "CONSTANT"]

#: The name of the baseline: rates held constant.
CONSTANT = "constant"


@dataclass(frozen=True)
class Scenario:
    id: str
    label: str
    trend: Trend
    measure: str | None
    rate_sets: tuple[str, ...]
    source: Source
    path: Path | None = None

    def applies(self, rs: RateSet) -> bool:
        return rs.id in self.rate_sets if self.rate_sets else rs.measure == self.measure


def load_scenario(key: "Scenario | str | PathLike") -> Scenario:
    """A scenario by id (``assumptions/scenarios/``), path, or object."""
    if isinstance(key, Scenario):
        return key
    path = registry.locate(key, SCENARIO_SCHEMA, also=[CONSTANT])
    data, lines = read_yaml(path, error=AssumptionError)
    fail = failer(AssumptionError, path, lines)

    src = check_header(data, fail, path, schema=SCENARIO_SCHEMA, kind="a scenario",
                       keys={"schema", "id", "label", "applies_to", "trend", "source"})
    applies = data.get("applies_to")
    if not isinstance(applies, dict) or len(applies) != 1 or not ({"measure", "rate_sets"} & set(applies)):
        raise fail("must be {measure: name} or {rate_sets: [ids]}", "applies_to")
    rate_sets = tuple(applies.get("rate_sets") or ())
    for i, rid in enumerate(rate_sets):
        try:
            get_rate_set(rid)
        except AssumptionError as e:
            raise fail(e.message, "applies_to", "rate_sets", i) from None
    trend = Trend.parse(data.get("trend"), fail, "trend")
    source = Source(**{k: " ".join(str(v).split()) for k, v in src.items() if k in Source.__dataclass_fields__})
    trend = replace(trend, source=trend.source or source.citation)
    return Scenario(id=data["id"], label=str(data.get("label", data["id"])), trend=trend,
                    measure=applies.get("measure"), rate_sets=rate_sets, source=source, path=path)


def apply_scenario(rate_sets: Mapping[str, RateSet], scenario: "Scenario | str | PathLike | None") -> dict[str, RateSet]:
    """Rate sets with the scenario's trend (``None`` or ``"constant"``: unchanged).

    A scenario that applies to none of the rate sets is an error (it would change nothing).
    """
    if scenario is None or scenario == CONSTANT:
        return dict(rate_sets)
    sc = load_scenario(scenario)
    out = {n: (replace(rs, trend=sc.trend) if sc.applies(rs) else rs) for n, rs in rate_sets.items()}
    if all(out[n] is rate_sets[n] for n in rate_sets):
        what = f"rate sets {', '.join(sc.rate_sets)}" if sc.rate_sets else f"measure '{sc.measure}'"
        raise SpecError(f"scenario '{sc.id}' applies to {what}, and none of the rate sets here ({', '.join(rs.id for rs in rate_sets.values())}) is one")
    return out


def _ratios(ratios: Any) -> xr.DataArray:
    if isinstance(ratios, xr.DataArray):
        return ratios
    path = Path(ratios)
    from .readers._common import parse_sex, read_bytes, read_csv_text, require_columns, to_numbers

    df = read_csv_text(read_bytes(path), file=str(path))
    cols = require_columns(df, ["sex", "age", "ratio"], file=str(path))
    lines = pd.Series(np.arange(len(df)) + 2, index=df.index)
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
