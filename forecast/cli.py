"""The ``forecast`` command: parse, call the library, render.  Nothing else lives here.

Every bad input ends in one line on stderr (``forecast: error: FILE: line N: FIELD:
message``), exit status 2, and no output file (outputs are written atomically).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Sequence

import click

from ._io import atomic_path, write_text
from ._version import __version__
from .errors import ForecastError

EXIT_BAD_INPUT = 2

_CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _fail(message: str) -> None:
    click.echo(f"forecast: error: {message}", err=True)
    sys.exit(EXIT_BAD_INPUT)


class _Group(click.Group):
    """Turns library errors into one line and exit status 2."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ForecastError as e:
            _fail(str(e))
        except FileNotFoundError as e:
            _fail(f"{e.filename}: file not found")
        except PermissionError as e:
            _fail(f"{e.filename}: permission denied")
        except IsADirectoryError as e:
            _fail(f"{e.filename}: is a folder")
        except OSError as e:
            _fail(f"{getattr(e, 'filename', '') or ''}: {e.strerror or e}")


@click.group(cls=_Group, context_settings=_CONTEXT, epilog="""\b
Examples:
  forecast table examples/llr_table1.yaml
  forecast run --areas Leicester --measures cfas_ii_2013 --years 2030
  forecast assumptions list
  forecast areas leic
Run 'forecast COMMAND --help' for each command's options and examples.""")
@click.version_option(__version__, prog_name="forecast")
def main() -> None:
    """Project demand for health and social care: people with dementia, depression or
    common mental disorders, from ONS population projections and cited prevalence rates."""


# --------------------------------------------------------------------------- table

_TABLE_FORMATS = ("md", "csv", "xlsx", "html")


def _infer_format(fmt: str | None, output: str | None, allowed: Sequence[str], default: str) -> str:
    if fmt:
        return fmt
    if output:
        suffix = Path(output).suffix.lower().lstrip(".")
        aliases = {"markdown": "md", "htm": "html", "nc": "netcdf", "xls": "xlsx"}
        suffix = aliases.get(suffix, suffix)
        if suffix in allowed:
            return suffix
    return default


@main.command("table", context_settings=_CONTEXT, epilog="""\b
Examples:
  forecast table examples/llr_table1.yaml
  forecast table examples/llr_table1.yaml --format xlsx --output table1.xlsx
  forecast table examples/llr_table1.yaml --output table1.html""")
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(_TABLE_FORMATS), help="Output format (default: from --output's suffix, else md).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file instead of the screen (needed for xlsx).")
def table_cmd(spec: str, fmt: str | None, output: str | None) -> None:
    """Make a "Table 1 style" table from a report spec (YAML).

    The spec names the areas, the measures (each with a rate set), the ages, the
    years, the change column and the rounding; see README.md.
    """
    from .report import run_spec

    fmt = _infer_format(fmt, output, _TABLE_FORMATS, "md")
    if fmt == "xlsx" and not output:
        _fail("xlsx output needs --output FILE")
    tbl = run_spec(spec)
    if fmt == "xlsx":
        with atomic_path(output) as tmp:
            tbl.to_excel(tmp)
        click.echo(f"wrote {output}", err=True)
        return
    text = {"md": tbl.to_markdown, "csv": tbl.to_csv, "html": tbl.to_html}[fmt]()
    _emit(text, output)


def _emit(text: str, output: str | None) -> None:
    if output:
        write_text(output, text)
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


# --------------------------------------------------------------------------- run

def _split(values: Sequence[str]) -> list[str]:
    out = []
    for v in values:
        out.extend(p.strip() for p in v.split(",") if p.strip())
    return out


