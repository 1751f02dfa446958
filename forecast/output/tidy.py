"""Tidy and NetCDF exports of results (``forecast run``).

:func:`to_tidy_frame` gives the long table ``area_code, area_name, year, sex, age_band,
measure, rate_set, value`` (plus ``ethnicity``, ``draw`` or the summary columns when
present).
"""

from __future__ import annotations

from os import PathLike
from typing import Iterator, Sequence

import pandas as pd
import xarray as xr

from ..errors import SpecError

__all__ = ["to_tidy_frame", "tidy_chunks", "tidy_csv_chunks", "to_netcdf", "CHUNK_ROWS"]


#: Rows of the long table made at a time when it is written out (a kept-draws run holds
#: tens of millions: made at once, its text columns took about 300 bytes a value).
CHUNK_ROWS = 1 << 16


def to_tidy_frame(results: xr.Dataset | Sequence[xr.Dataset]) -> pd.DataFrame:
    """Long table: ``area_code, area_name, year, sex, age_band, [ethnicity], [draw], measure,
    rate_set, value``.

    ``measure`` is the variable's name (the rate set's measure, or the name given to it);
    ``rate_set`` the rate set behind it.  A summarised result (a ``statistic`` dim, from
    draws) has one column per statistic instead of ``value``: ``median`` — the central
    estimate forecast reports everywhere — then ``mean`` and the other quantiles
    (``q0.025``, ``q0.975`` …).  :func:`tidy_chunks` gives the same rows a piece at a time.
    """
    return pd.concat(list(tidy_chunks(results)), ignore_index=True)


def tidy_csv_chunks(results: xr.Dataset | Sequence[xr.Dataset], float_format: str = "%.6f") -> Iterator[str]:
    """The long table as CSV text, a piece of at most about :data:`CHUNK_ROWS` rows at a
    time (the header with the first), so that memory does not grow with the rows written."""
    header = None
    for df in tidy_chunks(results):
        if header is None:
            header = list(df.columns)
            yield df.to_csv(index=False, lineterminator="\n", float_format=float_format)
        else:
            yield df.reindex(columns=header).to_csv(index=False, header=False, lineterminator="\n",
                                                    float_format=float_format)


def tidy_chunks(results: xr.Dataset | Sequence[xr.Dataset]) -> Iterator[pd.DataFrame]:
    """:func:`to_tidy_frame`'s rows in order, in pieces of about :data:`CHUNK_ROWS` rows:
    by dataset, measure, then blocks of areas (or one area's blocks of years)."""
    if isinstance(results, xr.Dataset):
        results = [results]
    for ds in results:
        names = dict(zip(ds["area"].values, ds["area_name"].values))
        for name, da in ds.data_vars.items():
            for piece in _pieces(da):
                yield _long(piece, name, da.attrs.get("rate_set", ""), names, ds.attrs.get("open_top_age"))


def _pieces(da: xr.DataArray) -> Iterator[xr.DataArray]:
    """``da`` in slices of about CHUNK_ROWS rows along its leading dims (area, then the
    period), which keeps the long table's row order."""
    rows = da.size // da.sizes.get("statistic", 1)
    if rows <= CHUNK_ROWS or not da.dims or da.dims[0] != "area":
        yield da
        return
    n_area = da.sizes["area"]
    per_area = rows // n_area
    second = da.dims[1] if da.ndim > 1 and da.dims[1] != "statistic" else None
    if per_area <= CHUNK_ROWS or second is None:
        step = max(1, CHUNK_ROWS // per_area)
        for i in range(0, n_area, step):
            yield da.isel(area=slice(i, i + step))
        return
    step = max(1, CHUNK_ROWS // (per_area // da.sizes[second]))
    for i in range(n_area):
        for j in range(0, da.sizes[second], step):
            yield da.isel({"area": slice(i, i + 1), second: slice(j, j + step)})


def _long(da: xr.DataArray, name: str, rate_set: str, area_names: dict, top) -> pd.DataFrame:
    """One piece of one measure as long rows (summary statistics as columns)."""
    df = da.to_dataframe(name="value").reset_index()
    if "area_name" not in df.columns:
        df["area_name"] = df["area"].map(area_names)
    df = df.rename(columns={"area": "area_code", "financial_year": "year", "age": "age_band"})
    if "age_band" in df.columns and top and df["age_band"].dtype.kind in "iu":
        df["age_band"] = [f"{a}+" if a == int(top) else str(a) for a in df["age_band"]]
    df["measure"] = name
    df["rate_set"] = rate_set
    keys = ["area_code", "area_name", "year", "sex", "age_band"]
    keys = [c for c in keys if c in df.columns] + [c for c in ("ethnicity", "draw") if c in df.columns]
    if "statistic" not in df.columns:
        return df[keys + ["measure", "rate_set", "value"]]
    wide = df.pivot_table(index=keys + ["measure", "rate_set"], columns="statistic", values="value", sort=False)
    stats = list(dict.fromkeys(df["statistic"]))
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
