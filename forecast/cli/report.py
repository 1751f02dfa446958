"""forecast report: a spec's tables, charts, method and provenance as one HTML file, an
XLSX workbook, or a folder of files with a datapackage.json."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..limits import MAX_DRAWS
from .common import open_computed, spec_options
from .main import CONTEXT, main

REPORT_FORMATS = ("html", "xlsx")


def _kind(output: str) -> str:
    """``html``, ``xlsx`` or ``folder`` (a path ending in /, an existing folder, or no suffix)."""
    from ..errors import ForecastError
    from ..files import check_output_folder

    p = Path(output)
    if output.endswith(("/", os.sep)) or p.is_dir() or not p.suffix:
        return "folder"
    raw = p.suffix.lower().lstrip(".")
    fmt = {"htm": "html"}.get(raw, raw)
    if fmt not in REPORT_FORMATS:
        raise ForecastError(f"cannot write .{raw} files: this command writes html, xlsx, or a folder "
                            "(a path ending in /)", field="--output")
    check_output_folder(p)
    return fmt


@main.command("report", context_settings=CONTEXT, epilog="""\b
Examples:
  forecast report examples/llr_report.yaml -o llr_report.html    (one self-contained file)
  forecast report examples/llr_report.yaml -o llr_report.xlsx    (a sheet per table, Data, Notes, Charts)
  forecast report examples/llr_table1.yaml -o table1/            (CSV, PNG, HTML and datapackage.json)
  forecast report poppi --area Leicester -o leicester.html      (POPPI-style profile of one area)""")
@click.argument("spec")
@click.option("--output", "-o", required=True, type=click.Path(),
              help="report.html, report.xlsx, or a folder (ending in /) for the files and a datapackage.json.")
@click.option("--draws", type=click.IntRange(1, MAX_DRAWS), help="Draw the rates this many times: cells read 'median (low–high)' (overrides the spec).")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), help="Seed for the draws (overrides the spec; default 0).")
@spec_options
def report_cmd(spec: str, output: str, draws, seed, area, year, compare_with, variant, population) -> None:
    """Make a needs-assessment report from a spec (YAML): title, a summary line per measure,
    each table with its charts, the method and the provenance.

    HTML: one file with its CSS and charts inside (no JavaScript, no network), for A4 too.
    XLSX: a sheet per table, a Data sheet (unrounded), a Notes sheet and the charts.
    """
    from ..files import atomic_path, write_text
    from ..output.report import to_html, write_folder
    from ..output.workbook import write_workbook
    from ..specs.report import build_report

    kind = _kind(output)
    report = build_report(open_computed(spec, area=area, year=year, compare_with=compare_with, variant=variant, population=population,
                                        draws=draws, seed=seed, for_charts=True))
    if kind == "html":
        write_text(output, to_html(report))
    elif kind == "xlsx":
        with atomic_path(output) as tmp:
            write_workbook(report, tmp)
    else:
        written = write_folder(report, output)
        click.echo(f"wrote {output.rstrip('/' + os.sep)}/ ({', '.join(written)})", err=True)
        return
    click.echo(f"wrote {output}", err=True)
