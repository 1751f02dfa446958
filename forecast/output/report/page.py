"""The report as one self-contained HTML5 document: inline CSS (printing on A4), the
summary, each table with its charts embedded as SVG ``data:`` URIs, the method and the
provenance — no JavaScript and no link to the network.

Moved from ``forecast/output/report.py`` (its "HTML" section).
"""

from __future__ import annotations

import base64
import html
from typing import Any, Mapping

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
.table-wrap{overflow-x:auto}
th,td{padding:.25em .6em;border-bottom:1px solid var(--rule);vertical-align:top}td{text-align:right}th{white-space:nowrap}
thead th{white-space:normal;vertical-align:bottom;text-align:right}
tr.block th{text-align:left;background:var(--band)}th[scope=row]{text-align:left;font-weight:normal}
tr.total th,tr.total td{font-weight:bold}
.note{font-size:.8em;color:var(--muted);margin:.2em 0}
figure{margin:1.2em 0;text-align:center}figure img{max-width:100%;height:auto}
figcaption{font-size:.85em;color:var(--muted)}
dl.provenance{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em;font-size:.85em}
dl.provenance dt{font-weight:bold}dl.provenance dd{margin:0;word-break:break-all}
code{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.9em}
@page{size:A4;margin:15mm}
@media print{
 body{max-width:none;margin:0;padding:0;font-size:10pt}
 .table-wrap{overflow:visible}table{font-size:8.5pt}
 h2{break-after:avoid}
 table,figure,.summary{break-inside:avoid}
 figure img{max-height:120mm}
 a{color:inherit;text-decoration:none}
}
""".strip()


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _figure(chart: Chart, number: int) -> str:
    data = base64.b64encode(chart.image("svg")).decode("ascii")
    return (f'<figure id="chart-{number}"><img src="data:image/svg+xml;base64,{data}" alt="{_esc(chart.title)}" '
            f'width="800" height="{int(round(800 * chart.figure.get_figheight() / chart.figure.get_figwidth()))}">'
            f"<figcaption>Chart {number}: {_esc(chart.title)}</figcaption></figure>")


def _provenance_items(p: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(term, HTML) of each provenance entry: version, date, spec, seed, draws and files."""
    items: list[tuple[str, str]] = [("forecast version", _esc(p.get("forecast_version", ""))),
                                    ("Date", _esc(p.get("date", "")))]
    if p.get("spec"):
        items.append(("Spec", f"{_esc(p['spec']['name'])} <code>sha256 {_esc(p['spec']['sha256'])}</code>"))
    unc = p.get("uncertainty")
    items.append(("Seed", _esc(p["seed"]) if p.get("seed") is not None else "none (no draws)"))
    if unc:
        items.append(("Draws", f"{unc['draws']:,}"))
    pop = p.get("population") or {}
    for f in pop.get("files", []):
        items.append((f"Population file {f['name']}", f"<code>sha256 {_esc(f['sha256'])}</code>"))
    for rs in p.get("rate_sets", []):
        items.append((f"Rate set {rs['id']}", f"{_esc(rs.get('file') or '')} <code>sha256 {_esc(rs.get('sha256') or 'unknown')}</code>"))
    for d in p.get("derived_measures", []):
        items.append((f"Derived measures {d['id']}", f"<code>sha256 {_esc(d['sha256'])}</code>"))
    if p.get("ethnic_mix"):
        e = p["ethnic_mix"]
        items.append((f"Ethnic mix {e.get('file')}", f"<code>sha256 {_esc(e.get('sha256') or 'unknown')}</code>"))
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
        out.append('<div class="table-wrap">' + s.table.to_html(full=False, caption=title) + "</div>")
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
