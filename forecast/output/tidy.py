"""Tidy and NetCDF exports of results (``forecast run``).

:func:`to_tidy_frame` gives the long table ``area_code, area_name, year, sex, age_band,
measure, rate_set, value`` (plus ``ethnicity``, ``draw`` or the summary columns when
present).
"""

from __future__ import annotations

from os import PathLike
from typing import Sequence

import pandas as pd
import xarray as xr

from ..errors import SpecError

__all__ = ["to_tidy_frame", "to_netcdf"]


def to_tidy_frame(results: xr.Dataset | Sequence[xr.Dataset]) -> pd.DataFrame:
    """Long table: ``area_code, area_name, year, sex, age_band, [ethnicity], [draw], measure,
    rate_set, value``.

    ``measure`` is the variable's name (the rate set's measure, or the name given to it);
    ``rate_set`` the rate set behind it.  A summarised result (a ``statistic`` dim, from
    draws) has one column per statistic instead of ``value``: ``median`` — the central
    estimate forecast reports everywhere — then ``mean`` and the other quantiles
    (``q0.025``, ``q0.975`` …).
    """
    if isinstance(results, xr.Dataset):
        results = [results]
    frames = []
    for ds in results:
        for name, da in ds.data_vars.items():
            df = da.to_dataframe(name="value").reset_index()
            if "area_name" not in df.columns:
                df["area_name"] = df["area"].map(dict(zip(ds["area"].values, ds["area_name"].values)))
            df = df.rename(columns={"area": "area_code", "financial_year": "year", "age": "age_band"})
            if "age_band" in df.columns and ds.attrs.get("open_top_age") and df["age_band"].dtype.kind in "iu":
                top = int(ds.attrs["open_top_age"])
                df["age_band"] = [f"{a}+" if a == top else str(a) for a in df["age_band"]]
            df["measure"] = name
            df["rate_set"] = da.attrs.get("rate_set", "")
            frames.append(df)
    out = pd.concat(frames, ignore_index=True)
    keys = ["area_code", "area_name", "year", "sex", "age_band"]
    keys = [c for c in keys if c in out.columns] + [c for c in ("ethnicity", "draw") if c in out.columns]
    if "statistic" not in out.columns:
        return out[keys + ["measure", "rate_set", "value"]]
    wide = out.pivot_table(index=keys + ["measure", "rate_set"], columns="statistic", values="value", sort=False)
    stats = list(dict.fromkeys(out["statistic"]))
    order = (["q0.5"] if "q0.5" in stats else []) + [s for s in stats if s != "q0.5"]
    wide = wide[order].rename(columns={"q0.5": "median"}).reset_index()
    wide.columns.name = None
    return wide


def to_netcdf(results: xr.Dataset | Sequence[xr.Dataset], path: str | PathLike) -> None:
    """Write results as one NetCDF file (measures must share their age bands)."""
    if isinstance(results, xr.Dataset):
        results = [results]
    if len(results) > 1:
        bands = [tuple(r["age_band"].values) if "age_band" in r.dims else None for r in results]
        if len(set(bands)) > 1:
            raise SpecError(
                "these measures have different age bands; give --bands (or --ages) for one NetCDF file",
                field="--bands",
            )
        ds = xr.merge(results, combine_attrs="drop_conflicts")
    else:
        ds = results[0]
    ds = ds.copy()
    for c in ds.coords:
        if ds[c].dtype == object or ds[c].dtype.kind == "U":
            ds[c] = ds[c].astype(str)
    ds.to_netcdf(path, engine="scipy" if _no_netcdf4() else None)


def _no_netcdf4() -> bool:
    try:
        import netCDF4  # noqa: F401
    except ImportError:
        return True
    return False
