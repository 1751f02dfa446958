"""The population cube: an :class:`xarray.DataArray` of people by area, year, sex and age.

Dims ``(area, year, sex, age)``, optionally ``ethnicity`` last:

* ``area`` holds GSS codes (``"E06000016"``), with the coordinate ``area_name``;
* ``year`` holds mid-years (30 June) of the estimate or projection;
* ``sex`` is ``"male"`` or ``"female"``;
* ``age`` holds single years ``0..top``; the last is an open group
  (``attrs["open_top_age"]``: 90 means "90 and over").

Provenance lives in ``attrs`` (``title``, ``publisher``, ``licence``, ``source``,
``sha256``, ``notes``) and is carried through every step.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from ..errors import InputError

__all__ = ["DIMS", "SEXES", "PROVENANCE_KEYS", "make_cube", "validate_cube", "is_lazy"]

DIMS = ("area", "year", "sex", "age")
SEXES = ("male", "female")

#: Provenance keys kept in ``attrs`` through every step.
PROVENANCE_KEYS = ("title", "publisher", "licence", "source", "sha256", "notes", "area_groups", "variant", "extended",
                   "comparator",
                   "geography", "vintage", "boundaries", "dataset", "file", "downloaded")


def make_cube(
    values: np.ndarray,
    *,
    areas: Sequence[str],
    area_names: Sequence[str],
    years: Sequence[int],
    ages: Sequence[int],
    open_top_age: int,
    sexes: Sequence[str] = SEXES,
    attrs: Mapping[str, object] | None = None,
) -> xr.DataArray:
    """Build a population cube from a ``(area, year, sex, age)`` array of counts."""
    values = np.asarray(values, dtype=float)
    cube = xr.DataArray(
        values,
        dims=DIMS,
        coords={
            "area": np.asarray(list(areas), dtype=object),
            "area_name": ("area", np.asarray(list(area_names), dtype=object)),
            "year": np.asarray(list(years), dtype=int),
            "sex": np.asarray(list(sexes), dtype=object),
            "age": np.asarray(list(ages), dtype=int),
        },
        name="population",
        attrs={"open_top_age": int(open_top_age), **dict(attrs or {})},
    )
    validate_cube(cube)
    return cube


def is_lazy(data) -> bool:
    return type(data).__module__.startswith("dask")


def validate_cube(pop: xr.DataArray, *, what: str = "population") -> None:
    """Check that ``pop`` is a well-formed cube; raise :class:`InputError` if not."""
    if not isinstance(pop, xr.DataArray):
        raise InputError(f"{what} must be an xarray.DataArray cube, not {type(pop).__name__}")
    required = set(DIMS)
    if not required <= set(pop.dims) or not set(pop.dims) <= required | {"ethnicity"}:
        raise InputError(f"{what} must have dims {DIMS} (optionally 'ethnicity'), not {pop.dims}")
    if "area_name" not in pop.coords:
        raise InputError(f"{what} has no 'area_name' coordinate on 'area'")
    if "open_top_age" not in pop.attrs:
        raise InputError(f"{what} has no attrs['open_top_age'] (the open top age, e.g. 90 for '90 and over')")
    ages = pop["age"].values.astype(int)
    top = int(pop.attrs["open_top_age"])
    if ages.size == 0 or not np.array_equal(ages, np.arange(top + 1)):
        raise InputError(f"{what} ages must be the single years 0..{top} in order ({top} = '{top} and over')")
    bad_sex = set(pop["sex"].values.tolist()) - set(SEXES)
    if bad_sex:
        raise InputError(f"{what} has unknown sex values {sorted(bad_sex)} (expected 'male', 'female')")
    if pd.Index(pop["area"].values).has_duplicates:
        raise InputError(f"{what} has duplicate area codes")
    if pd.Index(pop["year"].values).has_duplicates:
        raise InputError(f"{what} has duplicate years")
    if not is_lazy(pop.data):
        arr = np.asarray(pop.data)
        if not np.isfinite(arr).all():
            raise InputError(f"{what} has missing or infinite values")
        if (arr < 0).any():
            raise InputError(f"{what} has negative values")
