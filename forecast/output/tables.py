""""Table 1 style" tables: measures × areas, one column per year, % change, totals.

The layout of Table 1 of the 2007 Leicester, Leicestershire and Rutland older people's
mental health strategy: one block per measure (condition), one row per area plus a total
row, one column per chosen year and a "Change Y0 to Y1" column, a title, and a source
note naming each rate set (with its citation) and the population projection.

:func:`table` builds a :class:`~forecast.output.table.Table` from a projection result;
:func:`compare` puts several results side by side.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from ..errors import SpecError
from ..periods import financial_year_label, is_financial, parse_financial_year
from ..population import check_disjoint, resolve_areas, select_years, to_financial_years
from .notes import footer_notes, measure_notes, population_notes, source_notes
from .table import TOTAL, Table

__all__ = ["table", "compare", "period_values"]


def period_values(result: xr.Dataset | xr.DataArray, periods: Sequence[int | str]):
    """Select mid-years (ints) or financial years (``"2025/26"``) from a result.

    Returns the object with a ``period`` dim labelled as given (``"2025"`` or
    ``"2025/26"``).  Mixing the two kinds in one call is an error.
    """
    periods = list(periods)
    if not periods:
        raise SpecError("no years given")
    kinds = {is_financial(p) for p in periods}
    if len(kinds) > 1:
        raise SpecError("mix of mid-years and financial years: give all as 2025 or all as 2025/26")
    if kinds == {True}:
        labels = [financial_year_label(parse_financial_year(p)) for p in periods]
        out = to_financial_years(result, labels).rename(financial_year="period")
    else:
        ys = []
        for p in periods:
            try:
                ys.append(int(p))
            except (TypeError, ValueError):
                raise SpecError(f"{p!r} is not a year (2025) or a financial year (2025/26)") from None
        labels = [str(y) for y in ys]
        out = select_years(result, ys).rename(year="period").assign_coords(period=labels)
    if len(set(labels)) != len(labels):
        raise SpecError("a year is given twice")
    return out


def _label(p) -> str:
    return financial_year_label(parse_financial_year(p)) if is_financial(p) else str(p)


def _block_labels(result: xr.Dataset, names: Sequence[str], labels: Mapping[str, str] | None) -> list[str]:
    out = [(labels or {}).get(n) or result[n].attrs.get("long_name") or n for n in names]
    if len(set(out)) != len(out):  # two rate sets of one measure: tell them apart
        out = [f"{lab} ({result[n].attrs.get('rate_set', n)})" if out.count(lab) > 1 else lab for lab, n in zip(out, names)]
    return out


def _check_measures(result, measures) -> list[str]:
    if not isinstance(result, xr.Dataset):
        raise SpecError("tables need the Dataset returned by forecast.project()")
    names = list(measures) if measures is not None else list(result.data_vars)
    for n in names:
        if n not in result.data_vars:
            raise SpecError(f"unknown measure {n!r} (the result has: {', '.join(result.data_vars)})")
    return names


def _layout(result, measures, areas, totals: bool, round_to: float):
    """The measures (blocks) and area codes (rows) of a table, checked."""
    names = _check_measures(result, measures)
    if round_to <= 0:
        raise SpecError(f"round_to must be positive, not {round_to}")
    codes = resolve_areas(result, areas) if areas is not None else [str(a) for a in result["area"].values]
    if totals:
        check_disjoint(result, codes)
    return names, codes


def _row_array(da: xr.DataArray, codes: Sequence[str], area_names: Mapping[str, str], *, totals: bool, by: str | None):
    """One measure as ``(row, period[, draw])``: areas (× groups) and total rows; labels; codes."""
    keep = {"area", "period", "draw"} | ({by} if by else set())
    if by and by not in da.dims:
        raise SpecError(f"the result has no '{by}' dimension to break the table down by")
    da = da.sum([d for d in da.dims if d not in keep])
    parts, labels, row_codes = [], [], []
    if not by:
        parts.append(da.sel(area=list(codes)).rename(area="row"))
        labels += [area_names[c] for c in codes]
        row_codes += list(codes)
        if totals:
            parts.append(da.sum("area").expand_dims(row=[TOTAL]))
            labels.append(TOTAL)
            row_codes.append("")
    else:
        groups = [str(g) for g in da[by].values]
        for c in codes:
            parts.append(da.sel(area=c).rename({by: "row"}))
            labels += [f"{area_names[c]}: {g}" for g in groups]
            row_codes += [c] * len(groups)
        if totals:
            parts.append(da.sum("area").rename({by: "row"}))
            labels += [f"{TOTAL}: {g}" for g in groups]
            parts.append(da.sum(["area", by]).expand_dims(row=[TOTAL]))
            labels.append(TOTAL)
            row_codes += [""] * (len(groups) + 1)
    parts = [p.drop_vars([c for c in p.coords if c not in ("period", "draw")]) for p in parts]
    arr = xr.concat(parts, dim="row", coords="minimal", compat="override").assign_coords(row=np.arange(len(labels)))
    return arr.transpose("row", "period", *(["draw"] if "draw" in arr.dims else [])), labels, row_codes


def _frames(arr: xr.DataArray, labels: Sequence[str], level: float):
    """(central, low, high) DataFrames from (row, column[, draw]); low/high None without draws."""
    def frame(x):
        df = x.transpose("row", "column").to_pandas()
        df.index = list(labels)
        df.columns = list(arr["column"].values)
        return df

    if "draw" not in arr.dims:
        return frame(arr), None, None
    a = (1 - level) / 2
    return frame(arr.median("draw")), frame(arr.quantile(a, "draw").drop_vars("quantile")), frame(arr.quantile(1 - a, "draw").drop_vars("quantile"))


def _pct(new, old):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(old > 0, 100.0 * (new - old) / old, np.nan)


def table(
    result: xr.Dataset,
    *,
    years: Sequence[int | str],
    change: tuple[int | str, int | str] | None = None,
    areas: Sequence[str] | None = None,
    measures: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    totals: bool = True,
    round_to: float = 1,
    title: str | None = None,
    notes: Sequence[str] = (),
    by: str | None = None,
    level: float = 0.95,
) -> Table:
    """Build a "Table 1 style" table from a projection result.

    Parameters
    ----------
    result
        A :func:`forecast.project` result (one variable per measure).
    years
        Columns: mid-years (``2025``) or financial years (``"2025/26"``).
    change
        ``(y0, y1)``: adds a column "Change y0 to y1" with ``100 × (v1 - v0) / v0``.
    areas
        Rows (codes or names), in order; default: every area of the result.
    measures, labels
        Which variables (blocks), in order, and their block labels (default: each
        variable's ``long_name``).
    totals
        Add a total row per block.  Areas that overlap (a county and one of its
        districts) cannot be totalled and raise :class:`SpecError`.
    round_to
        Display rounding (1, 10, 100 or 0.1 …); totals and changes use unrounded values.
    by
        ``"ethnicity"`` (or another dim of the result): one row per area and group,
        with a total row per group.
    level
        With a result that has draws (:func:`forecast.simulate`): cells show the
        median and this interval, ``value (low–high)``.
    """
    names, codes = _layout(result, measures, areas, totals, round_to)
    periods = list(years)
    if change is not None and len(change) != 2:
        raise SpecError("change needs two years: (from, to)")
    extra = [p for p in (change or ()) if _label(p) not in {_label(q) for q in periods}]
    sel = period_values(result[names].sel(area=codes), periods + extra)
    shown = [_label(p) for p in periods]
    change_col = f"Change {_label(change[0])} to {_label(change[1])}" if change is not None else None
    area_names = dict(zip(map(str, result["area"].values), map(str, result["area_name"].values)))
    block_labels = _block_labels(result, names, labels)

    blocks, lows, highs, row_codes = [], [], [], []
    for n, label in zip(names, block_labels):
        arr, row_labels, rc = _row_array(sel[n], codes, area_names, totals=totals, by=by)
        row_codes += rc
        cols = [arr.sel(period=p).expand_dims(column=[p]) for p in shown]
        if change_col:
            v0, v1 = arr.sel(period=_label(change[0])), arr.sel(period=_label(change[1]))
            cols.append(xr.where(v0 > 0, 100.0 * (v1 - v0) / v0, np.nan).expand_dims(column=[change_col]))
        cols = [c.drop_vars("period", errors="ignore") for c in cols]
        central, low, high = _frames(xr.concat(cols, dim="column"), row_labels, level)
        for df, out in ((central, blocks), (low, lows), (high, highs)):
            if df is not None:
                df.index = pd.MultiIndex.from_product([[label], df.index], names=["measure", "area"])
                out.append(df)
    values = pd.concat(blocks)
    values.columns.name = None
    low = pd.concat(lows) if lows else None
    high = pd.concat(highs) if highs else None

    title = title or _default_title(result, names, codes, shown, labels)
    all_notes = list(notes) + source_notes(
        result, names, labels=dict(zip(names, block_labels)), round_to=round_to, financial=any(is_financial(p) for p in periods)
    )
    if low is not None:
        a = result.attrs
        all_notes.insert(len(notes), (
            f"Uncertainty: each cell is the median of {a.get('draws', '?')} draws (seed {a.get('seed', '?')}) with its "
            f"{level:.0%} interval (the {100 * (1 - level) / 2:g}th to {100 - 100 * (1 - level) / 2:g}th percentiles); "
            "totals and changes are worked out within each draw. Rates drawn: " + a.get("uncertainty", "") + "."
        ))
    return Table(values=values, title=title, notes=all_notes, round_to=round_to,
                 percent_columns=[change_col] if change_col else [], area_codes=row_codes, measures=names,
                 low=low, high=high, interval_level=level if low is not None else None)


def compare(
    results: Mapping[str, xr.Dataset],
    *,
    years: Sequence[int | str],
    areas: Sequence[str] | None = None,
    measures: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    difference: bool = True,
    totals: bool = True,
    round_to: float = 1,
    title: str | None = None,
    notes: Sequence[str] = (),
) -> Table:
    """Side by side: the same measures and areas from several results, per year.

    ``results`` maps a column label to a projection (e.g. ``{"without": …, "with": …}``
    for the ethnic adjustment, or one entry per rate set).  Columns are
    ``"<year> <label>"`` for each year and label; with two results and
    ``difference=True`` a ``"<year> difference"`` column gives ``100 × (second −
    first) / first``.  Every result must have the measures asked for.
    """
    if len(results) < 2:
        raise SpecError("compare() needs at least two results")
    keys = list(results)
    first = results[keys[0]]
    names, codes = _layout(first, measures, areas, totals, round_to)
    for k in keys[1:]:
        _check_measures(results[k], names)
    periods = list(years)
    shown = [_label(p) for p in periods]
    area_names = dict(zip(map(str, first["area"].values), map(str, first["area_name"].values)))
    block_labels = _block_labels(first, names, labels)
    sels = {k: period_values(results[k][names].sel(area=codes), periods) for k in keys}

    blocks, row_codes, pct_cols = [], [], []
    for n, label in zip(names, block_labels):
        frames = {}
        for k in keys:
            arr, row_labels, rc = _row_array(sels[k][n], codes, area_names, totals=totals, by=None)
            if "draw" in arr.dims:
                arr = arr.median("draw")
            df_k = arr.transpose("row", "period").to_pandas()
            df_k.index, df_k.columns = row_labels, [str(c) for c in arr["period"].values]
            frames[k] = (df_k, rc)
        df = pd.DataFrame(index=frames[keys[0]][0].index)
        for p in shown:
            for k in keys:
                df[f"{p} {k}"] = frames[k][0][p]
            if difference and len(keys) == 2:
                col = f"{p} difference"
                df[col] = _pct(df[f"{p} {keys[1]}"], df[f"{p} {keys[0]}"])
                pct_cols.append(col)
        row_codes += frames[keys[0]][1]
        df.index = pd.MultiIndex.from_product([[label], df.index], names=["measure", "area"])
        blocks.append(df)
    values = pd.concat(blocks)
    values.columns.name = None
    title = title or f"{' and '.join(block_labels)}: {' vs '.join(keys)}, {shown[0]}" + (f" to {shown[-1]}" if len(shown) > 1 else "")
    all_notes = list(notes)
    if difference and len(keys) == 2:
        all_notes.append(f"Difference: 100 × ({keys[1]} − {keys[0]}) / {keys[0]}.")
    seen: set[str] = set()
    for k in keys:
        for n in population_notes(results[k]) + measure_notes(results[k], names, labels=dict(zip(names, block_labels))):
            if n not in seen:  # say shared sources once; prefix what differs
                all_notes.append(n if k == keys[0] else f"[{k}] {n}")
                seen.add(n)
    all_notes += footer_notes(first, round_to=round_to, financial=any(is_financial(p) for p in periods))
    return Table(values=values, title=title, notes=all_notes, round_to=round_to,
                 percent_columns=list(dict.fromkeys(pct_cols)), area_codes=row_codes, measures=names)


def _default_title(result, names, codes, periods, labels) -> str:
    what = " and ".join((labels or {}).get(n) or result[n].attrs.get("long_name", n) for n in names)
    span = f"{periods[0]} to {periods[-1]}" if len(periods) > 1 else periods[0]
    return f"{what}: projections, {span}"