def _parse_years(values: Sequence[str]) -> list[int | str]:
    out: list[int | str] = []
    for part in _split(values):
        if "/" in part:
            out.append(part)
        elif "-" in part.strip("-"):
            a, b = part.split("-", 1)
            if not (a.strip().isdigit() and b.strip().isdigit()):
                raise ForecastError(f"cannot read year range {part!r} (use e.g. 2025-2040)", field="--years")
            if int(b) < int(a):
                raise ForecastError(f"year range {part!r} ends before it starts", field="--years")
            out.extend(range(int(a), int(b) + 1))
        elif part.isdigit():
            out.append(int(part))
        else:
            raise ForecastError(f"cannot read year {part!r} (use 2025, 2025-2040 or 2025/26)", field="--years")
    return out


def _population_options(f):
    f = click.option("--groups", "groups", multiple=True, type=click.Path(dir_okay=False),
                     help="Area-groups YAML: add areas made of other areas (e.g. a county from its districts).")(f)
    f = click.option("--population-format", type=click.Choice(["snpp", "tidy"]), default="snpp", show_default=True,
                     help="Layout of --population files: ONS SNPP CSVs/zip, or a tidy CSV.")(f)
    f = click.option("--population", "population", multiple=True, type=click.Path(),
                     help="Population file(s), folder or ONS zip (default: the embedded ONS 2022-based SNPP extract).")(f)
    return f


def _load_population(population, population_format, groups):
    from .population import add_groups, default_population, load_groups
    from .readers import read_snpp, read_tidy

    if not population:
        pop = default_population()
    elif population_format == "tidy":
        if len(population) != 1:
            raise ForecastError("a tidy population is one CSV file", field="--population")
        pop = read_tidy(population[0])
    else:
        pop = read_snpp(list(population))
    for g in groups:
        pop = add_groups(pop, load_groups(g))
    return pop


@main.command("run", context_settings=_CONTEXT, epilog="""\b
Examples:
  forecast run --areas Leicester --measures cfas_ii_2013 --years 2030
  forecast run --areas E06000016,E06000017 --measures dementia_uk_2014,depression_15pct \\
               --years 2025-2040 --bands 65-74,75-84,85+ --output demand.csv
  forecast run --areas Leicester --measures apms2014_any_cmd --years 2025/26,2026/27 --ages 18-64
  forecast run --areas Leicester --measures my_rates.yaml --years 2030 --format netcdf -o out.nc""")
@click.option("--areas", "-a", multiple=True, required=True, help="Area codes or names, comma-separated.")
@click.option("--measures", "-m", multiple=True, required=True, help="Rate-set ids or YAML files, comma-separated.")
@click.option("--years", "-y", multiple=True, help="Years: 2025,2030 or 2025-2040, or financial years 2025/26 (default: all).")
@click.option("--bands", "-b", multiple=True, help="Output age bands, e.g. 65-74,75-84,85+ (default: each rate set's own bands).")
@click.option("--ages", help="Sum one age range, e.g. 65+ (instead of bands).")
@_population_options
@click.option("--format", "fmt", type=click.Choice(["csv", "netcdf"]), help="Output format (default: from --output's suffix, else csv).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file (needed for netcdf).")
def run_cmd(areas, measures, years, bands, ages, population, population_format, groups, fmt, output) -> None:
    """Project demand and write it as a tidy CSV or NetCDF.

    The CSV has the columns area_code, area_name, year, sex, age_band, measure, value.
    """
    from .runs import run, to_tidy_frame

    fmt = _infer_format(fmt, output, ("csv", "netcdf"), "csv")
    if fmt == "netcdf" and not output:
        _fail("netcdf output needs --output FILE")
    pop = _load_population(population, population_format, groups)
    ds = run(
        pop,
        _split(measures),
        areas=_split(areas),
        years=_parse_years(years) if years else None,
        bands=_split(bands) or None,
        ages=ages,
        field_names={k: f"--{k}" for k in ("areas", "measures", "years", "bands", "ages")},
    )
    if fmt == "netcdf":
        from .runs import to_netcdf

        with atomic_path(output) as tmp:
            to_netcdf(ds, tmp)
        click.echo(f"wrote {output}", err=True)
        return
    _emit(to_tidy_frame(ds).to_csv(index=False, lineterminator="\n", float_format="%.6f"), output)


