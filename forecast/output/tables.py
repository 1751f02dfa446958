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
from .notes import footer_notes, measure_notes, population_notes, source_notes, uncertainty_note
from .layout import Layout, blocks
from .table import Table

__all__ = ["table", "compare", "period_values", "summarise_draws", "PER_100"]

#: The label ending of a block of rates per 100 people in the age group.
PER_100 = " per 100 people in the age group"


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


def summarise_draws(da: xr.DataArray, level: float):
    """``(median, low, high)`` over the draws, low and high the central ``level`` interval;
    without a ``draw`` dim, ``(da, None, None)``."""
    if "draw" not in da.dims:
        return da, None, None
    a = (1 - level) / 2
    return da.median("draw"), da.quantile(a, "draw").drop_vars("quantile"), da.quantile(1 - a, "draw").drop_vars("quantile")


def _frames(arr: xr.DataArray, labels: Sequence[str], level: float):
    """(central, low, high) DataFrames from (row, column[, draw]); low/high None without draws."""
    def frame(x):
        if x is None:
            return None
        df = x.transpose("row", "column").to_pandas()
        df.index = list(labels)
        df.columns = list(arr["column"].values)
        return df

    return tuple(frame(x) for x in summarise_draws(arr, level))


def _indexed_frames(arr: xr.DataArray, label: str, rows: Sequence[str], level: float) -> dict[str, pd.DataFrame]:
    """A block's frames by key (``""``, and with draws ``low`` and ``high``), indexed by
    (block label, row)."""
    out = {}
    for key, df in zip(("", "low", "high"), _frames(arr, rows, level)):
        if df is not None:
            df.index = pd.MultiIndex.from_product([[label], df.index], names=["measure", "area"])
            out[key] = df
    return out


def _joined(blocks: Sequence[Mapping[str, pd.DataFrame]]):
    """The blocks' frames one under another: (values, low, high), low and high None when no
    block has draws.  A block without draws beside blocks with them (the population in a
    profile) has no interval: its low and high are its values."""
    values = pd.concat([b[""] for b in blocks])
    values.columns.name = None
    if not any("low" in b for b in blocks):
        return values, None, None
    low, high = (pd.concat([b.get(k, b[""]) for b in blocks]) for k in ("low", "high"))
    return values, low, high


def _pct(new, old):
    """The % change from ``old`` to ``new`` (NaN where ``old`` is not positive)."""
    return xr.where(old > 0, 100.0 * (new - old) / old, np.nan)


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
    rows: str | None = None,
    compare_with: Sequence[str] = (),
    denominators: Mapping[str, xr.DataArray] | None = None,
    level: float = 0.95,
) -> Table:
    """Build a "Table 1 style" table from a projection result.

    Parameters
    ----------
    result
        A :func:`forecast.project` result (one variable per measure), or a
        :func:`forecast.simulate` result with a ``draw`` dim.
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
        Add total rows.  Areas that overlap (a county and one of its districts) cannot be
        totalled and raise :class:`SpecError`.
    round_to
        Display rounding (1, 10, 100 or 0.1 …); totals and changes use unrounded values.
    rows
        ``"area"`` (one block per measure, a row per area), ``"age_band"`` or ``"sex"``
        (POPPI's layout: a block per measure and area, a row per band or sex and a total).
        Default: ``"age_band"`` when the result has several age bands, else ``"area"``.
    by
        ``"sex"`` or ``"ethnicity"``: each row split into one per group, with group totals.
    compare_with
        Areas (codes or names) shown after the total for comparison (a region, England),
        not counted in it.
    denominators
        ``{measure: people in its age group, dims (area, year)}``: adds a block of rates per
        100 people after each such measure's counts (every row, totals included, is the
        ratio of its sums), so that small and large areas read side by side.
    level
        With draws: cells show the median and this interval, ``value (low–high)``.
    """
    names, codes = _layout(result, measures, areas, totals, round_to)
    comparators = resolve_areas(result, compare_with) if compare_with else []
    rows = rows or ("age_band" if any(result[n].sizes.get("age_band", 1) > 1 for n in names) else "area")
    layout = Layout(rows=rows, by=by, totals=totals, comparators=comparators)
    periods = list(years)
    _check_periods(periods, change)
    sel = period_values(result[names].sel(area=codes + comparators), periods)
    shown = [_label(p) for p in periods]
    change_col = f"Change {_label(change[0])} to {_label(change[1])}" if change is not None else None
    area_names = dict(zip(map(str, result["area"].values), map(str, result["area_name"].values)))
    block_labels = _block_labels(result, names, labels)

    frames, row_codes, row_measures, rate_rows = [], [], [], []
    den = period_values(xr.Dataset(dict(denominators)).sel(area=codes + comparators), periods) if denominators else {}
    for n, label in zip(names, block_labels):
        these = blocks(sel[n], label, codes, area_names, layout)
        if n in den:
            these += [_per_100(b, d) for b, d in zip(these, blocks(den[n], label, codes, area_names, layout))]
        for b in these:
            frames.append(_block_frames(b, shown, change, change_col, level))
            row_codes += b.codes
            row_measures += [n] * len(b.rows)
            rate_rows += [b.label.endswith(PER_100)] * len(b.rows)
    values, low, high = _joined(frames)

    title = title or _default_title(result, names, codes, shown, labels)
    all_notes = list(notes) + source_notes(result, names, labels=dict(zip(names, block_labels)), round_to=round_to,
                                           financial=any(is_financial(p) for p in periods), areas=codes + comparators)
    if comparators:
        all_notes.insert(len(notes), f"{' and '.join(area_names[c] for c in comparators)}: shown for comparison, "
                                     "not counted in the total.")
    if low is not None:
        all_notes.insert(len(notes), uncertainty_note(result, level))
    return Table(values=values, title=title, notes=all_notes, round_to=round_to,
                 percent_columns=[change_col] if change_col else [], area_codes=row_codes, measures=row_measures,
                 low=low, high=high, interval_level=level if low is not None else None,
                 rate_rows=rate_rows if any(rate_rows) else [])


