""""Table 1 style" tables: measures × areas, one column per year, % change, totals.

The layout of Table 1 of the 2007 Leicester, Leicestershire and Rutland older
people's mental health strategy: one block per measure (condition), one row per
area plus a total row, one column per chosen year and a "Change Y0 to Y1" column,
a title, and a source note naming each rate set (with its citation) and the
population projection.

:func:`table` builds a :class:`Table` from a projection result
(:func:`forecast.project`); the table renders as Markdown, CSV, XLSX and HTML.
Values are rounded for display only: totals and percentage changes are computed
from unrounded values (POPPI practice), and the note says so.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from .errors import SpecError
from .population import (
    check_disjoint,
    financial_year_label,
    parse_financial_year,
    resolve_areas,
    select_years,
    to_financial_years,
)

__all__ = ["Table", "table", "compare", "round_half_up", "period_values"]

TOTAL = "Total"


def round_half_up(x: np.ndarray | float, to: float = 1) -> np.ndarray:
    """Round to the nearest multiple of ``to``, halves away from zero (not banker's)."""
    x = np.asarray(x, dtype=float)
    decimals = max(0, -int(np.floor(np.log10(to)))) if to < 1 else 0
    return np.round(np.sign(x) * np.floor(np.abs(x) / to + 0.5) * to, decimals + 6).round(decimals)


def _is_fy(p) -> bool:
    return isinstance(p, str) and "/" in p


def period_values(result: xr.Dataset | xr.DataArray, periods: Sequence[int | str]):
    """Select mid-years (ints) or financial years (``"2025/26"``) from a result.

    Returns the object with a ``period`` dim labelled as given (``"2025"`` or
    ``"2025/26"``).  Mixing the two kinds in one call is an error.
    """
    periods = list(periods)
    if not periods:
        raise SpecError("no years given")
    kinds = {_is_fy(p) for p in periods}
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


@dataclass
class Table:
    """A rendered-ready table: ``values`` (unrounded), ``data`` (as shown), title, notes.

    ``data`` has a two-level row index ``(block, area)`` — the block is the measure
    label, the area an area name or ``"Total"`` — and one column per period plus the
    change column (a percentage).  ``area_codes`` maps each row to its GSS code
    (empty for totals).
    """

    values: pd.DataFrame
    title: str
    notes: list[str]
    round_to: float = 1
    percent_columns: list[str] = field(default_factory=list)
    area_codes: list[str] = field(default_factory=list)
    measures: list[str] = field(default_factory=list)
    low: pd.DataFrame | None = None
    high: pd.DataFrame | None = None
    interval_level: float | None = None
    share_columns: list[str] = field(default_factory=list)  # unsigned percentages, e.g. a ratio of 66.7%

    # ------------------------------------------------------------ views
    @property
    def periods(self) -> list[str]:
        """The count columns (everything but the percentage columns)."""
        return [c for c in self.values.columns if c not in self.percent_columns and c not in self.share_columns]

    @property
    def change_column(self) -> str | None:
        return next((c for c in self.percent_columns if c.startswith("Change ")), None)

    def _rounded(self, frame: pd.DataFrame) -> pd.DataFrame:
        df = frame.copy()
        df[self.periods] = round_half_up(df[self.periods].to_numpy(), self.round_to)
        pct = self.percent_columns + self.share_columns
        if pct:
            df[pct] = round_half_up(df[pct].to_numpy(), 0.1)
        return df

    @property
    def data(self) -> pd.DataFrame:
        """The table as shown: counts rounded to ``round_to``, percentages to 0.1."""
        return self._rounded(self.values)

    @property
    def data_low(self) -> pd.DataFrame | None:
        return self._rounded(self.low) if self.low is not None else None

    @property
    def data_high(self) -> pd.DataFrame | None:
        return self._rounded(self.high) if self.high is not None else None

    def _fmt_value(self, v: float) -> str:
        if np.isnan(v):
            return ""
        decimals = max(0, -int(np.floor(np.log10(self.round_to)))) if self.round_to < 1 else 0
        return f"{v + 0.0:,.{decimals}f}".replace("-0" if v == 0 else "\0", "0")

    @staticmethod
    def _fmt_change(v: float) -> str:
        if np.isnan(v):
            return "n/a"
        return f"{v:+.1f}%"

    def _fmt(self, col: str, v: float) -> str:
        if col in self.share_columns:
            return "" if np.isnan(v) else f"{v:.1f}%"
        return self._fmt_change(v) if col in self.percent_columns else self._fmt_value(v)

    def _rows(self):
        """(block, area, [cells], is_total) with formatted cells, block header first.
        With intervals a cell reads ``value (low–high)``."""
        data, low, high = self.data, self.data_low, self.data_high
        for i, (key, row) in enumerate(data.iterrows()):
            block, area = key
            if i == 0 or data.index[i - 1][0] != block:
                yield block, None, None, False
            cells = []
            for c in self.header:
                text = self._fmt(c, row[c])
                if low is not None and not np.isnan(row[c]) and low.iloc[i][c] != high.iloc[i][c]:
                    # no interval where the rates have no published uncertainty (low = high)
                    text += f" ({self._fmt(c, low.iloc[i][c]).lstrip('+')}–{self._fmt(c, high.iloc[i][c]).lstrip('+')})"
                cells.append(text)
            yield block, area, cells, area == TOTAL or str(area).startswith(TOTAL + ":")

    @property
    def header(self) -> list[str]:
        return list(self.values.columns)

    # ------------------------------------------------------------ renderers
    def to_markdown(self) -> str:
        lines = [f"**{self.title}**", ""]
        lines.append("| | " + " | ".join(self.header) + " |")
        lines.append("|---|" + "|".join("---:" for _ in self.header) + "|")
        for block, area, cells, is_total in self._rows():
            if area is None:
                lines.append(f"| **{_md(block)}** |" + " |" * len(self.header))
            elif is_total:
                lines.append(f"| **{_md(area)}** | " + " | ".join(f"**{c}**" for c in cells) + " |")
            else:
                lines.append(f"| {_md(area)} | " + " | ".join(cells) + " |")
        lines.append("")
        lines.extend(f"{_md(n)}  " if i < len(self.notes) - 1 else _md(n) for i, n in enumerate(self.notes))
        return "\n".join(lines) + "\n"

    def to_frame(self) -> pd.DataFrame:
        """Flat DataFrame for CSV: measure, area_code, area_name, periods…, change."""
        data = self.data.reset_index()
        data.columns = ["measure_label", "area_name", *data.columns[2:]]
        data.insert(0, "measure", [m for m in self._measure_per_row()])
        data.insert(2, "area_code", self.area_codes)
        if self.low is not None:
            for name, frame in (("low", self.data_low), ("high", self.data_high)):
                for c in self.header:
                    data[f"{c} {name}"] = frame[c].to_numpy()
            order = list(data.columns[:4]) + [f"{c}{s}" for c in self.header for s in ("", " low", " high")]
            data = data[order]
        ints = [c for c in data.columns if any(c == p or c.startswith(p + " ") for p in self.periods)
                and not any(c.startswith(q) for q in self.percent_columns + self.share_columns)]
        if self.round_to >= 1:
            data[ints] = data[ints].astype("Int64")
        return data.rename(columns={c: c.replace(pc, f"{pc} (%)", 1) for c in data.columns
                                    for pc in self.percent_columns + self.share_columns if c.startswith(pc)})

    def _measure_per_row(self):
        labels = list(dict.fromkeys(self.values.index.get_level_values(0)))
        by_label = dict(zip(labels, self.measures))
        return [by_label[b] for b in self.values.index.get_level_values(0)]

    def to_csv(self, path: str | PathLike | None = None) -> str | None:
        text = self.to_frame().to_csv(index=False, lineterminator="\n")
        if path is None:
            return text
        Path(path).write_text(text, encoding="utf-8")
        return None

    def to_html(self, *, full: bool = True) -> str:
        esc = html.escape
        out = ['<table class="forecast-table">', f"<caption>{esc(self.title)}</caption>", "<thead><tr><th></th>"]
        out += [f'<th scope="col">{esc(h)}</th>' for h in self.header]
        out.append("</tr></thead>")
        for block, area, cells, is_total in self._rows():
            if area is None:
                out.append(f'<tbody><tr class="block"><th scope="rowgroup" colspan="{len(self.header) + 1}">{esc(block)}</th></tr>')
                continue
            cls = ' class="total"' if is_total else ""
            out.append(f'<tr{cls}><th scope="row">{esc(area)}</th>' + "".join(f"<td>{esc(c)}</td>" for c in cells) + "</tr>")
            if is_total:
                out.append("</tbody>")
        if not out[-1] == "</tbody>":
            out.append("</tbody>")
        out.append("</table>")
        notes = "".join(f"<p class=\"note\">{esc(n)}</p>" for n in self.notes)
        body = "\n".join(out) + "\n" + notes
        if not full:
            return body
        style = (
            "body{font-family:sans-serif;max-width:60em;margin:2em auto}"
            "table{border-collapse:collapse}caption{font-weight:bold;text-align:left;padding:.5em 0}"
            "th,td{padding:.25em .75em;border-bottom:1px solid #ddd}td{text-align:right}"
            "tr.block th{text-align:left;background:#eee}tr.total{font-weight:bold}th[scope=row]{text-align:left;font-weight:normal}"
            "tr.total th{font-weight:bold}.note{font-size:.85em;color:#333}"
        )
        return (
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{esc(self.title)}</title><style>{style}</style></head><body>\n{body}\n</body></html>\n"
        )

    def to_excel(self, path: str | PathLike) -> None:
        """Write an .xlsx workbook: title, the table with block and total rows, notes."""
        from openpyxl import Workbook

        wb = Workbook()
        wb.active.title = "Table"
        self.write_sheet(wb.active)
        wb.save(path)

    def write_sheet(self, ws) -> None:
        """Fill an openpyxl worksheet with this table."""
        from openpyxl.styles import Alignment, Font
        from openpyxl.utils import get_column_letter

        ws.cell(row=1, column=1, value=self.title).font = Font(bold=True, size=12)
        r = 3
        frames = [("", self.data)] + ([(" low", self.data_low), (" high", self.data_high)] if self.low is not None else [])
        columns = [(c, suffix, frame) for c in self.header for suffix, frame in frames]
        for j, (c, suffix, _) in enumerate(columns, start=2):
            cell = ws.cell(row=r, column=j, value=c + suffix)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="right", wrap_text=True)
        data = self.data
        fmt = "#,##0" if self.round_to >= 1 else "#,##0." + "0" * max(1, -int(np.floor(np.log10(self.round_to))))
        for i, (key, row) in enumerate(data.iterrows()):
            block, area = key
            if i == 0 or data.index[i - 1][0] != block:
                r += 1
                ws.cell(row=r, column=1, value=block).font = Font(bold=True)
            r += 1
            bold = area == TOTAL or str(area).startswith(TOTAL + ":")
            ws.cell(row=r, column=1, value=area).font = Font(bold=bold)
            for j, (c, _, frame) in enumerate(columns, start=2):
                v = frame.iloc[i][c]
                pct = c in self.percent_columns or c in self.share_columns
                cell = ws.cell(row=r, column=j, value=None if np.isnan(v) else (float(v) / 100 if pct else float(v)))
                cell.number_format = ("0.0%" if c in self.share_columns else "+0.0%;-0.0%;0.0%") if pct else fmt
                cell.font = Font(bold=bold)
        r += 1
        for n in self.notes:
            r += 1
            ws.cell(row=r, column=1, value=n).alignment = Alignment(wrap_text=False)
        ws.column_dimensions["A"].width = max(14, min(45, max(len(str(a)) for a in data.index.get_level_values(1)) + 2))
        for j in range(2, len(columns) + 2):
            ws.column_dimensions[get_column_letter(j)].width = 14

    def __str__(self) -> str:
        return self.to_markdown()

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _repr_html_(self) -> str:
        return self.to_html(full=False)


