"""Population variants: "what if migration is high?" for any subnational projection.

An area's population under a variant is its projection × NPP_variant / NPP_principal, per
sex × single age × year, with the ONS 2018-based national population projections for
England, principal and 17 variants (high and low migration, fertility and life expectancy,
old and young age structure, zero net migration …; ``population/england/``).  This is the
method of ``ukpopulation``'s ``create_variant`` (Smith A., nismod/ukpopulation, 2019).

The ratios are 2018-based and applied to the 2022-based SNPP: they carry the variant's
relative effect, not its level; every table note says so.
"""

from __future__ import annotations

import xarray as xr

from ..errors import SpecError, brief
from .cube import validate_cube
from .extend import _check_england
from .national import variant_names, variant_ratio

__all__ = ["variant", "variant_names", "check_variant", "PRINCIPAL"]

PRINCIPAL = "principal"


def check_variant(name) -> dict[str, str]:
    """Refuse a name that is not a variant (before any population is read); the variants."""
    if not isinstance(name, str):
        raise SpecError(f"a variant is a name such as high_migration, not {brief(name)}")
    names = variant_names()
    if name not in names:
        raise SpecError(f"unknown population variant {brief(name)} (known: {', '.join(names)})")
    return names


def variant(population: xr.DataArray, name: str) -> xr.DataArray:
    """The population under a variant (module docstring); ``"principal"`` gives it back."""
    validate_cube(population)
    names = check_variant(name)
    if name == PRINCIPAL:
        return population
    _check_england(population)
    ratio = variant_ratio(name, population["year"].values, int(population.attrs["open_top_age"]))
    out = (population * ratio).transpose(*population.dims)
    out = out.assign_coords(area_name=("area", population["area_name"].values))
    out.name = population.name
    out.attrs = dict(population.attrs)
    out.attrs["variant"] = (f"{names[name]} variant: × the ONS 2018-based national projection for England's "
                            f"{names[name].lower()} variant ÷ its principal projection, by sex, single age and year "
                            "(2018-based ratios applied to this projection)")
    return out
