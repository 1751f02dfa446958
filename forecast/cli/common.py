"""Shared pieces of the commands: output formats and writing, list and year options, the
population options and their loading."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import click

from ..errors import ForecastError
from ..files import write_text

__all__ = ["infer_format", "emit", "split", "parse_years", "population_options", "load_population",
           "TABLE_FORMATS", "spec_options", "open_computed", "check_compare_with"]

TABLE_FORMATS = ("md", "csv", "xlsx", "html")
_ALIASES = {"markdown": "md", "htm": "html", "nc": "netcdf", "xls": "xlsx"}


def infer_format(fmt: str | None, output: str | None, allowed: Sequence[str], default: str) -> str:
    """The output format: ``--format``, else the output's suffix, else ``default``.  A suffix
    the command cannot write is refused (a CSV is never written into an .xlsx file)."""
    if fmt:
        return fmt
    if output:
        raw = Path(output).suffix.lower().lstrip(".")
        suffix = _ALIASES.get(raw, raw)
        if suffix in allowed:
            return suffix
        if raw:
            raise ForecastError(f"cannot write .{raw} files: this command writes {', '.join(allowed)} "
                                "(choose the suffix or --format)", field="--output")
    return default


def emit(text: str, output: str | None) -> None:
    if output:
        write_text(output, text)
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


def columns(header: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "") -> str:
    """Plain-text columns, left-aligned under their header (the last column not padded)."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header) - 1)]
    lines = []
    for r in [header, *rows]:
        cells = [f"{str(c):<{w}}" for c, w in zip(r, widths)] + [str(r[-1])]
        lines.append(indent + "  ".join(cells).rstrip())
    return "\n".join(lines)


def split(values: Sequence[str]) -> list[str]:
    out = []
    for v in values:
        out.extend(p.strip() for p in v.split(",") if p.strip())
    return out


def parse_years(values: Sequence[str]) -> list[int | str]:
    """``--years`` values: 2025, 2025-2040, 2025/26 or 2022/23-2029/30, comma-separated;
    each year within the limits (checked before a range is built)."""
    from ..errors import at
    from ..periods import check_year, expand_periods, parse_financial_year

    out: list[int | str] = []
    with at(field="--years"):
        parts = split(values)
        if not parts:
            raise ForecastError("no years given")
        for part in parts:
            if "/" in part and "-" in part:
                out.extend(expand_periods(part))
            elif "/" in part:
                parse_financial_year(part)
                out.append(part)
            elif "-" in part.strip("-"):
                a, b = (x.strip() for x in part.split("-", 1))
                if not (a.isdigit() and b.isdigit()):
                    raise ForecastError(f"cannot read year range {part!r} (use e.g. 2025-2040)")
                out.extend(expand_periods(f"{check_year(a)}-{check_year(b)}"))
            else:
                out.append(check_year(part))
        seen: set = set()
        for y in out:
            if y in seen:
                raise ForecastError(f"year {y} is listed twice")
            seen.add(y)
    return out


def population_options(f):
    f = click.option("--mye", "mye", multiple=True, type=click.Path(dir_okay=False),
                     help="ONS mid-year estimates file(s) to join to the population by year (tidy, Nomis or MYEB1 layout).")(f)
    f = click.option("--history", is_flag=True,
                     help="Join the shipped ONS mid-year estimates for 2011 and 2018 (every English district) for base years.")(f)
    f = click.option("--groups", "groups", multiple=True, type=click.Path(dir_okay=False),
                     help="Area-groups YAML: add areas made of other areas (counties, regions and England come built in).")(f)
    f = click.option("--population-format", type=click.Choice(["snpp", "tidy"]), default="snpp", show_default=True,
                     help="Layout of --population files: ONS SNPP CSVs/zip, or a tidy CSV.")(f)
    f = click.option("--population", "population", multiple=True, type=click.Path(),
                     help="A downloaded dataset (e.g. snpp2022: see 'forecast population list'), england (the "
                          "national projection), or population file(s), folder or ONS zip (default: the embedded "
                          "ONS 2022-based SNPP extract for Leicester, Leicestershire and Rutland).")(f)
    return f


def load_population(population, population_format, groups, history=False, mye=()):
    """The population the options name, as a spec would name it (:mod:`forecast.specs.population`):
    the embedded default, ``england``, a downloaded dataset or files, joined by year to the
    shipped estimates (``--history``) or estimate files (``--mye``), with area groups."""
    from ..errors import at
    from ..population import add_groups, load_groups
    from ..specs.population import load_population as from_sources

    if population_format == "tidy" and len(population) != 1:
        raise ForecastError("a tidy population is one CSV file", field="--population")
    if not population:
        main = "default"
    elif population_format == "tidy":
        main = {"tidy": population[0]}
    elif len(population) == 1:
        main = population[0]  # a dataset name (snpp2022, england) or one file, folder or zip
    else:
        main = {"snpp": list(population)}
    sources = (["history"] if history else []) + [{"mye": m} for m in mye] + [main]
    with at(field="--history" if history else "--mye" if mye else "--population"):
        pop = from_sources(sources if len(sources) > 1 else main)
    for g in groups:
        pop = add_groups(pop, load_groups(g))
    return pop


def spec_options(f):
    """Options of the commands that run a spec (table, chart, report): a profile's area and
    first year, and overrides of the spec's comparators and population variant."""
    f = click.option("--variant", help="Use this population variant (e.g. high_migration; 'forecast population list' "
                                       "names them) instead of the spec's.")(f)
    f = click.option("--compare-with", "compare_with", multiple=True,
                     help="Add comparator rows: region, county, england (comma-separated), with rates per 100 people.")(f)
    f = click.option("--year", type=click.IntRange(1900, 2200),
                     help="With a profile: its first year (default: this year; then +5, +10, +15).")(f)
    f = click.option("--area", help="With a profile (SPEC = poppi): the area, by name or code.")(f)
    f = click.option("--population", "population", help="The population instead of the spec's: default, england, "
                                                        "or a downloaded dataset such as snpp2022.")(f)
    return f


def check_compare_with(kinds: list[str]) -> list[str]:
    """The ``--compare-with`` kinds, each region, county or england."""
    bad = [k for k in kinds if k not in ("region", "county", "england")]
    if bad:
        raise ForecastError(f"{bad[0]!r} is not region, county or england", field="--compare-with")
    return kinds


def open_computed(spec: str, *, area=None, year=None, compare_with=(), variant=None, population=None, draws=None,
                  seed=None, by=None, for_charts: bool = False):
    """A spec file or a built-in profile (``poppi``), with the options applied, computed."""
    from ..errors import at, renamed
    from ..specs.profile import open_spec, with_population
    from ..specs.table import compute, override

    from ..population.variants import check_variant
    from ..specs.population import check_source

    if population:
        with at(field="--population"):
            check_source(population)
    if variant:
        with at(field="--variant"):
            check_variant(variant)
    with renamed({"area": "--area", "year": "--year"}):
        loaded, profile = open_spec(spec, area=area, year=year, population=population)
    if population and not profile:
        loaded = override(loaded, population=population)
    kinds = check_compare_with(split(compare_with))
    with at(field="--compare-with" if kinds else "--variant"):
        loaded = override(loaded, compare_with=kinds or None, variant=variant)
    if for_charts:
        from ..specs.report import compute_for_charts

        c = compute_for_charts(loaded, draws=draws, seed=seed)
    else:
        c = compute(loaded, draws=draws, seed=seed, by=by, table_only=True)
    return with_population(c) if profile else c
