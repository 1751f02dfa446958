"""forecast areas: find area codes by name."""

from __future__ import annotations

import click

from .common import load_population, population_options
from .main import CONTEXT, fail, main


@main.command("areas", context_settings=CONTEXT, epilog="""\b
Examples:
  forecast areas               (every area of the embedded population)
  forecast areas leic          (codes or names containing 'leic')""")
@click.argument("text", required=False, default="")
@population_options
def areas_cmd(text: str, population, population_format, groups, history, mye) -> None:
    """Find area codes by name (or list all areas of the population)."""
    from ..population import find_areas

    pop = load_population(population, population_format, groups, history, mye)
    df = find_areas(pop, text)
    if df.empty:
        fail(f"no area code or name contains {text!r}")
    if not df["members"].any():
        df = df.drop(columns=["members"])
    click.echo(df.to_string(index=False))


