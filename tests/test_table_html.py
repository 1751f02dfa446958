"""A Table's HTML markup (forecast.output.table_html), parsed back with html5lib and
compared with values worked out by hand."""

from __future__ import annotations

import html5lib
import numpy as np
import pandas as pd
import pytest

from forecast.output.table import Table
from forecast.output.table_html import cell_markup, head_markup

pytestmark = pytest.mark.unit

NS = "{http://www.w3.org/1999/xhtml}"


def _text(el) -> str:
    return "".join(el.itertext())


def _parse(fragment: str):
    return html5lib.parseFragment(fragment, treebuilder="etree", namespaceHTMLElements=True)


def _table(**kw) -> Table:
    """Two blocks, side-by-side scenario columns in each year, a total row each."""
    idx = pd.MultiIndex.from_tuples([("Dementia", "Leicester"), ("Dementia", "Total"),
                                     ("Depression <65 & more", "Rutland"), ("Depression <65 & more", "Total")])
    values = pd.DataFrame([[1234.4, 1300.0, 2000.0, 2100.4],
                           [1234.4, 1300.0, 2000.0, 2100.4],
                           [10.0, 11.0, 12.0, 13.0],
                           [10.0, 11.0, 12.0, 13.0]],
                          index=idx, columns=["2025 constant", "2025 falling", "2030 constant", "2030 falling"])
    return Table(values=values, title="T", notes=["a note"], **kw)


def test_one_column_per_period_keeps_a_one_row_header():
    head = _parse("<table>" + head_markup(["2025", "2030", "Change 2025 to 2030"]) + "</table>")
    rows = list(head.iter(f"{NS}tr"))
    assert len(rows) == 1
    assert [(_text(c), c.get("scope")) for c in rows[0]] == [
        ("", None), ("2025", "col"), ("2030", "col"), ("Change 2025 to 2030", "col")]


def test_side_by_side_columns_get_their_period_once_over_them():
    head = _parse("<table>" + head_markup(["2025 a", "2025 b", "2026/27 a", "2026/27 b", "Change"]) + "</table>")
    top, below = [list(tr) for tr in head.iter(f"{NS}tr")]
    assert [(_text(c), c.get("colspan"), c.get("rowspan")) for c in top] == [
        ("", None, "2"), ("2025", "2", None), ("2026/27", "2", None), ("Change", None, "2")]
    assert [_text(c) for c in below] == ["a", "b", "a", "b"]
    assert {c.get("scope") for c in top[1:3]} == {"colgroup"}


def test_a_lone_period_column_keeps_its_whole_label():
    head = _parse("<table>" + head_markup(["2025 a", "2025 b", "2030 a"]) + "</table>")
    top = list(next(head.iter(f"{NS}tr")))
    assert [_text(c) for c in top] == ["", "2025", "2030 a"]


@pytest.mark.parametrize("text, main, interval", [
    ("10,370 (9,360–11,330)", "10,370", " (9,360–11,330)"),
    ("+5.0% (-1.0% to 3.0%)", "+5.0%", " (-1.0% to 3.0%)"),
    ("<5 & x (1–2)", "<5 & x", " (1–2)"),
    ("1,234", "1,234", None),
    ("", "", None),
])
def test_an_interval_goes_in_its_own_span(text, main, interval):
    td = next(_parse("<table><tr>" + cell_markup(text) + "</tr></table>").iter(f"{NS}td"))
    spans = list(td.iter(f"{NS}span"))
    assert (td.text or "") == main
    if interval is None:
        assert spans == []
    else:
        assert [(s.get("class"), _text(s)) for s in spans] == [("ci", interval)]
    assert _text(td) == text  # nothing lost or added


def test_to_html_has_blocks_totals_groups_and_escaped_names():
    t = _table()
    frag = _parse(t.to_html(full=False))
    table = next(frag.iter(f"{NS}table"))
    bodies = list(table.iter(f"{NS}tbody"))
    assert len(bodies) == 2
    # block row, area row, total row in each body; names escaped, not markup
    block = next(bodies[1].iter(f"{NS}th"))
    assert _text(block) == "Depression <65 & more" and block.get("colspan") == "5"
    rows = [[_text(c) for c in tr] for tr in bodies[0].iter(f"{NS}tr")]
    # rounding to whole numbers, half away from zero, by hand
    assert rows[1] == ["Leicester", "1,234", "1,300", "2,000", "2,100"]
    assert [tr.get("class") for tr in bodies[0].iter(f"{NS}tr")] == ["block", None, "total"]
    head_rows = list(next(table.iter(f"{NS}thead")).iter(f"{NS}tr"))
    assert len(head_rows) == 2 and [_text(c) for c in head_rows[1]] == ["constant", "falling"] * 2
    assert [_text(p) for p in frag.iter(f"{NS}p")] == ["a note"]


def test_to_html_puts_intervals_in_spans_and_the_page_styles_them():
    t = _table()
    low, high = t.values * 0.9, t.values * 1.1
    t = _table(low=low, high=high, interval_level=0.95)
    page = t.to_html()
    assert page.startswith("<!DOCTYPE html>") and "td .ci{display:block" in page
    td = next(next(html5lib.parse(page, treebuilder="etree").iter(f"{NS}tbody")).iter(f"{NS}td"))
    lo, hi = np.floor(1234.4 * 0.9 + 0.5), np.floor(1234.4 * 1.1 + 0.5)  # 1,111 and 1,358
    assert _text(td) == f"1,234 ({lo:,.0f}–{hi:,.0f})"
    assert [_text(s) for s in td.iter(f"{NS}span")] == [f" ({lo:,.0f}–{hi:,.0f})"]