def _md(text: str) -> str:
    return str(text).replace("|", "\\|")


def _label(p) -> str:
    return financial_year_label(parse_financial_year(p)) if _is_fy(p) else str(p)


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
        result, names, labels=dict(zip(names, block_labels)), round_to=round_to, financial=any(_is_fy(p) for p in periods)
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
    all_notes += footer_notes(first, round_to=round_to, financial=any(_is_fy(p) for p in periods))
    return Table(values=values, title=title, notes=all_notes, round_to=round_to,
                 percent_columns=list(dict.fromkeys(pct_cols)), area_codes=row_codes, measures=names)


def _default_title(result, names, codes, periods, labels) -> str:
    what = " and ".join((labels or {}).get(n) or result[n].attrs.get("long_name", n) for n in names)
    span = f"{periods[0]} to {periods[-1]}" if len(periods) > 1 else periods[0]
    return f"{what}: projections, {span}"


def source_notes(
    result: xr.Dataset,
    names: Sequence[str],
    *,
    labels: Mapping[str, str] | None = None,
    round_to: float = 1,
    financial: bool = False,
) -> list[str]:
    """The note under a table: population, each rate set with its citation, rounding."""
    return (
        population_notes(result)
        + measure_notes(result, names, labels=labels)
        + footer_notes(result, round_to=round_to, financial=financial)
    )


