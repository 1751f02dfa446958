"""forecast chart: the charts of a spec as PNG or SVG files."""

from __future__ import annotations

from pathlib import Path

import click

from ..limits import MAX_DRAWS
from .common import open_computed, spec_options
from .main import CONTEXT, main

CHART_FORMATS = ("png", "svg")


def chart_paths(output: str, n: int) -> list[Path]:
    """``out.png`` for one chart; ``out-1.png``, ``out-2.png``… for several."""
    p = Path(output)
    if n == 1:
        return [p]
    return [p.with_name(f"{p.stem}-{i}{p.suffix}") for i in range(1, n + 1)]


def check_output(output: str, formats) -> str:
    """The output's format from its suffix, and its folder, checked before any work."""
    from ..errors import ForecastError
    from ..files import check_output_folder

    p = Path(output)
    fmt = p.suffix.lower().lstrip(".")
    if fmt not in formats:
        what = f".{fmt} files" if fmt else "a file without a suffix"
        raise ForecastError(f"cannot write {what}: this command writes {', '.join(formats)} (choose the suffix)",
                            field="--output")
    check_output_folder(p)
    return fmt


@main.command("chart", context_settings=CONTEXT, epilog="""\b
Examples:
  forecast chart examples/llr_table1.yaml -o table1.png        (one line chart per measure: table1-1.png, table1-2.png)
  forecast chart examples/llr_report.yaml -o llr.svg           (the spec's charts: list)
  forecast chart examples/llr_report.yaml --chart 1 -o examples/llr_dementia_chart.png   (its fan chart only)
  forecast chart examples/llr_table1.yaml -o t.png --draws 1000 --seed 1   (with a shaded 95% interval)""")
@click.argument("spec")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False),
              help="The chart file, .png or .svg; several charts are numbered: out-1.png, out-2.png, ...")
@click.option("--chart", "only", type=click.IntRange(1), help="Write only the Nth chart (1 = the first drawn).")
@click.option("--draws", type=click.IntRange(1, MAX_DRAWS), help="Draw the rates this many times: lines are medians with a shaded interval (overrides the spec).")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), help="Seed for the draws (overrides the spec; default 0).")
@spec_options
def chart_cmd(spec: str, output: str, only, draws, seed, area, year, compare_with, variant, population) -> None:
    """Draw a report spec's charts (YAML) as PNG or SVG.

    The spec's 'charts:' list says which (line, compare, bands, pyramid, ethnicity); a spec
    without one gets a line chart per measure over its years, one line per area (with more
    than 8 areas: the areas' total and their change ranked).  One chart is written to
    OUTPUT; several to OUTPUT-1, OUTPUT-2, ... (same suffix), all or none, numbered in the
    spec's order, as the report numbers them ("Chart N", chart-N.png).
    """
    from ..errors import ForecastError
    from ..files import atomic_paths
    from ..specs.charts import spec_charts

    fmt = check_output(output, CHART_FORMATS)
    charts = spec_charts(open_computed(spec, area=area, year=year, compare_with=compare_with, variant=variant, population=population,
                                       draws=draws, seed=seed, for_charts=True))
    if only is not None:
        if only > len(charts):
            raise ForecastError(f"the spec draws {len(charts)} chart{'s' if len(charts) != 1 else ''}, "
                                f"so there is no chart {only}", field="--chart")
        charts = [charts[only - 1]]
    images = [c.image(fmt) for c in charts]
    paths = chart_paths(output, len(images))
    with atomic_paths(*paths) as tmps:  # every chart drawn before any file is written; all appear together
        for tmp, data in zip(tmps, images):
            tmp.write_bytes(data)
    click.echo(f"wrote {', '.join(str(p) for p in paths)}", err=True)
