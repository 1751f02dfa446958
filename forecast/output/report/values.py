"""The unrounded values behind a report's tables, as one tidy frame (``data.csv`` and the
workbook's data sheet).

Moved from ``forecast/output/report.py`` (its "data" section).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import pandas as pd
import xarray as xr


def tidy_values(results: Mapping[str, xr.Dataset], *, measures: Sequence[str], labels: Mapping[str, str],
                areas: Sequence[str], periods: Sequence[int | str], level: float = 0.95,
                column: str = "result") -> pd.DataFrame:
    """The unrounded values behind the tables, one row per result, measure, area, period and
    whatever else the results keep (sex, age band, ethnic group).  With draws: ``value`` is
    the median of the draws and ``low``/``high`` the central ``level`` interval."""
    from ..tables import period_values

    frames = []
    for label, ds in results.items():
        names = [n for n in measures if n in ds.data_vars]
        sel = period_values(ds[names].sel(area=list(areas)), periods)
        names_map = dict(zip(map(str, ds["area"].values), map(str, ds["area_name"].values)))
        for n in names:
            df = _frame(sel[n], level)
            df.insert(0, "area_name", df["area"].map(names_map))
            df = df.rename(columns={"area": "area_code"})
            df.insert(0, "measure_label", labels.get(n) or ds[n].attrs.get("long_name", n))
            df.insert(0, "measure", n)
            if len(results) > 1:
                df.insert(0, column, label)
            frames.append(df)
    out = pd.concat(frames, ignore_index=True)
    if out["period"].astype(str).str.fullmatch(r"\d{4}").all():  # mid-years as numbers, financial years as labels
        out["period"] = out["period"].astype(int)
    first = [c for c in (column, "measure", "measure_label", "area_code", "area_name", "period") if c in out.columns]
    rest = [c for c in out.columns if c not in first and c not in ("value", "low", "high")]
    return out[first + rest + [c for c in ("value", "low", "high") if c in out.columns]]


def _frame(da: xr.DataArray, level: float) -> pd.DataFrame:
    """One measure as rows: ``value`` (with draws, their median, and ``low``/``high``)."""
    from ..tables import summarise_draws

    parts = {k: p for k, p in zip(("value", "low", "high"), summarise_draws(da, level)) if p is not None}
    return pd.concat([p.to_dataframe(name=k)[[k]] for k, p in parts.items()], axis=1).reset_index()
