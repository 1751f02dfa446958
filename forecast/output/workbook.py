"""The XLSX report: one sheet per table, the unrounded data, the notes and the charts.

Sheets, in order:

- ``Table 1``, ``Table 2``…: the table as published (rounded), one row per table row with
  the measure, the row label (area, age band or sex) and the **area code beside it**, so the
  sheet can be filtered, sorted and looked up; the header frozen with the label columns, an
  autofilter over the rows, counts formatted ``#,##0``, changes ``+0.0%`` (stored as the
  fraction shown: 0.443, not 0.44299999999999995); the title above and the notes below.
- ``Data``: the tidy, **unrounded** values behind the tables (with draws: the median and
  the interval), frozen header and autofilter.
- ``Notes``: every table's notes, the method, every citation and the provenance (sha256
  of the rate-set and population files, forecast version, seed, date).
- ``Charts``: each chart as a PNG image, under its title.

The same inputs give the same bytes: the workbook's created and modified dates are the
report's date (:func:`forecast.output.provenance.report_date`), and every member of the
zip archive gets one fixed timestamp (:func:`save_workbook`).
"""

from __future__ import annotations

import datetime as _dt
import io
import zipfile
from os import PathLike
import numpy as np
import pandas as pd


__all__ = ["save_workbook", "write_table_sheet", "write_data_sheet", "write_workbook", "sheet_name", "excel_number"]

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip member can carry
_BAD_SHEET_CHARS = str.maketrans({c: " " for c in "[]:*?/\\"})


def sheet_name(text: str, used: set[str] | None = None) -> str:
    """An Excel sheet name: at most 31 characters, none of ``[]:*?/\\``, unique in ``used``."""
    base = " ".join(str(text).translate(_BAD_SHEET_CHARS).split())[:31] or "Sheet"
    name, n = base, 1
    while used is not None and name.lower() in {u.lower() for u in used}:
        n += 1
        name = f"{base[:31 - len(str(n)) - 1]} {n}"
    if used is not None:
        used.add(name)
    return name


def excel_number(v: float, *, percent: bool = False) -> float | int | None:
    """A value as stored in a spreadsheet cell: ``None`` for NaN, a percentage as a fraction
    (44.3 → 0.443, not 0.44299999999999995), whole numbers as ints."""
    if v is None or np.isnan(v):
        return None
    x = round(float(v) / 100, 10) if percent else round(float(v), 10)
    return int(x) if x.is_integer() and abs(x) < 2**53 and not percent else x + 0.0


def _workbook_date() -> _dt.datetime:
    from .provenance import report_date

    return _dt.datetime.fromisoformat(report_date())


def save_workbook(wb, path: str | PathLike) -> None:
    """Save an openpyxl workbook so that the same content gives the same bytes: the
    document's created/modified dates set to the report date (not the clock), and every zip
    member stamped 1980-01-01 in a fixed order."""
    from openpyxl.writer.excel import ExcelWriter

    when = _workbook_date()
    wb.properties.created = when
    wb.properties.modified = when
    wb.properties.creator = "forecast"
    wb.properties.lastModifiedBy = None
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()  # (openpyxl's save_workbook would stamp "modified" with the clock)
    fixed = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src, \
            zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o600 << 16
            dst.writestr(member, src.read(info.filename))
    with open(path, "wb") as fh:
        fh.write(fixed.getvalue())


def count_format(round_to: float) -> str:
    if round_to >= 1:
        return "#,##0"
    return "#,##0." + "0" * max(1, -int(np.floor(np.log10(round_to))))


def sheet_columns(table) -> list[tuple[str, str, pd.DataFrame]]:
    """The value columns of a table's sheet, as ``(column, suffix, frame)``: each column of
    the table, with intervals followed by its ``" low"`` and ``" high"`` columns."""
    frames = [("", table.data)] + ([(" low", table.data_low), (" high", table.data_high)] if table.low is not None else [])
    return [(c, suffix, frame) for c in table.header for suffix, frame in frames]


def write_value(ws, r: int, j: int, table, i: int, c: str, frame: pd.DataFrame):
    """Row ``i`` of column ``c`` of ``frame`` into cell (r, j), with its number format: a
    percentage ``+0.0%`` (a share ``0.0%``), a count as the row is rounded."""
    pct = c in table.percent_columns or c in table.share_columns
    cell = ws.cell(row=r, column=j, value=excel_number(frame.iloc[i][c], percent=pct))
    cell.number_format = ("0.0%" if c in table.share_columns else "+0.0%;-0.0%;0.0%") if pct else \
        count_format(table.row_round(i))
    return cell


