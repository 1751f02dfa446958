"""A :class:`~forecast.output.table.Table` as HTML markup: the ``<table>`` and its notes.

* Columns side by side in each period ("2025 constant rates", "2025 falling", "2025
  difference") get a two-row header: the period once over its columns (``colgroup``), then
  each column's own label.  A table with one column per period keeps a one-row header.
* An interval ("10,370 (9,360–11,330)") sits in its cell after the figure, in a
  ``<span class="ci">`` that a style sheet can put on a line of its own.
* Block rows (the measure) head a ``<tbody>``; total rows have ``class="total"``.

Headers use ``scope`` (HTML Living Standard, "The th element") so that screen readers
announce each cell's row and column.  Everything shown is escaped.
"""

from __future__ import annotations

import html
import re
from typing import Iterable, Sequence

__all__ = ["STYLE", "table_markup"]

#: The rules a page needs for this markup (the report has its own, fuller sheet).
STYLE = (
    "table{border-collapse:collapse}caption{font-weight:bold;text-align:left;padding:.5em 0}"
    "th,td{padding:.25em .75em;border-bottom:1px solid #ddd;vertical-align:top}td{text-align:right}"
    "thead th{vertical-align:bottom}thead th[scope=colgroup]{text-align:center}"
    "td .ci{display:block;font-size:.82em;color:#555}"
    "tr.block th{text-align:left;background:#eee}tr.total{font-weight:bold}th[scope=row]{text-align:left;font-weight:normal}"
    "tr.total th{font-weight:bold}.note{font-size:.85em;color:#333}"
)

_PERIOD_HEAD = re.compile(r"^(\d{4}(?:/\d{2})?) (\S.*)$")
_INTERVAL = re.compile(r"^([^()]+?) (\([^()]+\))$")


def _esc(text) -> str:
    return html.escape(str(text), quote=True)


def _groups(header: Sequence[str]) -> list[tuple[str | None, list[str]]]:
    """Consecutive columns of one period ("2025 x", "2025 y") as (period, [x, y]); any
    other column as (None, [label])."""
    groups: list[tuple[str | None, list[str]]] = []
    for h in header:
        m = _PERIOD_HEAD.match(h)
        if m and groups and groups[-1][0] == m.group(1):
            groups[-1][1].append(m.group(2))
        elif m:
            groups.append((m.group(1), [m.group(2)]))
        else:
            groups.append((None, [h]))
    return groups


def head_markup(header: Sequence[str]) -> str:
    """The ``<thead>``: one row, or two when some period has more than one column."""
    groups = _groups([str(h) for h in header])
    if not any(period is not None and len(cols) > 1 for period, cols in groups):
        return "\n".join(["<thead><tr><th></th>", *(f'<th scope="col">{_esc(h)}</th>' for h in header), "</tr></thead>"])
    top, below = ['<th rowspan="2"></th>'], []
    for period, cols in groups:
        if period is None or len(cols) == 1:
            text = cols[0] if period is None else f"{period} {cols[0]}"
            top.append(f'<th scope="col" rowspan="2">{_esc(text)}</th>')
        else:
            top.append(f'<th scope="colgroup" colspan="{len(cols)}">{_esc(period)}</th>')
            below += [f'<th scope="col">{_esc(c)}</th>' for c in cols]
    return f"<thead><tr>{''.join(top)}</tr>\n<tr>{''.join(below)}</tr></thead>"


def cell_markup(text) -> str:
    """A ``<td>``: the figure, and its interval (if any) in a ``span.ci``."""
    m = _INTERVAL.match(str(text))
    if m is None:
        return f"<td>{_esc(text)}</td>"
    return f'<td>{_esc(m.group(1))}<span class="ci"> {_esc(m.group(2))}</span></td>'


def table_markup(caption: str, header: Sequence[str], rows: Iterable[tuple], notes: Sequence[str]) -> str:
    """The ``<table>`` and its notes.  ``rows`` are :meth:`Table._rows`' ``(block, area,
    cells, is_total)``: a row with no area starts a block."""
    out = ['<table class="forecast-table">', f"<caption>{_esc(caption)}</caption>", head_markup(header)]
    open_body = False
    for block, area, cells, is_total in rows:
        if area is None:
            if open_body:
                out.append("</tbody>")
            out.append(f'<tbody><tr class="block"><th scope="rowgroup" colspan="{len(header) + 1}">{_esc(block)}</th></tr>')
            open_body = True
            continue
        if not open_body:
            out.append("<tbody>")
            open_body = True
        cls = ' class="total"' if is_total else ""
        out.append(f'<tr{cls}><th scope="row">{_esc(area)}</th>' + "".join(cell_markup(c) for c in cells) + "</tr>")
        if is_total:
            out.append("</tbody>")
            open_body = False
    if open_body:
        out.append("</tbody>")
    out.append("</table>")
    return "\n".join(out) + "\n" + "".join(f'<p class="note">{_esc(n)}</p>' for n in notes)
