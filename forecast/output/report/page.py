"""The report as one self-contained HTML5 document: inline CSS (printing on A4), the
summary, each table with its charts embedded as SVG ``data:`` URIs, the method and the
provenance — no JavaScript and no link to the network.

Tables (marked up by :mod:`forecast.output.table_html`): an interval sits under its figure on
a line of its own, in a smaller font; columns side by side in each period ("2025 constant
rates", "2025 falling", "2025 difference") get the period once over them and their own labels
below; a table too wide for the text column
(:data:`_WIDE_CHARS`) gets a smaller font and the window's width on screen, and a landscape
A4 page of its own in print (``@page wide``).  The files behind the report are listed with
their sha256 by :func:`forecast.output.provenance.file_checksums`, as the workbook lists them.

Moved from ``forecast/output/report.py`` (its "HTML" section).
"""

from __future__ import annotations

import base64
import html
from typing import Any, Mapping

from ..notes import draws_text
from ..provenance import file_checksums
from .parts import Chart, Report

_CSS = """
:root{--ink:#1a1a1a;--muted:#555;--rule:#d0d0d0;--band:#f0f0f0}
body{font-family:"Helvetica Neue",Arial,"DejaVu Sans",sans-serif;color:var(--ink);max-width:60em;margin:2em auto;padding:0 1em;line-height:1.45}
h1{font-size:1.6em;margin:.2em 0 .3em}h2{font-size:1.25em;margin:1.6em 0 .5em;border-bottom:1px solid var(--rule);padding-bottom:.2em}
h3{font-size:1.05em;margin:1.2em 0 .3em}
.meta{color:var(--muted);font-size:.9em;margin:0 0 1em}
.summary li{margin:.2em 0}
table{border-collapse:collapse;margin:.5em 0;font-variant-numeric:tabular-nums}
caption{font-weight:bold;text-align:left;padding:.4em 0}
.table-wrap{overflow-x:auto}.table-wrap:not(.wide) table{min-width:min(100%,40em)}
th,td{padding:.25em .6em;border-bottom:1px solid var(--rule);vertical-align:top}td{text-align:right;white-space:nowrap}th{white-space:nowrap}
td .ci{display:block;font-size:.82em;color:var(--muted)}
thead th{white-space:normal;vertical-align:bottom;text-align:right;overflow-wrap:normal}
thead th[scope=colgroup]{text-align:center;border-bottom:1px solid var(--ink)}
tr.block th{text-align:left;background:var(--band)}th[scope=row]{text-align:left;font-weight:normal}
tr.total th,tr.total td{font-weight:bold}
.table-wrap.wide{width:max-content;min-width:100%;max-width:calc(100vw - 3em);position:relative;left:50%;transform:translateX(-50%)}
.table-wrap.wide table{font-size:.85em}.table-wrap.wide th,.table-wrap.wide td{padding:.2em .45em}
.table-wrap.wide thead th{min-width:5.5em}
.note{font-size:.8em;color:var(--muted);margin:.2em 0}
figure{margin:1.2em 0;text-align:center}figure img{max-width:100%;height:auto}
figcaption{font-size:.85em;color:var(--muted)}
dl.provenance{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em;font-size:.85em}
dl.provenance dt{font-weight:bold}dl.provenance dd{margin:0;word-break:break-all}
code{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.9em}
@page{size:A4;margin:15mm}
@page wide{size:A4 landscape;margin:12mm}
@media print{
 body{max-width:none;margin:0;padding:0;font-size:10pt}
 .table-wrap{overflow:visible}table{font-size:8.5pt}
 .table-wrap.wide{page:wide;position:static;transform:none;width:auto;max-width:none}
 .table-wrap.wide table{font-size:7.5pt}
 h2{break-after:avoid}
 table,figure,.summary{break-inside:avoid}
 figure img{max-height:120mm}
 a{color:inherit;text-decoration:none}
}
""".strip()

#: A table wider than this (estimated, in characters of body text) gets the "wide" layout:
#: a smaller font, and the width of the window rather than of the text column (on paper, a
#: landscape page).  60em of text holds about 110 characters of digits and padding.
_WIDE_CHARS = 110


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _figure(chart: Chart, number: int) -> str:
    data = base64.b64encode(chart.image("svg")).decode("ascii")
    return (f'<figure id="chart-{number}"><img src="data:image/svg+xml;base64,{data}" alt="{_esc(chart.title)}" '
            f'width="800" height="{int(round(800 * chart.figure.get_figheight() / chart.figure.get_figwidth()))}">'
            f"<figcaption>Chart {number}: {_esc(chart.title)}</figcaption></figure>")