def write_table_sheet(ws, table, *, rows: str = "Area") -> None:
    """A :class:`~forecast.output.table.Table` as a filterable sheet: title; header ``Measure | <rows> | Area code | years… |
    change``; one row per table row (totals bold); notes below.  Header and label columns
    frozen; an autofilter over the header and rows."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws.cell(row=1, column=1, value=table.title).font = Font(bold=True, size=12)
    columns = sheet_columns(table)
    head = 3
    labels = ["Measure", rows, "Area code"] + [c + suffix for c, suffix, _ in columns]
    fill = PatternFill("solid", fgColor="EEEEEE")
    for j, text in enumerate(labels, start=1):
        cell = ws.cell(row=head, column=j, value=text)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(horizontal="left" if j <= 3 else "right", vertical="bottom", wrap_text=True)
    codes = list(table.area_codes) or [""] * len(table.data)
    r = head
    for i, (block, label) in enumerate(table.data.index):
        r += 1
        bold = table.is_total(label)
        font = Font(bold=bold)
        for j, value in enumerate((block, label, codes[i] or None), start=1):
            ws.cell(row=r, column=j, value=value).font = font
        for j, (c, _, frame) in enumerate(columns, start=4):
            write_value(ws, r, j, table, i, c, frame).font = font
    last = r
    r += 1
    for note in table.notes:
        r += 1
        ws.cell(row=r, column=1, value=note)
    ws.freeze_panes = ws.cell(row=head + 1, column=4).coordinate
    ws.auto_filter.ref = f"A{head}:{get_column_letter(len(labels))}{max(last, head)}"
    ws.column_dimensions["A"].width = max(12, min(50, max((len(str(b)) for b, _ in table.data.index), default=10) + 2))
    ws.column_dimensions["B"].width = max(10, min(40, max((len(str(a)) for _, a in table.data.index), default=8) + 2))
    ws.column_dimensions["C"].width = 12
    for j in range(4, len(labels) + 1):
        ws.column_dimensions[get_column_letter(j)].width = 14


def write_data_sheet(ws, frame: pd.DataFrame) -> None:
    """A tidy frame as it is (unrounded numbers), with a frozen header and an autofilter."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    for j, c in enumerate(frame.columns, start=1):
        ws.cell(row=1, column=j, value=str(c)).font = Font(bold=True)
    numeric = [frame[c].dtype.kind in "fiu" for c in frame.columns]
    for i, row in enumerate(frame.itertuples(index=False), start=2):
        for j, (v, num) in enumerate(zip(row, numeric), start=1):
            if num:
                v = None if pd.isna(v) else (int(v) if isinstance(v, (np.integer, int)) else float(v))
            else:
                v = None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
            ws.cell(row=i, column=j, value=v)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(max(1, len(frame.columns)))}{max(1, len(frame) + 1)}"
    for j, c in enumerate(frame.columns, start=1):
        ws.column_dimensions[get_column_letter(j)].width = max(10, min(40, len(str(c)) + 4))


def _notes_rows(report) -> list[tuple[str, str]]:
    from .notes import draws_text
    from .provenance import file_checksums

    rows: list[tuple[str, str]] = [("Title", report.title)]
    rows += [("Summary", line) for line in report.summary]
    for s in report.sections:
        rows.append((s.name, s.table.title))
        rows += [(s.name, n) for n in s.table.notes]
    for heading, paragraphs in report.method:
        rows += [(f"Method: {heading}", t) for t in paragraphs]
    p = report.provenance
    for c in p.get("citations", []):
        rows.append((f"Citation: {c['what']}" + (f" {c['id']}" if c.get("id") else ""), c["citation"]))
    rows.append(("Provenance: forecast version", str(p.get("forecast_version", ""))))
    rows.append(("Provenance: date", str(p.get("date", ""))))
    if p.get("spec"):
        rows.append((f"Provenance: spec {p['spec']['name']}", f"sha256 {p['spec']['sha256']}"))
    rows.append(("Provenance: seed", "none (no draws)" if p.get("seed") is None else str(p["seed"])))
    if p.get("uncertainty"):
        rows.append(("Provenance: draws", draws_text(p["uncertainty"]["draws"])))
    for what, file, digest in file_checksums(p):
        rows.append((f"Provenance: {what[:1].lower()}{what[1:]}", f"{file} sha256 {digest}".strip()))
    return rows


def write_workbook(report, path: str | PathLike) -> None:
    """Write a :class:`forecast.output.report.Report` as the XLSX report (see the module
    docstring) to ``path``.  (This module imports neither the report nor the table module:
    the table module imports it to write its own sheet.)"""
    from openpyxl import Workbook
    from openpyxl.drawing.image import Image
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    used: set[str] = set()
    first = True
    for s in report.sections:
        ws = wb.active if first else wb.create_sheet()
        first = False
        ws.title = sheet_name(s.name, used)
        write_table_sheet(ws, s.table, rows=s.rows)
    write_data_sheet(wb.create_sheet(sheet_name("Data", used)), report.data)
    ws = wb.create_sheet(sheet_name("Notes", used))
    for j, text in enumerate(("Item", "Text"), start=1):
        ws.cell(row=1, column=j, value=text).font = Font(bold=True)
    for i, (k, v) in enumerate(_notes_rows(report), start=2):
        ws.cell(row=i, column=1, value=k).alignment = Alignment(vertical="top")
        ws.cell(row=i, column=2, value=v).alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 120
    ws.freeze_panes = "A2"
    charts = report.charts
    if charts:
        ws = wb.create_sheet(sheet_name("Charts", used))
        r = 1
        for n, chart in enumerate(charts, start=1):
            ws.cell(row=r, column=1, value=f"Chart {n}: {chart.title}").font = Font(bold=True)
            img = Image(io.BytesIO(chart.image("png", dpi=100)))
            ws.add_image(img, f"A{r + 1}")
            r += 2 + int(np.ceil(img.height / 20)) + 1  # default rows are 20 px high
    save_workbook(wb, path)