def population_notes(result: xr.Dataset) -> list[str]:
    a = result.attrs
    pop = a.get("population_title") or a.get("population_source", "population as given")
    parts = [pop] + [a[k] for k in ("population_publisher", "population_licence") if a.get(k)]
    notes = ["Population: " + "; ".join(parts) + "."]
    if a.get("population_notes"):
        notes.append("Areas: " + a["population_notes"] + ".")
    if a.get("derived_measures"):
        notes.append(f"Derived measures: {a['derived_measures'].split(' (')[0]} — {a.get('derived_measures_citation', '')}".rstrip(".") + ".")
    if a.get("ethnic_mix_form"):
        line = f"Ethnic mix: {a['ethnic_mix_form']}, {a.get('ethnic_mix_file', '')}"
        if a.get("ethnic_mapping"):
            line += f", grouped with {a['ethnic_mapping']}"
        if a.get("ethnic_mix_source"):
            line += f" — {a['ethnic_mix_source']}"
        notes.append(line.rstrip(". ") + "; shares held constant over the years.")
        if "all-age" in a["ethnic_mix_form"]:
            from .ethnicity import ALL_AGE_WARNING

            notes.append("Caution: " + ALL_AGE_WARNING + ".")
    return notes


def measure_notes(result: xr.Dataset, names: Sequence[str], *, labels: Mapping[str, str] | None = None) -> list[str]:
    notes = []
    for n in names:
        v = result[n].attrs
        label = (labels or {}).get(n) or v.get("long_name", n)
        if v.get("derivation"):
            notes.append(f"{v['derivation'].rstrip('.')}. Source: {v.get('citation', '').rstrip('.')}.")
            continue
        notes.append(f"{label}: rate set {v.get('rate_set', n)} — {v.get('citation', 'no citation')}".rstrip(".") + ".")
        if v.get("open_top_note"):
            notes.append(f"{v['open_top_note'].rstrip('.')}.")
        if v.get("trend"):
            notes.append(f"Scenario ({v.get('rate_set', n)}): {v['trend']}.")
        if v.get("relative_risks"):
            line = (
                f"Ethnic adjustment ({label}): relative risks {v['relative_risks']}, {v.get('relative_risks_mode')} mode, "
                f"reference {v.get('relative_risks_reference')} — {v.get('relative_risks_citation', '')}".rstrip(".")
            )
            if v.get("ethnic_groups_without_ratio"):
                line += f". No published ratio, given 1: {v['ethnic_groups_without_ratio']}"
            notes.append(line + ".")
    return notes


def footer_notes(result: xr.Dataset, *, round_to: float = 1, financial: bool = False) -> list[str]:
    rounding = f"nearest {round_to:g}" if round_to != 1 else "nearest whole number"
    notes = [
        f"Figures are rounded to the {rounding}; totals and percentage changes are worked out before rounding, "
        "so rows may not add up exactly."
    ]
    if financial:
        notes.append("Financial years (April-March) are 0.75 × mid-year Y + 0.25 × mid-year Y+1 (interpolated).")
    notes.append(f"Produced with forecast {result.attrs.get('forecast_version', '')}.")
    return notes
