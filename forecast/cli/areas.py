"""forecast areas: find English areas by code or name, with their type, county and region."""

from __future__ import annotations

import click

from .common import columns, load_population, population_options
from .main import CONTEXT, fail, main


@main.command("areas", context_settings=CONTEXT, epilog="""\b
Examples:
  forecast areas birm          (Birmingham: E08000025, metropolitan borough, West Midlands)
  forecast areas leic          (codes or names containing 'leic')
  forecast areas --in-population   (every area of the embedded population)""")
@click.argument("text", required=False, default="")
@click.option("--in-population", "only_population", is_flag=True,
              help="List only the areas of the population (default: every English area, marked if it is in it).")
@population_options
def areas_cmd(text: str, only_population: bool, population, population_format, groups, history, mye) -> None:
    """Find area codes by name: every English district, county, unitary, region and England
    (2023 boundaries), with whether the population holds it."""
    import pandas as pd

    from ..geography import geography
    from ..population import find_areas

    pop = load_population(population, population_format, groups, history, mye)
    inside = find_areas(pop, text)
    if only_population:
        df = inside.drop(columns=["members"]) if not inside["members"].any() else inside
    else:
        geo = geography()
        have = set(inside["area_code"]) | set(map(str, pop["area"].values))
        rows = [{"area_code": a.code, "area_name": a.name, "type": a.type,
                 "county": geo.areas[a.county].name if a.county and a.county != a.code else "",
                 "region": geo.areas[a.region].name if a.region and a.region != a.code else "",
                 "in population": "yes" if a.code in have else "no"} for a in geo.find(text)]
        extra = inside[~inside["area_code"].isin([r["area_code"] for r in rows])]  # groups of the user's own
        rows += [{"area_code": r.area_code, "area_name": r.area_name, "type": "group", "county": "", "region": "",
                  "in population": "yes"} for r in extra.itertuples()]
        df = pd.DataFrame(rows)
    if df.empty:
        fail(f"no area code or name contains {text!r}")
    click.echo(columns(list(df.columns), df.astype(str).values.tolist()))