def _check_periods(periods: list, change) -> None:
    """Some years; a change between two different years of them."""
    if not periods:
        raise SpecError("no years given")
    if change is None:
        return
    if len(change) != 2:
        raise SpecError("change needs two years: (from, to)")
    shown = {_label(q) for q in periods}
    for p in change:
        if _label(p) not in shown:
            raise SpecError(f"the change year {_label(p)} is not one of the table's years ({', '.join(sorted(shown))})")
    if _label(change[0]) == _label(change[1]):
        raise SpecError(f"the change is between two different years, not {_label(change[0])} and itself")


def _block_frames(b, shown: list[str], change, change_col: str | None, level: float) -> dict[str, pd.DataFrame]:
    """One block's rows: the values (``""``) and, with draws, the interval (``low``, ``high``),
    a column per period and the % change, indexed by (block label, row)."""
    cols = [b.values.sel(period=p).expand_dims(column=[p]) for p in shown]
    if change_col:
        v0, v1 = b.values.sel(period=_label(change[0])), b.values.sel(period=_label(change[1]))
        cols.append(_pct(v1, v0).expand_dims(column=[change_col]))
    cols = [c.drop_vars("period", errors="ignore") for c in cols]
    return _indexed_frames(xr.concat(cols, dim="column"), b.label, b.rows, level)


def _per_100(num, den):
    """A block of rates per 100 people: each row's count ÷ the people in its age group."""
    from .layout import Block

    rate = 100.0 * num.values / den.values.where(den.values > 0)
    return Block(f"{num.label}{PER_100}", rate, num.rows, num.codes, num.totals)


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
    level: float = 0.95,
) -> Table:
    """Side by side: the same measures and areas from several results, per year.

    ``results`` maps a column label to a projection (e.g. ``{"without": …, "with": …}``
    for the ethnic adjustment, or one entry per rate set).  Columns are
    ``"<year> <label>"`` for each year and label; with two results and
    ``difference=True`` a ``"<year> difference"`` column gives ``100 × (second −
    first) / first``.  Every result must have the measures asked for.  With draws (the
    results of :func:`forecast.simulate` with the same seed) cells show the median and the
    ``level`` interval, and each difference is worked out draw by draw.
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

    frames, row_codes, row_measures, pct_cols = [], [], [], []
    two = difference and len(keys) == 2
    for n, label in zip(names, block_labels):
        bs = {k: blocks(sels[k][n], label, codes, area_names, Layout(totals=totals))[0] for k in keys}
        cols = []
        for p in shown:
            v = {k: bs[k].values.sel(period=p).drop_vars("period", errors="ignore") for k in keys}
            cols += [v[k].expand_dims(column=[f"{p} {k}"]) for k in keys]
            if two:  # draw by draw (the results share their draws), then summarised
                v0, v1 = v[keys[0]], v[keys[1]]
                cols.append(_pct(v1, v0).expand_dims(column=[f"{p} difference"]))
                pct_cols.append(f"{p} difference")
        b0 = bs[keys[0]]
        frames.append(_indexed_frames(xr.concat(cols, dim="column"), label, b0.rows, level))
        row_codes += b0.codes
        row_measures += [n] * len(b0.rows)
    values, low, high = _joined(frames)
    title = title or f"{' and '.join(block_labels)}: {' vs '.join(keys)}, {shown[0]}" + (f" to {shown[-1]}" if len(shown) > 1 else "")
    all_notes = list(notes)
    if low is not None:
        all_notes.append(uncertainty_note(first, level))
    if two:
        all_notes.append(f"Difference: 100 × ({keys[1]} − {keys[0]}) / {keys[0]}"
                         + (", worked out draw by draw (both use the same draws of the rates)." if low is not None else "."))
    seen: set[str] = set()
    for k in keys:
        for n in population_notes(results[k], codes) + measure_notes(results[k], names, labels=dict(zip(names, block_labels))):
            if n not in seen:  # say shared sources once; prefix what differs
                all_notes.append(n if k == keys[0] else f"[{k}] {n}")
                seen.add(n)
    all_notes += footer_notes(first, round_to=round_to, financial=any(is_financial(p) for p in periods))
    return Table(values=values, title=title, notes=all_notes, round_to=round_to,
                 percent_columns=list(dict.fromkeys(pct_cols)), area_codes=row_codes, measures=row_measures,
                 low=low, high=high, interval_level=level if low is not None else None)


def _default_title(result, names, codes, periods, labels) -> str:
    what = " and ".join((labels or {}).get(n) or result[n].attrs.get("long_name", n) for n in names)
    span = f"{periods[0]} to {periods[-1]}" if len(periods) > 1 else periods[0]
    return f"{what}: projections, {span}"