def _width_chars(table) -> float:
    """The table's width in characters, roughly: its widest row label, and each column's
    widest cell (an interval on its own line, in a smaller font) or header word, plus padding."""
    cells = table.formatted()
    width = max((len(str(a)) for _, a in table.data.index), default=8) + 2  # (block labels span the table)
    for col in table.header:
        longest = max((len(w) for w in str(col).split()), default=4)
        for text in cells[col]:
            main, _, interval = str(text).partition(" (")
            longest = max(longest, len(main), 0.82 * (len(interval) + 1))
        width += longest + 2
    return width


def _table_html(table, caption: str) -> str:
    """The table as :meth:`~forecast.output.table.Table.to_html` marks it up (intervals on a
    line of their own, periods grouped over their columns side by side), in the "wide"
    layout when it is too wide for the text column."""
    wide = " wide" if _width_chars(table) > _WIDE_CHARS else ""
    return f'<div class="table-wrap{wide}">{table.to_html(full=False, caption=caption)}</div>'


def _provenance_items(p: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(term, HTML) of each provenance entry: version, date, spec, seed, draws and files."""
    items: list[tuple[str, str]] = [("forecast version", _esc(p.get("forecast_version", ""))),
                                    ("Date", _esc(p.get("date", "")))]
    if p.get("spec"):
        items.append(("Spec", f"{_esc(p['spec']['name'])} <code>sha256 {_esc(p['spec']['sha256'])}</code>"))
    unc = p.get("uncertainty")
    items.append(("Seed", _esc(p["seed"]) if p.get("seed") is not None else "none (no draws)"))
    if unc:
        items.append(("Draws", draws_text(unc["draws"])))
    for what, file, digest in file_checksums(p):
        items.append((what, (f"{_esc(file)} " if file else "") + f"<code>sha256 {_esc(digest)}</code>"))
    return items


def _provenance_html(p: Mapping[str, Any]) -> str:
    body = "".join(f"<dt>{_esc(k)}</dt><dd>{v}</dd>" for k, v in _provenance_items(p))
    return f'<dl class="provenance">{body}</dl>'


def _head(report: Report) -> list[str]:
    """The document's head and the report's header: title, date and version."""
    p = report.provenance
    return [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="forecast {_esc(p.get("forecast_version", ""))}">',
        f"<title>{_esc(report.title)}</title>",
        f"<style>{_CSS}</style>",
        "</head><body>",
        f'<header><h1>{_esc(report.title)}</h1><p class="meta">Made on {_esc(p.get("date", ""))} with forecast '
        f'{_esc(p.get("forecast_version", ""))}.</p></header>',
    ]


def _sections(report: Report) -> list[str]:
    """Each table in its section, followed by its charts, numbered through the report."""
    out = []
    number = 0
    for i, s in enumerate(report.sections, start=1):
        title = s.table.title if s.table.title.startswith(s.name) else f"{s.name}: {s.table.title}"
        out.append(f'<section id="table-{i}" class="table-section">')
        out.append(_table_html(s.table, title))
        for chart in s.charts:
            number += 1
            out.append(_figure(chart, number))
        out.append("</section>")
    return out


def to_html(report: Report) -> str:
    """The report as one self-contained HTML5 document (see the module docstring)."""
    out = [*_head(report), "<main>"]
    if report.summary:
        out.append('<section id="summary"><h2>Summary</h2><ul class="summary">')
        out += [f"<li>{_esc(line)}</li>" for line in report.summary]
        out.append("</ul></section>")
    out += _sections(report)
    out.append('<section id="method"><h2>Method</h2>')
    for heading, paragraphs in report.method:
        if paragraphs:
            out.append(f"<h3>{_esc(heading)}</h3>")
            out += [f"<p>{_esc(t)}</p>" for t in paragraphs]
    out.append("</section>")
    out.append(f'<section id="provenance"><h2>Provenance</h2>{_provenance_html(report.provenance)}</section>')
    out.append("</main></body></html>")
    return "\n".join(out) + "\n"