# --------------------------------------------------------------------------- assumptions

@main.group("assumptions", cls=_Group, context_settings=_CONTEXT, epilog="""\b
Examples:
  forecast assumptions list
  forecast assumptions show cfas_ii_2013
  forecast assumptions validate my_rates.yaml assumptions/""")
def assumptions_cmd() -> None:
    """List, show and validate rate sets (assumption files)."""


@assumptions_cmd.command("list", context_settings=_CONTEXT)
def assumptions_list() -> None:
    """List every known rate set: built-in, registered, and from plug-in packages."""
    from .assumptions import list_rate_sets

    df = list_rate_sets()
    click.echo(df.drop(columns=["citation"]).to_string(index=False))


@assumptions_cmd.command("show", context_settings=_CONTEXT)
@click.argument("rate_set")
def assumptions_show(rate_set: str) -> None:
    """Show one rate set: its source, citation and rates."""
    from .assumptions import get_rate_set

    rs = get_rate_set(rate_set)
    s = rs.source
    lines = [
        f"id:        {rs.id}",
        f"measure:   {rs.measure}",
        f"label:     {rs.label}",
        f"ages:      {rs.coverage.label} ({'by sex' if rs.sex_specific else 'persons'})",
        f"unit:      {rs.unit}",
        f"citation:  {s.citation}",
    ]
    for key in ("doi", "url", "table", "read_from", "licence", "notes"):
        if getattr(s, key):
            lines.append(f"{key + ':':<10} {getattr(s, key)}")
    if rs.open_top.rule != "error":
        lines.append(f"open top:  {rs.open_top.rule}" + (f" — {rs.open_top.note}" if rs.open_top.note else ""))
    if rs.trend is not None:
        lines.append(f"trend:     {rs.trend.annual_change:+g} a year from {rs.trend.from_year}")
    if rs.intervals is not None:
        lines.append(f"intervals: {rs.interval_level:.0%}")
    if rs.path is not None:
        lines.append(f"file:      {rs.path}")
        lines.append(f"sha256:    {rs.sha256}")
    click.echo("\n".join(lines) + "\n")
    click.echo(rs.to_frame().to_string(index=False))


@assumptions_cmd.command("validate", context_settings=_CONTEXT)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
def assumptions_validate(paths) -> None:
    """Check rate-set files (or folders of them); exit 2 if any is invalid."""
    from .assumptions import load_rate_set

    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(p.rglob("*.yaml")) + sorted(p.rglob("*.yml"))
            if not found:
                click.echo(f"error: {p}: folder holds no .yaml files", err=True)
                sys.exit(EXIT_BAD_INPUT)
            files.extend(found)
        else:
            files.append(p)
    bad = 0
    for f in files:
        try:
            rs = load_rate_set(f)
            click.echo(f"ok: {f} ({rs.id}: {rs.measure}, ages {rs.coverage.label})")
        except ForecastError as e:
            bad += 1
            click.echo(f"error: {e}", err=True)
    if bad:
        click.echo(f"{bad} of {len(files)} file(s) invalid", err=True)
        sys.exit(EXIT_BAD_INPUT)


# --------------------------------------------------------------------------- areas

@main.command("areas", context_settings=_CONTEXT, epilog="""\b
Examples:
  forecast areas               (every area of the embedded population)
  forecast areas leic          (codes or names containing 'leic')""")
@click.argument("text", required=False, default="")
@_population_options
def areas_cmd(text: str, population, population_format, groups) -> None:
    """Find area codes by name (or list all areas of the population)."""
    from .population import find_areas

    pop = _load_population(population, population_format, groups)
    df = find_areas(pop, text)
    if df.empty:
        _fail(f"no area code or name contains {text!r}")
    if not df["members"].any():
        df = df.drop(columns=["members"])
    click.echo(df.to_string(index=False))


if __name__ == "__main__":  # pragma: no cover
    main()
