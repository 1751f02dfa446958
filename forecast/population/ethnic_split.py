"""Splitting a population by ethnic group: the cube × an ethnic mix's shares.

Every age gets its band's shares, shares are held at their census values for every year,
and a group area (Leicestershire) is the sum of its members' splits unless the mix has a
row of its own for it; the sum over ethnicity equals the original cube (to floating point).
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import Sequence

import xarray as xr

from ..errors import InputError, SpecError
from .areas import area_groups, leaves, resolve_areas
from .cube import DIMS
from .ethnic_mix import EthnicMix
from .ethnic_read import get_ethnic_mix


def split_by_ethnicity(
    population: xr.DataArray, mix: "EthnicMix | str | PathLike", *, areas: Sequence[str] | None = None
) -> xr.DataArray:
    """The population cube with an ``ethnicity`` dim: population × the mix's shares.

    Each area with a row in the mix gets its own shares; a group area without one (a
    county) is the sum of its members' splits.  An area of the population (of ``areas``, if
    given: codes or names) with no mix is an error.  The sum over ethnicity equals the original cube (to
    floating point).
    """
    mix = get_ethnic_mix(mix)
    if "ethnicity" in population.dims:
        raise SpecError("the population is already split by ethnicity")
    whole = population
    if areas is not None:
        population = population.sel(area=resolve_areas(population, areas))
    pop_areas = [str(a) for a in population["area"].values]
    groups = area_groups(population)
    own, derived = _own_and_derived(population, mix, pop_areas, groups)
    top = int(population.attrs["open_top_age"])
    shares = mix.shares_by_age(population["age"].values, top)
    parts = []
    if own:
        parts.append((population.sel(area=own) * shares.sel(area=own)).transpose(*DIMS, "ethnicity"))
    for g in derived:
        members = leaves(g, groups)
        full = _full_population(whole, members)
        summed = (full * shares.sel(area=members)).sum("area").transpose(*DIMS[1:], "ethnicity")
        summed = summed.expand_dims(area=[g]).assign_coords(area_name=("area", [str(population.sel(area=g)["area_name"].item())]))
        parts.append(summed)
    out = xr.concat(parts, dim="area", coords="minimal", compat="override") if len(parts) > 1 else parts[0]
    out = out.sel(area=pop_areas).transpose(*DIMS, "ethnicity")
    out = out.assign_coords(area_name=("area", population["area_name"].values), ethnicity=out["ethnicity"].values.astype(object))
    out.name = population.name
    out.attrs = _split_attrs(population, mix, derived)
    return out


def _own_and_derived(population: xr.DataArray, mix: EthnicMix, pop_areas: list[str], groups) -> tuple[list[str], list[str]]:
    """The areas with a row in the mix, and the group areas whose members all have one;
    any other area is an error."""
    own = [a for a in pop_areas if a in mix.areas]
    derived = []
    for a in pop_areas:
        if a in own:
            continue
        leaves_ = leaves(a, groups)
        if a in groups and all(x in mix.areas for x in leaves_):
            derived.append(a)
            continue
        name = str(population.sel(area=a)["area_name"].item())
        raise InputError(f"area {a} {name} of the population has no ethnic mix", file=mix.file or None, field="area_code")
    return own, derived


def _split_attrs(population: xr.DataArray, mix: EthnicMix, derived: list[str]) -> dict:
    """The population's attributes, and the mix's provenance."""
    attrs = dict(population.attrs)
    attrs.update(
        ethnic_mix_form=mix.form,
        ethnic_mix_by_age="yes" if mix.by_age else "no",
        ethnic_mix_file=Path(mix.file).name if mix.file else "",
        ethnic_mix_sha256=mix.sha256,
        ethnic_mix_source=mix.source,
        ethnic_groups=", ".join(mix.groups),
    )
    if mix.mapping:
        attrs["ethnic_mapping"] = mix.mapping
    if derived:
        attrs["ethnic_mix_derived_areas"] = ", ".join(derived)
    return attrs


def _full_population(population: xr.DataArray, leaves: Sequence[str]) -> xr.DataArray:
    """The member areas of a group (they may have been left out of an area selection)."""
    have = [str(a) for a in population["area"].values]
    missing = [a for a in leaves if a not in have]
    if missing:
        raise SpecError(f"area(s) {', '.join(missing)} are needed to split a group area but are not in the population")
    return population.sel(area=list(leaves))
