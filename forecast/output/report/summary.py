"""The report's summary: one line per block of the first table — its total (or its one row)
in the first and last year and the change, each as the table shows it.

Moved from ``forecast/output/report.py`` (its "summary" section).
"""

from __future__ import annotations

import re
from typing import Sequence

from ..table import TOTAL, Table
from ..tables import PER_100

#: How :func:`forecast.table` labels a block of rates per 100 people (left out of summaries).
PER_100_SUFFIX = PER_100

#: Most areas a summary line names; with more it says "the N areas" (its total), and a
#: table of more areas without a total gets no line per area (the table lists them).
MAX_NAMED = 8


def _change_years(table: Table) -> tuple[str, str] | None:
    col = table.change_column
    m = re.fullmatch(r"Change (.+) to (.+)", col or "")
    return (m.group(1), m.group(2)) if m else None


def _names(items: Sequence[str]) -> str:
    items = list(dict.fromkeys(items))
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def summary_lines(table: Table, *, rows: str = "Area", comparators: Sequence[str] = ()) -> list[str]:
    """One line per block of ``table`` (a measure; in the band or sex layout, a measure in one
    area): its total (or its one row) in the first and last year — the change column's years
    when there is one — and the change, each as the table shows it.  The areas of a total are
    named up to :data:`MAX_NAMED` of them ("the 153 areas" beyond)."""
    periods = table.periods
    if not periods:
        return []
    years = _change_years(table)
    y0, y1 = years if years and years[0] in periods and years[1] in periods else (periods[0], periods[-1])
    cells = table.formatted()
    out = []
    for block in dict.fromkeys(table.data.index.get_level_values(0)):
        if str(block).endswith(PER_100_SUFFIX):
            continue
        for i, phrase in _block_rows(table, block, rows, comparators):
            row = cells.iloc[i]
            text = f"{phrase}: {row[y0]} in {y0}" + (f", {row[y1]} in {y1}" if y1 != y0 else "")
            if years and table.change_column and row[table.change_column] not in ("", "n/a"):
                text += f" ({row[table.change_column]})"
            out.append(text)
    return out


def _block_rows(table: Table, block, rows: str, comparators: Sequence[str]) -> list[tuple[int, str]]:
    """The rows of ``block`` a summary line is written for, each with its phrase
    ("Dementia in Leicester and Rutland"); none for a comparator's block."""
    codes = list(table.area_codes)
    positions = [i for i, key in enumerate(table.data.index) if key[0] == block]
    if rows != "Area" and codes and all(codes[i] in comparators for i in positions):
        return []  # a comparator's block (England, the region): shown, not summarised
    own = [i for i in positions if not (codes and codes[i] in comparators and rows == "Area")]
    totals = [i for i in own if table.data.index[i][1] == TOTAL]
    members = [i for i in own if not table.is_total(table.data.index[i][1])]
    if rows == "Area":
        labels = [str(table.data.index[i][1]) for i in members]
        if labels and all(": " in x for x in labels):  # rows split by sex or ethnic group: "Leicester: male"
            labels = [x.rpartition(": ")[0] for x in labels]
        many = len(dict.fromkeys(labels)) > MAX_NAMED
        if totals and len(members) > 1:
            return [(totals[0], f"{block} in the {len(dict.fromkeys(labels))} areas" if many
                     else f"{block} in {_names(labels)}")]
        return [] if many else [(i, f"{block} in {table.data.index[i][1]}") for i in members]
    # a block per measure and area: "Dementia: Leicester"
    label, _, area = str(block).rpartition(": ")
    phrase = f"{label} in {area}" if label else str(block)
    return [(totals[0], phrase)] if totals else [(i, f"{phrase}, {table.data.index[i][1]}") for i in members]
