"""Raking an ethnic mix to a later all-age total by iterative proportional fitting
(Deming & Stephan 1940), keeping the population's own age × sex totals.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Sequence

import numpy as np
import xarray as xr

from ..ages import AgeBand
from ..errors import SpecError, few
from .areas import area_groups, leaves, resolve_areas
from .ethnic_mix import EthnicMix


def rake(mix: EthnicMix, target: EthnicMix, population: xr.DataArray, *, year: int | None = None,
         areas: Sequence[str] | None = None, tol: float = 1e-10, max_iter: int = 1000) -> EthnicMix:
    """The mix raked to a later all-age ethnic total by iterative proportional fitting
    (Deming & Stephan 1940), keeping the population's own age × sex totals.

    For each area, the table ``population[sex, age] × share[sex, age, group]`` (in ``year``,
    default the population's first) is scaled alternately so that its group totals are the
    target's all-age shares × the area's population, and its (sex, age) totals are the
    population's.  The raked shares are by single year of age and sex, held constant over
    the years like the census shares.  ``mix`` and ``target`` must have the same groups (map
    both first); an area of ``areas`` (default: the mix's areas in the population) with no
    target row, or a group the target counts but the mix has none of in an area, is an error.
    """
    if sorted(mix.groups) != sorted(target.groups):
        raise SpecError(f"the raking target's groups ({', '.join(target.groups)}) differ from the mix's "
                        f"({', '.join(mix.groups)}): map both to the same groups", file=target.file or None)
    top = int(population.attrs["open_top_age"])
    year = int(population["year"].values[0]) if year is None else int(year)
    groups = area_groups(population)
    asked = resolve_areas(population, areas) if areas is not None else mix.areas
    members = [m for a in asked for m in (leaves(a, groups) if a not in mix.areas else [a])]  # a county: its districts
    wanted = [a for a in dict.fromkeys(members) if a in mix.areas and a in population["area"].values]
    lacking = [a for a in wanted if a not in target.areas]
    if lacking:
        raise SpecError(f"the raking target has no row for area(s) {few(lacking)}", file=target.file or None)
    goal = target.all_ages().shares.sel(area=wanted, ethnicity=mix.groups)
    pop = population.sel(area=wanted, year=year).transpose("area", "sex", "age")
    seed = mix.shares_by_age(population["age"].values, top).sel(area=wanted)
    if "sex" not in seed.dims:
        seed = seed.expand_dims(sex=pop["sex"].values)
    seed = seed.transpose("area", "sex", "age", "ethnicity").sel(ethnicity=mix.groups)
    out = np.empty(seed.shape)
    for i, a in enumerate(wanted):
        out[i] = _ipf(pop.values[i], seed.values[i], goal.values[i], a, mix.groups, tol, max_iter)
    shares = xr.DataArray(out, dims=seed.dims, coords={"area": wanted, "sex": pop["sex"].values,
                                                       "age": np.arange(top + 1), "ethnicity": mix.groups})
    shares = shares.rename(age="age_band").assign_coords(
        age_band=[str(a) if a < top else f"{top}+" for a in range(top + 1)])
    bands = tuple(AgeBand(a, a) for a in range(top)) + (AgeBand(top, None),)
    return replace(mix, shares=shares.rename("share"), bands=bands, counts=None,
                   form=f"{mix.form}, raked to {target.form} ({Path(target.file).name if target.file else 'given'}) "
                        f"by iterative proportional fitting on the {year} population")


def _ipf(pop: np.ndarray, seed: np.ndarray, goal: np.ndarray, area: str, groups, tol: float, max_iter: int) -> np.ndarray:
    """Shares ``[sex, age, group]`` whose table with ``pop[sex, age]`` has group totals
    ``goal × Σ pop`` and row totals ``pop``."""
    table = pop[..., None] * seed
    col_target = goal * pop.sum()
    for g, name in enumerate(groups):
        if col_target[g] > 0 and table[..., g].sum() <= 0:
            raise SpecError(f"area {area}: the target counts people of group {name!r}, but the mix has none in any "
                            "age or sex to scale")
    for _ in range(max_iter):
        cols = table.sum(axis=(0, 1))
        table *= np.divide(col_target, cols, out=np.zeros_like(cols), where=cols > 0)
        rows = table.sum(axis=2)
        table *= np.divide(pop, rows, out=np.ones_like(rows), where=rows > 0)[..., None]
        if np.abs(table.sum(axis=(0, 1)) - col_target).max() <= tol * max(pop.sum(), 1.0):
            break
    else:
        raise SpecError(f"area {area}: raking did not converge in {max_iter} iterations")
    rows = table.sum(axis=2, keepdims=True)
    return np.divide(table, rows, out=seed.copy(), where=rows > 0)
