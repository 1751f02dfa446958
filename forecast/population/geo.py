"""Counties, regions and England as areas of any district-level population.

With the shipped lookup (:mod:`forecast.geography`), a cube of districts gets each county,
region and England whose districts it holds in full, as the sum of those districts — no
groups file needed.  A county (or region, England) row that a file already holds beside its
districts is recognised as their sum (checked), so totals never count it twice.  An area
whose districts are only partly present is not made; asking for it names the missing ones.
"""

from __future__ import annotations

import json

import numpy as np
import xarray as xr

from ..errors import InputError
from ..geography import geography
from .areas import AreaGroup, add_groups, area_groups
from .cube import is_lazy

__all__ = ["add_geography", "incomplete_areas", "GEOGRAPHY_NOTE"]

GEOGRAPHY_NOTE = ("counties, regions and England are the sums of their districts (ONS, Local Authority District to "
                  "County and Unitary Authority (April 2023) Lookup in England)")

#: A row already in the file may differ from the sum of its districts by this much per cell
#: (ONS rounds published values; see forecast.population.readers).
TOLERANCE = 1.0


def add_geography(pop: xr.DataArray) -> xr.DataArray:
    """The cube with its complete counties, regions and England added (module docstring)."""
    if pop.attrs.get("geography") or "area" not in pop.dims:
        return pop
    geo = geography()
    have = [str(a) for a in pop["area"].values]
    present = set(have)
    districts = [c for c in have if (a := geo.areas.get(c)) is not None and a.is_district]
    if not districts:
        return pop
    parents = {}
    for d in districts:
        a = geo.areas[d]
        for p in (a.county, a.region, a.country):
            if p and p != d:
                parents.setdefault(p, geo.areas[p])
    groups, missing, recorded = [], {}, area_groups(pop)
    for code, area in sorted(parents.items(), key=lambda kv: ("E10", "E12", "E92").index(kv[0][:3]) if kv[0][:3] in ("E10", "E12", "E92") else 3):
        lacking = [d for d in area.districts if d not in present]
        if lacking:
            missing[code] = lacking
        elif code in present:
            _check_row(pop, code, list(area.districts), area.name)
            recorded[code] = list(area.districts)
        else:
            groups.append(AreaGroup(code, area.name, area.districts, "ONS lookup April 2023"))
    out = pop.copy()
    out.attrs["area_groups"] = json.dumps(recorded)
    out = add_groups(out, groups)
    out.attrs["geography"] = GEOGRAPHY_NOTE
    if missing:
        out.attrs["incomplete_areas"] = json.dumps(missing)
    return out


def _check_row(pop: xr.DataArray, code: str, members: list[str], name: str) -> None:
    if is_lazy(pop.data):
        return
    diff = np.abs(pop.sel(area=code).values - pop.sel(area=members).sum("area").values)
    if diff.size and diff.max() > TOLERANCE:
        raise InputError(f"the rows for {code} {name} differ from the sum of its {len(members)} districts by up to "
                         f"{diff.max():,.1f} people: forecast cannot tell which to believe",
                         file=pop.attrs.get("source"))


def incomplete_areas(obj) -> dict[str, list[str]]:
    """Counties, regions or England whose districts the population holds only in part."""
    raw = obj.attrs.get("incomplete_areas")
    return json.loads(raw) if raw else {}
