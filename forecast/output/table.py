"""A table ready to render: unrounded values, intervals, title and notes, in Markdown, CSV,
HTML and Excel.

Values are rounded for display only (half away from zero, not banker's rounding): totals
and percentage changes are computed from unrounded values (POPPI practice), and the note
says so.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["Table", "TOTAL", "round_half_up"]

TOTAL = "Total"


def _decimals(to: float) -> int:
    """The decimals a rounding to ``to`` shows: 1 → 0, 0.1 → 1, 0.05 → 2."""
    return max(0, -int(np.floor(np.log10(to)))) if to < 1 else 0


def round_half_up(x: np.ndarray | float, to: float = 1) -> np.ndarray:
    """Round to the nearest multiple of ``to``, halves away from zero (not banker's).

    A decimal half is a half even where binary floating point stores it a hair below
    (1.45 is 1.4499999999999999556…): values within a relative 1e-9 of a half go up.
    """
    x = np.asarray(x, dtype=float)
    decimals = _decimals(to)
    steps = np.abs(x) / to
    return np.round(np.sign(x) * np.floor(steps + 0.5 + 1e-9 * np.maximum(steps, 1.0)) * to, decimals + 6).round(decimals)


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
    rate_rows: list[bool] = field(default_factory=list)  # rows of rates (per 100 people): shown to 0.1

    # ------------------------------------------------------------ views
    @property
    def periods(self) -> list[str]:
        """The count columns (everything but the percentage columns)."""
        return [c for c in self.values.columns if c not in self.percent_columns and c not in self.share_columns]

    @property
    def change_column(self) -> str | None:
        return next((c for c in self.percent_columns if c.startswith("Change ")), None)

    def row_round(self, i: int) -> float:
        """The rounding of row ``i``: ``round_to`` for counts, 0.1 for rates per 100 people."""
        return 0.1 if self.rate_rows and self.rate_rows[i] else self.round_to

    def _rounded(self, frame: pd.DataFrame) -> pd.DataFrame:
        df = frame.copy()
        values = df[self.periods].to_numpy(dtype=float, copy=True)
        for to in {self.row_round(i) for i in range(len(df))}:
            rows = [i for i in range(len(df)) if self.row_round(i) == to]
            values[rows] = round_half_up(values[rows], to)
        df[self.periods] = values
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

    def _fmt_value(self, v: float, to: float | None = None) -> str:
        if np.isnan(v):
            return ""
        to = self.round_to if to is None else to
        return f"{v + 0.0:,.{_decimals(to)}f}".replace("-0" if v == 0 else "\0", "0")

    @staticmethod
    def _fmt_change(v: float) -> str:
        if np.isnan(v):
            return "n/a"
        return "0.0%" if round(v, 1) == 0 else f"{v:+.1f}%"  # never "-0.0%"

    def _fmt(self, col: str, v: float, to: float | None = None) -> str:
        if col in self.share_columns:
            return "" if np.isnan(v) else f"{v:.1f}%"
        return self._fmt_change(v) if col in self.percent_columns else self._fmt_value(v, to)

    def _rows(self):
        """(block, area, [cells], is_total) with formatted cells, block header first.
        With intervals a cell reads ``value (low–high)``."""
        data, low, high = self.data, self.data_low, self.data_high
        for i, (key, row) in enumerate(data.iterrows()):
            block, area = key
            if i == 0 or data.index[i - 1][0] != block:
                yield block, None, None, False
            cells, to = [], self.row_round(i)
            for c in self.header:
                text = self._fmt(c, row[c], to)
                if low is not None and not np.isnan(row[c]) and low.iloc[i][c] != high.iloc[i][c]:
                    # no interval where the rates have no published uncertainty (low = high)
                    lo, hi = (self._fmt(c, x.iloc[i][c], to).lstrip("+") for x in (low, high))
                    text += f" ({lo}{' to ' if lo.startswith('-') or hi.startswith('-') else '–'}{hi})"
                cells.append(text)
            yield block, area, cells, self.is_total(area)

    @property
    def header(self) -> list[str]:
        return list(self.values.columns)

    def formatted(self) -> pd.DataFrame:
        """The cells as shown in every format (``"3,050"``, ``"+42.6%"``, ``"3,050 (2,800–3,310)"``),
        indexed like :attr:`data`."""
        rows = [cells for _, area, cells, _ in self._rows() if area is not None]
        return pd.DataFrame(rows, index=self.data.index, columns=self.header)

    def is_total(self, area) -> bool:
        """Whether a row label is a total row (``Total`` or ``Total: group``)."""
        return area == TOTAL or str(area).startswith(TOTAL + ":")

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
        if all(self.row_round(i) >= 1 for i in range(len(data))):
            data[ints] = data[ints].astype("Int64")
        else:  # counts and rates per 100 in one column: each row with its own decimals (11360, 7.1)
            for c in ints:
                data[c] = [self._csv_number(v, self.row_round(i)) for i, v in enumerate(data[c].to_numpy())]
        return data.rename(columns={c: c.replace(pc, f"{pc} (%)", 1) for c in data.columns
                                    for pc in self.percent_columns + self.share_columns if c.startswith(pc)})

    @staticmethod
    def _csv_number(v: float, to: float) -> str:
        if np.isnan(v):
            return ""
        return f"{v + 0.0:.{_decimals(to)}f}"

    def _measure_per_row(self):
        """The measure (variable name) of each row."""
        return list(self.measures)

    def to_csv(self, path: str | PathLike | None = None) -> str | None:
        text = self.to_frame().to_csv(index=False, lineterminator="\n")
        if path is None:
            return text
        Path(path).write_text(text, encoding="utf-8")
        return None

    def to_html(self, *, full: bool = True, caption: str | None = None) -> str:
        """The table as HTML: a whole page (``full``) or the table and its notes; ``caption``
        replaces the title in the table's caption (a report numbers its tables).  Markup:
        :mod:`forecast.output.table_html` (periods grouped over their columns side by side,
        intervals in a ``span.ci``)."""
        from .table_html import STYLE, table_markup

        body = table_markup(caption or self.title, self.header, self._rows(), self.notes)
        if not full:
            return body
        return (
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(self.title)}</title><style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}"
            f"{STYLE}</style></head><body>\n{body}\n</body></html>\n"
        )

    def to_excel(self, path: str | PathLike) -> None:
        """Write an .xlsx workbook: title, the table with block and total rows, notes.  The
        same table gives the same bytes (the workbook's dates are fixed: see
        :func:`forecast.output.workbook.save_workbook`)."""
        from openpyxl import Workbook

        from .workbook import save_workbook

        wb = Workbook()
        wb.active.title = "Table"
        self.write_sheet(wb.active)
        save_workbook(wb, path)

    def write_sheet(self, ws) -> None:
        """Fill an openpyxl worksheet with this table."""
        from openpyxl.styles import Alignment, Font
        from openpyxl.utils import get_column_letter

        from .workbook import sheet_columns, write_value

        ws.cell(row=1, column=1, value=self.title).font = Font(bold=True, size=12)
        r = 3
        columns = sheet_columns(self)
        for j, (c, suffix, _) in enumerate(columns, start=2):
            cell = ws.cell(row=r, column=j, value=c + suffix)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="right", wrap_text=True)
        data = self.data
        for i, (block, area) in enumerate(data.index):
            if i == 0 or data.index[i - 1][0] != block:
                r += 1
                ws.cell(row=r, column=1, value=block).font = Font(bold=True)
            r += 1
            bold = self.is_total(area)
            ws.cell(row=r, column=1, value=area).font = Font(bold=bold)
            for j, (c, _, frame) in enumerate(columns, start=2):
                write_value(ws, r, j, self, i, c, frame).font = Font(bold=bold)
        r += 1
        for n in self.notes:
            r += 1
            ws.cell(row=r, column=1, value=n).alignment = Alignment(wrap_text=False)
        ws.column_dimensions["A"].width = max(14, min(45, max(len(str(a)) for a in data.index.get_level_values(1)) + 2))
        for j in range(2, len(columns) + 2):
            ws.column_dimensions[get_column_letter(j)].width = 14
        ws.freeze_panes = "B4"

    def __str__(self) -> str:
        return self.to_markdown()

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _repr_html_(self) -> str:
        return self.to_html(full=False)


def _md(text: str) -> str:
    return str(text).replace("|", "\\|")


