"""Picking what a chart draws out of a result: the measure, its period dim, areas by code
or name, years or financial years, and both sexes — each with an error naming what the
result has instead.

Moved from ``forecast/output/plot.py`` (its "selection" section).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr

from ...errors import SpecError
from ...population import resolve_areas

_PERIOD_DIMS = ("year", "financial_year")
_SUMMED_DIMS = ("sex", "age_band", "age", "ethnicity")


def _as_dataset(result, measure: str) -> xr.Dataset:
    if isinstance(result, xr.Dataset):
        return result
    if isinstance(result, xr.DataArray):
        name = result.name if result.name is not None else measure
        return result.to_dataset(name=str(name))
    raise SpecError(f"expected a forecast result (xarray.Dataset), not {type(result).__name__}")


def _variable(ds: xr.Dataset, measure: str) -> xr.DataArray:
    if measure not in ds.data_vars:
        have = ", ".join(map(str, ds.data_vars)) or "none"
        raise SpecError(f"measure {measure!r} is not in the result; it has: {have}")
    da = ds[measure]
    if "area" not in da.dims:
        raise SpecError(f"measure {measure!r} has no area dim (its dims: {', '.join(map(str, da.dims))})")
    return da


def _period_dim(da: xr.DataArray, what: str) -> str:
    for d in _PERIOD_DIMS:
        if d in da.dims:
            return d
    raise SpecError(f"{what} has no year or financial_year dim (its dims: {', '.join(map(str, da.dims))})")


def _measure(result, measure: str) -> tuple[xr.Dataset, xr.DataArray, str]:
    """The result as a Dataset, the measure's variable and its period dim."""
    ds = _as_dataset(result, measure)
    da = _variable(ds, measure)
    return ds, da, _period_dim(da, measure)


def _at_area_period(ds: xr.Dataset, da: xr.DataArray, pdim: str, area, year) -> tuple[str, object, xr.DataArray]:
    """One area and one period of ``da``: (area code, period label, the selection)."""
    code = _resolve_areas(ds, [area])[0]
    label = _check_period(da, pdim, year)
    return code, label, da.sel(area=code, **{pdim: label})


# ---------------------------------------------------------------------------- areas

def _area_list(obj) -> str:
    codes = [str(c) for c in obj["area"].values]
    names = _area_names(obj, codes)
    items = [c if n == c else f"{c} {n}" for c, n in zip(codes, names)]
    if len(items) > 15:
        items = items[:15] + [f"and {len(items) - 15} more (forecast.find_areas lists them)"]
    return ", ".join(items)


def _resolve_areas(obj, keys) -> list[str]:
    """Area codes for codes or names (any case), in the order given; None: all.

    The lookup is :func:`forecast.population.resolve_areas`; an area the result lacks is
    reported with the result's own areas (not the population's)."""
    codes = [str(c) for c in obj["area"].values]
    if keys is None:
        return codes
    keys = [keys] if isinstance(keys, str) else list(keys)
    if not keys:
        raise SpecError("no areas asked for")
    names = _area_names(obj, codes)
    known = {c.upper() for c in codes} | {n.casefold() for n in names}
    for key in keys:
        k = str(key).strip()
        if k.upper() not in known and k.casefold() not in known:
            raise SpecError(f"area {k!r} is not in the result; it has: {_area_list(obj)}")
    return resolve_areas(obj["area"].assign_coords(area_name=("area", names)), keys)


def _area_names(obj, codes: Sequence[str]) -> list[str]:
    if "area_name" not in obj.coords:
        return list(codes)
    lookup = {str(c): str(n) for c, n in zip(obj["area"].values, obj["area_name"].values)}
    names = [lookup.get(c, c) for c in codes]
    # two areas of the same name (e.g. a district and a county) get their codes too
    return [f"{n} ({c})" if names.count(n) > 1 else n for n, c in zip(names, codes)]


# ---------------------------------------------------------------------------- periods

def _fy_start(label: str) -> int:
    return int(str(label)[:4])


def _available(da: xr.DataArray, pdim: str) -> str:
    vals = [str(v) for v in da[pdim].values]
    if pdim == "year":
        ys = sorted(int(v) for v in vals)
        if ys and ys == list(range(ys[0], ys[-1] + 1)) and len(ys) > 2:
            return f"{ys[0]}-{ys[-1]}"
        return ", ".join(map(str, ys))
    if len(vals) > 4:
        return f"{vals[0]} to {vals[-1]}"
    return ", ".join(vals)


def _calendar_year(have, value):
    """``value`` as one of the years ``have``, or None."""
    try:
        y = int(value)
        ok = not isinstance(value, bool) and float(value) == y
    except (TypeError, ValueError):
        ok = False
    return y if ok and y in [int(v) for v in have] else None


def _financial_year(have, value):
    """``value`` (a label, or its first calendar year) as one of the labels ``have``, or None."""
    labels = [str(v) for v in have]
    if isinstance(value, str) and value.strip() in labels:
        return value.strip()
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        for lab in labels:
            if _fy_start(lab) == int(value):
                return lab
    return None


def _check_period(da: xr.DataArray, pdim: str, value):
    """The coordinate value for a year (int) or financial year (label or first year)."""
    have = list(da[pdim].values)
    found = (_calendar_year if pdim == "year" else _financial_year)(have, value)
    if found is not None:
        return found
    word = "year" if pdim == "year" else "financial year"
    raise SpecError(f"{word} {value!r} is not in the result; it has {_available(da, pdim)}")


def _select_periods(da: xr.DataArray, pdim: str, years) -> xr.DataArray:
    if years is None:
        return da
    if isinstance(years, (str, int, np.integer)):
        years = [years]
    labels = [_check_period(da, pdim, y) for y in years]
    if not labels:
        raise SpecError("no years asked for")
    if len(set(labels)) != len(labels):
        raise SpecError(f"a year is asked for twice: {', '.join(map(str, years))}")
    return da.sel({pdim: labels})


def _check_sexes(da: xr.DataArray, what: str) -> None:
    have = [str(s) for s in da["sex"].values] if "sex" in da.dims else []
    missing = [s for s in ("male", "female") if s not in have]
    if missing:
        got = f"it has sex: {', '.join(have)}" if have else "it has no sex dim"
        raise SpecError(f"{what} needs both sexes (male and female), but {' and '.join(missing)} "
                        f"{'is' if len(missing) == 1 else 'are'} missing; {got}")
