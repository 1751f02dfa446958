"""Join populations of different years (estimates and a projection) into one cube."""

from __future__ import annotations

import json
from typing import Sequence

import xarray as xr

from ..errors import SpecError
from .areas import area_groups
from .cube import validate_cube

__all__ = ["combine_populations"]


def combine_populations(pops: Sequence[xr.DataArray]) -> xr.DataArray:
    """Join populations of different years (e.g. mid-year estimates for 2011 and 2018 and a
    projection from 2022) into one cube.

    The result has the areas of the population with the fewest (e.g. a projection for three
    councils joined to estimates for every district); every other population must hold them
    all (a missing one is named).  Sexes and ages must agree; a year in two cubes is an
    error.  Provenance is joined; area groups are kept.
    """
    pops = list(pops)
    if not pops:
        raise SpecError("no populations to combine")
    for p in pops:
        validate_cube(p)
    first = min(pops, key=lambda p: p.sizes["area"])
    order = [str(a) for a in first["area"].values]
    seen: dict[int, int] = {}
    for i, p in enumerate(pops):
        lacking = sorted(set(order) - set(map(str, p["area"].values)))
        if lacking:
            raise SpecError(f"populations to combine cover different areas: one lacks {', '.join(lacking[:10])}"
                            + (f" and {len(lacking) - 10} more" if len(lacking) > 10 else ""))
        if int(p.attrs["open_top_age"]) != int(first.attrs["open_top_age"]):
            raise SpecError("populations to combine have different top age groups")
        for y in map(int, p["year"].values):
            if y in seen:
                raise SpecError(f"year {y} is in two of the populations to combine")
            seen[y] = i
    parts = [p.sel(area=order).assign_coords(area_name=("area", first["area_name"].values)) for p in pops]
    out = xr.concat(parts, dim="year", coords="minimal", compat="override", join="exact").sortby("year")
    out.name = "population"
    attrs: dict[str, object] = {"open_top_age": int(first.attrs["open_top_age"])}
    for key in ("title", "publisher", "licence", "source", "sha256", "notes", "source_format", "geography"):
        values = [str(p.attrs[key]) for p in pops if p.attrs.get(key)]
        if values:
            attrs[key] = "; ".join(dict.fromkeys(values))
    groups: dict[str, list[str]] = {}
    for p in pops:
        groups.update({g: m for g, m in area_groups(p).items() if g in order})
    if groups:
        attrs["area_groups"] = json.dumps(groups)
    out.attrs = attrs
    return out
