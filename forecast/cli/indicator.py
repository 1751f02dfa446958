"""forecast indicator: observed against expected, and counts needed to reach a target."""

from __future__ import annotations

import click

from ..limits import MAX_DRAWS
from .common import TABLE_FORMATS, emit, infer_format
from .main import CONTEXT, fail, main


@main.command("indicator", context_settings=CONTEXT, epilog="""\b
Examples:
  forecast indicator examples/leicester_indicators.yaml
  forecast indicator examples/leicester_indicators.yaml -o indicators.xlsx
  forecast indicator examples/leicester_indicators.yaml --format csv --draws 2000 --seed 5""")
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(TABLE_FORMATS), help="Output format (default: from --output's suffix, else md).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file (needed for xlsx).")
@click.option("--draws", type=click.IntRange(1, MAX_DRAWS), help="Draw the rates this many times for intervals (overrides the spec).")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), help="Seed for the draws (overrides the spec).")
def indicator_cmd(spec: str, fmt: str | None, output: str | None, draws, seed) -> None:
    """Observed against expected (e.g. the dementia diagnosis rate), and the counts needed
    each year to reach a target by a target year.

    The spec names the observed-counts CSV (area, period, measure, count), the rate set
    and ages giving each expected number, and any target; see README.md.
    """
    from ..specs import run_indicator_spec

    fmt = infer_format(fmt, output, TABLE_FORMATS, "md")
    if fmt == "xlsx" and not output:
        fail("xlsx output needs --output FILE")
    report = run_indicator_spec(spec, draws=draws, seed=seed)
    if fmt == "xlsx":
        from ..files import atomic_path

        with atomic_path(output) as tmp:
            report.to_excel(tmp)
        click.echo(f"wrote {output}", err=True)
        return
    emit({"md": report.to_markdown, "csv": report.to_csv, "html": report.to_html}[fmt](), output)


