"""A needs-assessment report: tables, charts, a summary, the method and the provenance, as
ONE self-contained HTML file (:func:`to_html`) or an XLSX workbook
(:func:`forecast.output.workbook.write_workbook`).

The HTML file needs nothing else: its CSS is inline, its charts are SVG images embedded as
``data:`` URIs, and it has no JavaScript and no link to the network, so it can be e-mailed,
archived or attached to a board paper as it is.  It prints on A4 (``@page`` rule; a table
or chart is not split across pages where it fits on one).  Its parts, in order:

1. the title and the date and version it was made with;
2. a summary: one line per measure, e.g. "People aged 65+ with dementia in Leicester: 3,050
   in 2025, 4,350 in 2040 (+42.6%)", each number as the first table shows it;
3. each table (as :meth:`forecast.output.table.Table.to_html` renders it, with its notes)
   followed by its charts;
4. the method: the formula, each rate set with its citation, the population and its
   vintage, rounding, and what the intervals are (or why there are none);
5. the provenance: the sha256 of each rate-set and population file (and the spec), the
   forecast version, the seed and the date (:mod:`forecast.output.provenance`).

:class:`Report` holds these parts; :mod:`forecast.specs.report` makes one from a spec.
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import pandas as pd
import xarray as xr

from .notes import footer_notes, measure_notes, population_notes
from .table import TOTAL, Table

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["Chart", "Section", "Report", "to_html", "summary_lines", "method_sections", "tidy_values",
           "PER_100_SUFFIX"]

#: How :func:`forecast.table` labels a block of rates per 100 people (left out of summaries).
PER_100_SUFFIX = " per 100 people in the age group"


@dataclass
class Chart:
    """One chart of a report: the figure, its title and kind, and the table it goes with."""

    figure: "Figure"
    title: str
    kind: str
    section: int = 0
    _cache: dict = field(default_factory=dict, repr=False)

    def image(self, fmt: str = "svg", *, dpi: int = 150) -> bytes:
        """The chart as SVG or PNG bytes (PNG at ``dpi``), drawn once each."""
        from . import plot

        key = (fmt, dpi if fmt == "png" else None)
        if key not in self._cache:
            self._cache[key] = plot.to_bytes(self.figure, fmt, dpi=dpi)
        return self._cache[key]


@dataclass
class Section:
    """A table and the charts shown under it.  ``rows`` names the table's row labels
    (``Area``, ``Age band``, ``Sex``) for the spreadsheet's column header."""

    name: str
    table: Table
    rows: str = "Area"
    charts: list[Chart] = field(default_factory=list)


@dataclass
class Report:
    title: str
    summary: list[str]
    sections: list[Section]
    method: list[tuple[str, list[str]]]
    provenance: dict[str, Any]
    data: pd.DataFrame

    @property
    def charts(self) -> list[Chart]:
        return [c for s in self.sections for c in s.charts]


