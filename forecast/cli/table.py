"""forecast table: a "Table 1 style" table from a spec."""

from __future__ import annotations

import click

from ..limits import MAX_DRAWS
from .common import TABLE_FORMATS, emit, infer_format, open_computed, spec_options
from .main import CONTEXT, fail, main


@main.command("table", context_settings=CONTEXT, epilog="""\b
Examples:
  forecast table examples/llr_table1.yaml
  forecast table examples/llr_table1.yaml --format xlsx --output table1.xlsx
  forecast table examples/llr_table1.yaml --output table1.html
  forecast table examples/llr_table1.yaml -o table1.csv      (and table1.json: title, notes, sources, sha256)
  forecast table examples/llr_ethnic_table1.yaml            (without/with ethnic adjustment)
  forecast table examples/llr_table1.yaml --draws 1000 --seed 1   (cells: median (95% interval))
  forecast table examples/dementia_scenarios.yaml           (rate sets and scenarios side by side)
  forecast table examples/llr_table1.yaml --compare-with england --variant high_migration
  forecast table poppi --area Leicester                      (POPPI-style profile of one area)""")
@click.argument("spec")
@click.option("--format", "fmt", type=click.Choice(TABLE_FORMATS), help="Output format (default: from --output's suffix, else md).")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write to this file instead of the screen (needed for xlsx); t.csv gets its provenance in t.json beside it.")
@click.option("--by", type=click.Choice(["sex", "ethnicity"]), help="Split each row by sex or ethnic group (ethnicity: the spec needs an ethnicity section).")
@click.option("--draws", type=click.IntRange(1, MAX_DRAWS), help="Draw the rates this many times: cells read 'median (low–high)' (overrides the spec).")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), help="Seed for the draws (overrides the spec; default 0).")
@spec_options
def table_cmd(spec: str, fmt: str | None, output: str | None, by: str | None, draws, seed, area, year, compare_with,
              variant, population) -> None:
    """Make a "Table 1 style" table from a report spec (YAML), or a POPPI-style profile
    (SPEC = poppi, with --area).

    The spec names the areas, the measures (each with a rate set), the ages, the
    years, the change column and the rounding; see README.md.
    """
    from ..specs.table import spec_table

    fmt = infer_format(fmt, output, TABLE_FORMATS, "md")
    if fmt == "xlsx" and not output:
        fail("xlsx output needs --output FILE")
    computed = open_computed(spec, area=area, year=year, compare_with=compare_with, variant=variant, population=population, draws=draws,
                             seed=seed, by=by)
    tbl = spec_table(computed, by=by)
    if fmt == "csv" and output:
        from ..output.provenance import collect, write_csv_with_sidecar

        record = collect(computed.results, measures=computed.measures.shown, title=tbl.title, notes=tbl.notes,
                         level=tbl.interval_level, spec=computed.spec.path)
        side = write_csv_with_sidecar(output, tbl.to_csv(), record)
        click.echo(f"wrote {output} and {side}", err=True)
        return
    if fmt == "xlsx":
        from ..files import atomic_path

        with atomic_path(output) as tmp:
            tbl.to_excel(tmp)
        click.echo(f"wrote {output}", err=True)
        return
    text = {"md": tbl.to_markdown, "csv": tbl.to_csv, "html": tbl.to_html}[fmt]()
    emit(text, output)