# ---------------------------------------------------------------------------- summary

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
    when there is one — and the change, each as the table shows it."""
    periods = table.periods
    if not periods:
        return []
    years = _change_years(table)
    y0, y1 = years if years and years[0] in periods and years[1] in periods else (periods[0], periods[-1])
    cells = table.formatted()
    codes = list(table.area_codes)
    out = []
    for block in dict.fromkeys(table.data.index.get_level_values(0)):
        if str(block).endswith(PER_100_SUFFIX):
            continue
        positions = [i for i, key in enumerate(table.data.index) if key[0] == block]
        if rows != "Area" and codes and all(codes[i] in comparators for i in positions):
            continue  # a comparator's block (England, the region): shown, not summarised
        own = [i for i in positions if not (codes and codes[i] in comparators and rows == "Area")]
        totals = [i for i in own if table.data.index[i][1] == TOTAL]
        members = [i for i in own if not table.is_total(table.data.index[i][1])]
        if rows == "Area":
            labels = [str(table.data.index[i][1]) for i in members]
            if labels and all(": " in x for x in labels):  # rows split by sex or ethnic group: "Leicester: male"
                labels = [x.rpartition(": ")[0] for x in labels]
            if totals and len(members) > 1:
                picks = [(totals[0], f"{block} in {_names(labels)}")]
            else:
                picks = [(i, f"{block} in {table.data.index[i][1]}") for i in members]
        else:  # a block per measure and area: "Dementia: Leicester"
            label, _, area = str(block).rpartition(": ")
            phrase = f"{label} in {area}" if label else str(block)
            picks = [(totals[0], phrase)] if totals else [(i, f"{phrase}, {table.data.index[i][1]}") for i in members]
        for i, phrase in picks:
            row = cells.iloc[i]
            text = f"{phrase}: {row[y0]} in {y0}" + (f", {row[y1]} in {y1}" if y1 != y0 else "")
            if years and table.change_column and row[table.change_column] not in ("", "n/a"):
                text += f" ({row[table.change_column]})"
            out.append(text)
    return out


# ---------------------------------------------------------------------------- method

def _formula(results: Sequence[xr.Dataset], names: Sequence[str], financial: bool) -> list[str]:
    attrs = [ds[n].attrs for ds in results for n in names if n in ds.data_vars]
    terms = "population(area, year, sex, age) × rate(sex, age)"
    if any(a.get("relative_risks") for a in attrs):
        terms = ("population(area, year, sex, age, ethnic group) × rate(sex, age) × "
                 "relative risk(ethnic group)")
    if any(a.get("trend") for a in attrs):
        terms += " × trend(year)"
    lines = [
        f"Expected number of people = Σ over the ages and sexes shown of {terms}.",
        "Each single year of age takes the rate of the published age band it falls in; the products are "
        "summed into the areas, age bands and years of the tables. Areas made of other areas (a county, "
        "a region) are the sums of their members.",
    ]
    if any(a.get("trend") for a in attrs):
        lines.append("trend(year) is 1 under constant rates (the POPPI assumption); a scenario replaces it with "
                     "the published change in age-specific rates named below.")
    for a in attrs:
        if a.get("derivation") and f"{a['derivation'].rstrip('.')}." not in lines:
            lines.append(f"{a['derivation'].rstrip('.')}.")
    if financial:
        lines.append("Financial years (April-March) are 0.75 × mid-year Y + 0.25 × mid-year Y+1 (interpolated).")
    return lines


def _interval_text(first: xr.Dataset, level: float | None) -> list[str]:
    a = first.attrs
    if a.get("draws") in (None, ""):
        return ["No intervals are shown: the rates are used as published point estimates. The figures carry "
                "the uncertainty of the surveys behind the rates and of the population projection, which a "
                "single number does not show; the spec's 'uncertainty: {draws: 1000}' adds intervals from the "
                "rates' published confidence intervals."]
    lvl = level if level is not None else 0.95
    lo = 100 * (1 - lvl) / 2
    return [
        f"Each figure is the median of {int(a['draws']):,} draws of the rates (seed {a.get('seed', '?')}); the range "
        f"in brackets, the shaded band and the error bars are the central {lvl:.0%} interval of the draws "
        f"(their {lo:g}th to {100 - lo:g}th percentiles). Totals and changes are worked out within each draw.",
        "The intervals show the sampling uncertainty of the published rates only: the population projection is "
        "taken as given (its variants are other assumptions, not intervals), and rates with no published "
        "uncertainty are held at their point estimates.",
        f"Rates drawn: {a.get('uncertainty', '')}.",
    ]


def method_sections(results: Sequence[xr.Dataset], names: Sequence[str], *, labels: Mapping[str, str] | None = None,
                    round_to: float = 1, financial: bool = False, areas: Sequence[str] | None = None,
                    level: float | None = None) -> list[tuple[str, list[str]]]:
    """The method, in parts: ``[(heading, [paragraph, …]), …]``."""
    results = list(results)
    first = results[0]
    rates: list[str] = []
    for ds in results:
        for n in measure_notes(ds, [n for n in names if n in ds.data_vars], labels=labels):
            if n not in rates:
                rates.append(n)
    pops: list[str] = []
    for ds in results:
        for n in population_notes(ds, areas):
            if n not in pops:
                pops.append(n)
    a = first.attrs
    vintage = re.search(r"\b(\d{4})-based\b", str(a.get("population_title") or ""))
    if vintage:
        pops.insert(1, f"Vintage: the {vintage.group(1)}-based projection (its base year is mid-{vintage.group(1)}).")
    files = a.get("population_source")
    if files:
        pops.append(f"Files read: {files}.")
    rounding = [n for n in footer_notes(first, round_to=round_to, financial=False) if n.startswith("Figures are rounded")]
    return [
        ("Formula", _formula(results, names, financial)),
        ("Rates", rates),
        ("Population", pops),
        ("Rounding", rounding),
        ("Intervals", _interval_text(first, level)),
    ]


# ---------------------------------------------------------------------------- data

def tidy_values(results: Mapping[str, xr.Dataset], *, measures: Sequence[str], labels: Mapping[str, str],
                areas: Sequence[str], periods: Sequence[int | str], level: float = 0.95,
                column: str = "result") -> pd.DataFrame:
    """The unrounded values behind the tables, one row per result, measure, area, period and
    whatever else the results keep (sex, age band, ethnic group).  With draws: ``value`` is
    the median of the draws and ``low``/``high`` the central ``level`` interval."""
    from .tables import period_values

    frames = []
    for label, ds in results.items():
        names = [n for n in measures if n in ds.data_vars]
        sel = period_values(ds[names].sel(area=list(areas)), periods)
        for n in names:
            da = sel[n]
            if "draw" in da.dims:
                a = (1 - level) / 2
                parts = {"value": da.median("draw"), "low": da.quantile(a, "draw").drop_vars("quantile"),
                         "high": da.quantile(1 - a, "draw").drop_vars("quantile")}
            else:
                parts = {"value": da}
            df = pd.concat([p.to_dataframe(name=k)[[k]] for k, p in parts.items()], axis=1).reset_index()
            names_map = dict(zip(map(str, ds["area"].values), map(str, ds["area_name"].values)))
            df.insert(0, "area_name", df["area"].map(names_map))
            df = df.rename(columns={"area": "area_code"})
            df.insert(0, "measure_label", labels.get(n) or ds[n].attrs.get("long_name", n))
            df.insert(0, "measure", n)
            if len(results) > 1:
                df.insert(0, column, label)
            frames.append(df)
    out = pd.concat(frames, ignore_index=True)
    if out["period"].astype(str).str.fullmatch(r"\d{4}").all():  # mid-years as numbers, financial years as labels
        out["period"] = out["period"].astype(int)
    first = [c for c in (column, "measure", "measure_label", "area_code", "area_name", "period") if c in out.columns]
    rest = [c for c in out.columns if c not in first and c not in ("value", "low", "high")]
    return out[first + rest + [c for c in ("value", "low", "high") if c in out.columns]]


# ---------------------------------------------------------------------------- HTML

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


def _provenance_html(p: Mapping[str, Any]) -> str:
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
    body = "".join(f"<dt>{_esc(k)}</dt><dd>{v}</dd>" for k, v in items)
    return f'<dl class="provenance">{body}</dl>'


def to_html(report: Report) -> str:
    """The report as one self-contained HTML5 document (see the module docstring)."""
    p = report.provenance
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="forecast {_esc(p.get("forecast_version", ""))}">',
        f"<title>{_esc(report.title)}</title>",
        f"<style>{_CSS}</style>",
        "</head><body>",
        f'<header><h1>{_esc(report.title)}</h1><p class="meta">Made on {_esc(p.get("date", ""))} with forecast '
        f'{_esc(p.get("forecast_version", ""))}.</p></header>',
        "<main>",
    ]
    if report.summary:
        out.append('<section id="summary"><h2>Summary</h2><ul class="summary">')
        out += [f"<li>{_esc(line)}</li>" for line in report.summary]
        out.append("</ul></section>")
    number = 0
    for i, s in enumerate(report.sections, start=1):
        title = s.table.title if s.table.title.startswith(s.name) else f"{s.name}: {s.table.title}"
        out.append(f'<section id="table-{i}" class="table-section">')
        out.append('<div class="table-wrap">' + s.table.to_html(full=False, caption=title) + "</div>")
        for chart in s.charts:
            number += 1
            out.append(_figure(chart, number))
        out.append("</section>")
    out.append('<section id="method"><h2>Method</h2>')
    for heading, paragraphs in report.method:
        if paragraphs:
            out.append(f"<h3>{_esc(heading)}</h3>")
            out += [f"<p>{_esc(t)}</p>" for t in paragraphs]
    out.append("</section>")
    out.append(f'<section id="provenance"><h2>Provenance</h2>{_provenance_html(p)}</section>')
    out.append("</main></body></html>")
    return "\n".join(out) + "\n"


def section_for(kind: str, roles: Mapping[str, int]) -> int:
    """Which section a chart of ``kind`` goes under: lines with the area table, compare charts
    with the side-by-side table, bands with the age-band table (else the first table)."""
    role = {"line": "area", "compare": "compare", "bands": "age_band"}.get(kind, "area")
    return roles.get(role, roles.get("area", 0))



# ---------------------------------------------------------------------------- a folder

def folder_files(report: Report) -> list[dict]:
    """The files of a report written to a folder: ``report.html``, ``table-N.csv`` (as the
    tables show them), ``data.csv`` (unrounded) and ``chart-N.png``; each ``{path, data,
    title, frame?}`` for :func:`forecast.output.provenance.datapackage`."""
    files = [{"path": "report.html", "data": to_html(report).encode("utf-8"), "title": report.title}]
    for i, s in enumerate(report.sections, start=1):
        frame = s.table.to_frame()
        files.append({"path": f"table-{i}.csv", "title": f"{s.name}: {s.table.title}", "frame": frame,
                      "data": frame.to_csv(index=False, lineterminator="\n").encode("utf-8")})
    files.append({"path": "data.csv", "title": "The unrounded values behind the tables", "frame": report.data,
                  "data": report.data.to_csv(index=False, lineterminator="\n").encode("utf-8")})
    for n, chart in enumerate(report.charts, start=1):
        files.append({"path": f"chart-{n}.png", "title": f"Chart {n}: {chart.title}", "data": chart.image("png")})
    return files


def write_folder(report: Report, path) -> list[str]:
    """Write the report's files and a Frictionless ``datapackage.json`` into the folder
    ``path``, all at once: the files are written to a temporary folder beside it, which then
    takes its place.  The folder must be new, empty, or a report folder written before
    (one holding a forecast ``datapackage.json``); its parent folder must exist."""
    import json
    import os
    import shutil
    import tempfile
    from pathlib import Path

    from ..errors import ForecastError
    from .provenance import datapackage, to_json

    dest = Path(path)
    parent = dest.parent if str(dest.parent) else Path(".")
    if not parent.is_dir():
        raise ForecastError("output folder does not exist", file=parent)
    if dest.exists():
        if not dest.is_dir():
            raise ForecastError("is a file, not a folder: give a new folder for the report's files", file=dest)
        entries = list(dest.iterdir())
        ours = False
        if (dest / "datapackage.json").is_file():
            try:
                ours = "forecast" in json.loads((dest / "datapackage.json").read_text(encoding="utf-8"))
            except (ValueError, OSError):
                ours = False
        if entries and not ours:
            raise ForecastError("folder is not empty and holds no forecast report: give a new or empty folder",
                                file=dest)
    files = folder_files(report)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".part", dir=parent))
    old = None
    try:
        for f in files:
            (tmp / f["path"]).write_bytes(f["data"])
        (tmp / "datapackage.json").write_text(to_json(datapackage(report.provenance, files)), encoding="utf-8")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)
        for f in tmp.iterdir():
            os.chmod(f, 0o666 & ~umask)
        if dest.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".old", dir=parent))
            os.rmdir(old)
            os.replace(dest, old)
        os.replace(tmp, dest)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and old.exists():
            shutil.rmtree(old, ignore_errors=True)
    return [f["path"] for f in files] + ["datapackage.json"]
