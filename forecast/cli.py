"""The ``forecast`` command: parse, call the library, render.  Nothing else lives here.

Every bad input ends in one line on stderr (``forecast: error: FILE: line N: FIELD:
message``), exit status 2, and no output file (outputs are written atomically).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Sequence

import click

from ._io import atomic_path, write_text
from ._version import __version__
from .errors import ForecastError, ForecastWarning
from .errors import at as _at

EXIT_BAD_INPUT = 2

_CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _fail(message: str) -> None:
    click.echo(f"forecast: error: {message}", err=True)
    sys.exit(EXIT_BAD_INPUT)


_warned: set[str] = set()


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Library warnings (e.g. the all-age ethnic shares caveat): one plain line, once."""
    text = str(message)
    if text not in _warned:
        _warned.add(text)
        click.echo(f"forecast: warning: {text}", err=True)


class _Group(click.Group):
    """Turns library errors into one line and exit status 2."""

    def invoke(self, ctx):
        warnings.showwarning = _show_warning
        warnings.filterwarnings("always", category=ForecastWarning)  # our caveats are output, not noise
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
  forecast indicator examples/leicester_indicators.yaml
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
  forecast table examples/llr_table1.yaml --output table1.html
  forecast table examples/llr_ethnic_table1.yaml            (without/with ethnic adjustment)
  forecast table examples/llr_table1.yaml --draws 1000 --seed 1   (cells: median (95% interval))
  forecast table examples/dementia_scenarios.yaml           (rate sets and scenarios side by side)""")
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(_TABLE_FORMATS), help="Output format (default: from --output's suffix, else md).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file instead of the screen (needed for xlsx).")
@click.option("--by", type=click.Choice(["ethnicity"]), help="One row per area and ethnic group (the spec needs an ethnicity section).")
@click.option("--draws", help="Draw the rates this many times: cells read 'median (low–high)' (overrides the spec).")
@click.option("--seed", help="Seed for the draws (overrides the spec; default 0).")
def table_cmd(spec: str, fmt: str | None, output: str | None, by: str | None, draws, seed) -> None:
    """Make a "Table 1 style" table from a report spec (YAML).

    The spec names the areas, the measures (each with a rate set), the ages, the
    years, the change column and the rounding; see README.md.
    """
    from .report import UncertaintySpec, load_spec, run_spec

    fmt = _infer_format(fmt, output, _TABLE_FORMATS, "md")
    if fmt == "xlsx" and not output:
        _fail("xlsx output needs --output FILE")
    loaded = load_spec(spec)
    if draws is not None or seed is not None:
        base = loaded.uncertainty or UncertaintySpec(draws=1000)
        loaded.uncertainty = UncertaintySpec(
            draws=_int_option(draws, "--draws") if draws is not None else base.draws,
            seed=_int_option(seed, "--seed") if seed is not None else base.seed,
            level=base.level,
        )
    tbl = run_spec(loaded, by=by)
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

def _int_option(value: str, name: str) -> int:
    text = str(value).strip()
    if not text.lstrip("-").isdigit():
        raise ForecastError(f"{value!r} is not a whole number", field=name)
    n = int(text)
    if name == "--seed" and n < 0:
        raise ForecastError(f"the seed must be 0 or more, not {n}", field=name)
    if name != "--seed" and n <= 0:
        raise ForecastError(f"must be positive, not {n}", field=name)
    return n


def _quantiles(text: str) -> list[float]:
    out = []
    for part in _split([text]):
        try:
            q = float(part)
        except ValueError:
            raise ForecastError(f"{part!r} is not a number", field="--quantiles") from None
        if not 0 <= q <= 1:
            raise ForecastError(f"{q:g} is not between 0 and 1", field="--quantiles")
        out.append(q)
    if not out:
        raise ForecastError("no quantiles given", field="--quantiles")
    return out


def parse_fy_start(label: str) -> int:
    from .population import parse_financial_year

    return parse_financial_year(label)


class _NoClient:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def _maybe_client(scheduler, workers):
    if not (scheduler or workers):
        return _NoClient()
    from .scale import dask_client

    return dask_client(scheduler=scheduler, workers=_int_option(workers, "--workers") if workers else None)


class _progress_bar:
    """A click progress bar over measures × area chunks, for long runs (or --progress)."""

    def __init__(self, wanted, draws, measures):
        self.wanted = wanted if wanted is not None else (bool(draws) and draws >= 200 and sys.stderr.isatty())
        self.total = max(1, len(_split(measures)))
        self.bar = None

    def __enter__(self):
        if not self.wanted:
            return None
        self.bar = click.progressbar(length=self.total, label="forecast: drawing", file=sys.stderr)
        self.bar.__enter__()
        return self.bar.update

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)
        return False


def _print_estimate(pop, measures, draws, bands, ages, quantiles, areas, years):
    from .population import parse_financial_year, select_areas, select_years
    from .projection import resolve_measures
    from .scale import estimate

    named = [m for m in measures if "=" in m]
    rs = {k: v for k, v in (m.split("=", 1) for m in named)} if named else measures
    with _at(field="--measures"):
        rs = resolve_measures(rs)
    with _at(field="--areas"):
        pop = select_areas(pop, areas)
    if years:
        mids = sorted({y for p in years for y in ([int(p)] if not isinstance(p, str) else
                                                  [parse_financial_year(p), parse_financial_year(p) + 1])})
        with _at(field="--years"):
            pop = select_years(pop, mids)
    e = estimate(pop, rs, draws=draws, bands=bands, ages=ages, quantiles=quantiles, keep=("sex", "age_band"))
    click.echo(
        f"estimate: {e['measures']} measure(s) × {e['areas']} areas × {e['years']} years × {e['draws']} draws\n"
        f"  values drawn:   {e['draw_values']:,}\n"
        f"  output cells:   {e['cells']:,}\n"
        f"  memory (peak):  about {e['peak_bytes'] / 2**20:,.0f} MiB\n"
        f"  time:           about {max(e['seconds'], 0.1):.1f} s on this machine (a timed sample, scaled)"
    )


def _split(values: Sequence[str]) -> list[str]:
    out = []
    for v in values:
        out.extend(p.strip() for p in v.split(",") if p.strip())
    return out


def _parse_years(values: Sequence[str]) -> list[int | str]:
    from .population import expand_periods

    out: list[int | str] = []
    for part in _split(values):
        if "/" in part and "-" in part:
            with _at(field="--years"):
                out.extend(expand_periods(part))
        elif "/" in part:
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
    f = click.option("--mye", "mye", multiple=True, type=click.Path(dir_okay=False),
                     help="ONS mid-year estimates file(s) to join to the population by year (tidy, Nomis or MYEB1 layout).")(f)
    f = click.option("--history", is_flag=True,
                     help="Join the shipped ONS mid-year estimates for 2011 and 2018 to the population (for base years).")(f)
    f = click.option("--groups", "groups", multiple=True, type=click.Path(dir_okay=False),
                     help="Area-groups YAML: add areas made of other areas (e.g. a county from its districts).")(f)
    f = click.option("--population-format", type=click.Choice(["snpp", "tidy"]), default="snpp", show_default=True,
                     help="Layout of --population files: ONS SNPP CSVs/zip, or a tidy CSV.")(f)
    f = click.option("--population", "population", multiple=True, type=click.Path(),
                     help="Population file(s), folder or ONS zip (default: the embedded ONS 2022-based SNPP extract).")(f)
    return f


def _load_population(population, population_format, groups, history=False, mye=()):
    from .population import add_groups, combine_populations, default_history, default_population, load_groups
    from .readers import read_mye, read_snpp, read_tidy

    if not population:
        pop = default_population()
    elif population_format == "tidy":
        if len(population) != 1:
            raise ForecastError("a tidy population is one CSV file", field="--population")
        pop = read_tidy(population[0])
    else:
        pop = read_snpp(list(population))
    extra = ([default_history()] if history else []) + [read_mye(m) for m in mye]
    if extra:
        pop = combine_populations(extra + [pop])
    for g in groups:
        pop = add_groups(pop, load_groups(g))
    return pop


@main.command("run", context_settings=_CONTEXT, epilog="""\b
Examples:
  forecast run --areas Leicester --measures cfas_ii_2013 --years 2030
  forecast run --areas E06000016,E06000017 --measures dementia_uk_2014,depression_15pct \\
               --years 2025-2040 --bands 65-74,75-84,85+ --output demand.csv
  forecast run --areas Leicester --measures apms2014_any_cmd --years 2025/26,2026/27 --ages 18-64
  forecast run --areas Leicester --measures my_rates.yaml --years 2030 --format netcdf -o out.nc
  forecast run -a Leicester -m dementia_uk_2014 -y 2030 --ages 65+ --ethnic-mix census2021_ts021_llr \
               --ethnic-mapping census2021_to_broad5 --relative-risks pham2018_dementia_irr --by ethnicity""")
@click.option("--areas", "-a", multiple=True, required=True, help="Area codes or names, comma-separated.")
@click.option("--measures", "-m", multiple=True, required=True, help="Rate-set ids or YAML files, comma-separated.")
@click.option("--years", "-y", multiple=True, help="Years: 2025,2030 or 2025-2040, or financial years 2025/26 (default: all).")
@click.option("--bands", "-b", multiple=True, help="Output age bands, e.g. 65-74,75-84,85+ (default: each rate set's own bands).")
@click.option("--ages", help="Sum one age range, e.g. 65+ (instead of bands).")
@_population_options
@click.option("--ethnic-mix", help="Split by ethnic group: a built-in mix id (e.g. census2021_ts021_llr) or a CSV file.")
@click.option("--ethnic-mapping", help="Map the mix's groups to broad ones: a mapping id (e.g. census2021_to_broad5) or YAML file.")
@click.option("--relative-risks", "relative_risks", multiple=True,
              help="Ethnic relative risks (id or YAML), applied to the measures they name, e.g. pham2018_dementia_irr.")
@click.option("--ethnic-mode", type=click.Choice(["reference", "standardised"]), help="Override the relative risks' own mode.")
@click.option("--by", type=click.Choice(["ethnicity"]), help="Keep the ethnic groups as rows (adds an ethnicity column).")
@click.option("--derived", "derived", multiple=True,
              help="Derived-measures file(s) (id or YAML), e.g. leicester_carers_2015; needs --ages or --bands.")
@click.option("--scenario", help="A scenario (id or YAML) whose trend replaces the rate sets' own, e.g. ahmadi_abhari_2017_incidence_fall.")
@click.option("--extend-to", "extend_to", help="Carry the population past its last year to this year (or strategy end, 'March 2050').")
@click.option("--draws", help="Draw the rates this many times (uncertainty); output mean and quantiles.")
@click.option("--seed", default="0", show_default=True, help="Seed for the draws (same seed, same output).")
@click.option("--quantiles", default="0.025,0.5,0.975", show_default=True, help="Quantiles to report with --draws.")
@click.option("--keep-draws", is_flag=True, help="With --draws: write every draw (a draw column) instead of mean and quantiles.")
@click.option("--scheduler", help="Run on this dask.distributed scheduler (tcp://host:8786); fails fast if unreachable.")
@click.option("--workers", help="Run on a local dask cluster of this many worker processes.")
@click.option("--chunk-areas", "chunk_areas", default="50", show_default=True, help="Areas per dask chunk (with --scheduler/--workers).")
@click.option("--estimate", is_flag=True, help="Print the expected cells, memory and time, and stop.")
@click.option("--progress/--no-progress", default=None, help="Show a progress bar (default: for long runs on a terminal).")
@click.option("--format", "fmt", type=click.Choice(["csv", "netcdf"]), help="Output format (default: from --output's suffix, else csv).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file (needed for netcdf).")
def run_cmd(areas, measures, years, bands, ages, population, population_format, groups, history, mye, ethnic_mix,
            ethnic_mapping, relative_risks, ethnic_mode, by, derived, scenario, extend_to, draws, seed, quantiles,
            keep_draws, scheduler, workers, chunk_areas, estimate, progress, fmt, output) -> None:
    """Project demand and write it as a tidy CSV or NetCDF.

    The CSV has the columns area_code, area_name, year, sex, age_band, measure, value.
    A measure may be named: --measures young_carers=census2011_unpaid_care.
    """
    from .runs import run

    fmt = _infer_format(fmt, output, ("csv", "netcdf"), "csv")
    if fmt == "netcdf" and not output:
        _fail("netcdf output needs --output FILE")
    if derived and not (bands or ages):
        _fail("--derived needs --ages or --bands (so that every measure shares its age bands)")
    n_draws = _int_option(draws, "--draws") if draws is not None else None
    n_seed = _int_option(seed, "--seed")
    qs = _quantiles(quantiles) if n_draws else None
    if (keep_draws or scheduler or workers) and n_draws is None:
        _fail("--keep-draws, --scheduler and --workers go with --draws")
    if scheduler and workers:
        _fail("give --scheduler or --workers, not both")
    pop = _load_population(population, population_format, groups, history, mye)
    if extend_to:
        from .population import strategy_end
        from .scenarios import extend_population

        with _at(field="--extend-to"):
            target = int(extend_to) if str(extend_to).strip().isdigit() else parse_fy_start(strategy_end(extend_to)) + 1
            pop = extend_population(pop, target)
    if by and not ethnic_mix:
        _fail("--by ethnicity needs --ethnic-mix")
    if (ethnic_mapping or relative_risks or ethnic_mode) and not ethnic_mix:
        _fail("--ethnic-mapping, --relative-risks and --ethnic-mode need --ethnic-mix")
    if ethnic_mix:
        from .ethnicity import get_ethnic_mix, split_by_ethnicity
        from .errors import at

        with at(field="--ethnic-mix"):
            mix = get_ethnic_mix(ethnic_mix)
        if ethnic_mapping:
            with at(field="--ethnic-mapping"):
                mix = mix.map_groups(ethnic_mapping)
        with at(field="--ethnic-mix"):
            pop = split_by_ethnicity(pop, mix, areas=_split(areas))
    if n_draws is not None and (scheduler or workers):
        from .scale import chunk_by_area

        pop = chunk_by_area(pop, _int_option(chunk_areas, "--chunk-areas"))
    if estimate:
        _print_estimate(pop, _split(measures), n_draws or 1, _split(bands) or None, ages, qs, _split(areas),
                        _parse_years(years) if years else None)
        return
    with _maybe_client(scheduler, workers), _progress_bar(progress, n_draws, _split(measures)) as tick:
        ds = _run_batch(run, pop, areas, measures, years, bands, ages, relative_risks, ethnic_mode, derived,
                        scenario, n_draws, n_seed, qs, keep_draws, tick)
    _write_run(ds, ethnic_mix, by, fmt, output)


def _run_batch(run, pop, areas, measures, years, bands, ages, relative_risks, ethnic_mode, derived, scenario,
               n_draws, n_seed, qs, keep_draws, tick):
    return run(
        pop,
        _split(measures),
        areas=_split(areas),
        years=_parse_years(years) if years else None,
        bands=_split(bands) or None,
        ages=ages,
        relative_risks=_split(relative_risks) or None,
        ethnic_mode=ethnic_mode,
        derived=_split(derived),
        scenario=scenario,
        draws=n_draws,
        seed=n_seed,
        quantiles=qs,
        keep_draws=keep_draws,
        progress=tick,
        field_names={k: f"--{k.replace('_', '-')}" for k in ("areas", "measures", "years", "bands", "ages", "relative_risks",
                                                             "derived", "scenario", "draws", "seed", "quantiles")},
    )


def _write_run(ds, ethnic_mix, by, fmt, output):
    from .runs import to_tidy_frame

    if ethnic_mix and not by:
        ds = [d.sum("ethnicity", keep_attrs=True) for d in ds]
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
    """List every known rate set, ethnic relative-risk set and ethnic-group mapping."""
    from .assumptions import MAPPING_SCHEMA, RR_SCHEMA, list_rate_sets, registry

    df = list_rate_sets()
    click.echo("Rate sets:")
    click.echo(df.drop(columns=["citation"]).to_string(index=False))
    rr_ids = registry.ids(RR_SCHEMA)
    if rr_ids:
        click.echo("\nEthnic relative risks:")
        for i in rr_ids:
            rr = registry.get_relative_risks(i)
            click.echo(f"  {rr.id:<28} {rr.measure:<24} reference {rr.reference}, {rr.mode}; groups: {', '.join(rr.groups)}")
    maps = registry.ids(MAPPING_SCHEMA)
    if maps:
        from .ethnicity import load_mapping

        click.echo("\nEthnic-group mappings:")
        for i in maps:
            m = load_mapping(i)
            click.echo(f"  {m.id:<28} to {', '.join(m.groups)}")


@assumptions_cmd.command("show", context_settings=_CONTEXT)
@click.argument("rate_set")
def assumptions_show(rate_set: str) -> None:
    """Show one rate set (or relative-risk set or mapping): its source, citation and figures."""
    from .assumptions import MAPPING_SCHEMA, RR_SCHEMA, get_rate_set, registry

    if registry.find(rate_set, RR_SCHEMA) or registry.find(rate_set, MAPPING_SCHEMA):
        _show_ethnic(rate_set)
        return
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


def _show_ethnic(key: str) -> None:
    from .assumptions import MAPPING_SCHEMA, registry

    if registry.find(key, MAPPING_SCHEMA):
        from .ethnicity import load_mapping

        m = load_mapping(key)
        click.echo(f"id:        {m.id}\nlabel:     {m.label}\ncitation:  {m.source.citation}")
        if m.source.notes:
            click.echo(f"notes:     {m.source.notes}")
        for broad, detailed in m.groups.items():
            click.echo(f"\n{broad}:\n  " + "\n  ".join(detailed))
        return
    rr = registry.get_relative_risks(key)
    lines = [
        f"id:        {rr.id}", f"measure:   {rr.measure}", f"label:     {rr.label}",
        f"reference: {rr.reference} (mode {rr.mode})", f"citation:  {rr.source.citation}",
    ]
    for k in ("doi", "table", "read_from", "notes"):
        if getattr(rr.source, k):
            lines.append(f"{k + ':':<10} {getattr(rr.source, k)}")
    if rr.derived_from_rates:
        lines.append("ratios:    derived from the published rates by group (rate / reference rate)")
    if rr.study_population:
        lines.append(f"study population: {rr.study_population_source}")
    click.echo("\n".join(lines) + "\n")
    click.echo(f"{'group':<20} {'male':>8} {'female':>8}")
    for g, v in rr.ratios.items():
        iv = (rr.intervals or {}).get(g)
        extra = f"   95% CI m {iv['male'][0]:g}-{iv['male'][1]:g}, f {iv['female'][0]:g}-{iv['female'][1]:g}" if iv else ""
        click.echo(f"{g:<20} {v['male']:>8.3f} {v['female']:>8.3f}{extra}")


@assumptions_cmd.command("validate", context_settings=_CONTEXT)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
def assumptions_validate(paths) -> None:
    """Check assumption files (rate sets, relative risks, mappings) or folders; exit 2 if any is invalid."""
    from .assumptions import load_any

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
            obj = load_any(f)
            what = f"ages {obj.coverage.label}" if hasattr(obj, "coverage") else type(obj).__name__
            click.echo(f"ok: {f} ({obj.id}: {getattr(obj, 'measure', 'mapping')}, {what})")
        except ForecastError as e:
            bad += 1
            click.echo(f"error: {e}", err=True)
    if bad:
        click.echo(f"{bad} of {len(files)} file(s) invalid", err=True)
        sys.exit(EXIT_BAD_INPUT)


# --------------------------------------------------------------------------- indicator

@main.command("indicator", context_settings=_CONTEXT, epilog="""\b
Examples:
  forecast indicator examples/leicester_indicators.yaml
  forecast indicator examples/leicester_indicators.yaml -o indicators.xlsx
  forecast indicator examples/leicester_indicators.yaml --format csv --draws 2000 --seed 5""")
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(_TABLE_FORMATS), help="Output format (default: from --output's suffix, else md).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file (needed for xlsx).")
@click.option("--draws", help="Draw the rates this many times for intervals (overrides the spec).")
@click.option("--seed", help="Seed for the draws (overrides the spec).")
def indicator_cmd(spec: str, fmt: str | None, output: str | None, draws, seed) -> None:
    """Observed against expected (e.g. the dementia diagnosis rate), and the counts needed
    each year to reach a target by a target year.

    The spec names the observed-counts CSV (area, period, measure, count), the rate set
    and ages giving each expected number, and any target; see README.md.
    """
    from .indicators import run_indicator_spec

    fmt = _infer_format(fmt, output, _TABLE_FORMATS, "md")
    if fmt == "xlsx" and not output:
        _fail("xlsx output needs --output FILE")
    report = run_indicator_spec(spec, draws=_int_option(draws, "--draws") if draws is not None else None,
                                seed=_int_option(seed, "--seed") if seed is not None else None)
    if fmt == "xlsx":
        with atomic_path(output) as tmp:
            report.to_excel(tmp)
        click.echo(f"wrote {output}", err=True)
        return
    _emit({"md": report.to_markdown, "csv": report.to_csv, "html": report.to_html}[fmt](), output)


# --------------------------------------------------------------------------- areas

@main.command("areas", context_settings=_CONTEXT, epilog="""\b
Examples:
  forecast areas               (every area of the embedded population)
  forecast areas leic          (codes or names containing 'leic')""")
@click.argument("text", required=False, default="")
@_population_options
def areas_cmd(text: str, population, population_format, groups, history, mye) -> None:
    """Find area codes by name (or list all areas of the population)."""
    from .population import find_areas

    pop = _load_population(population, population_format, groups, history, mye)
    df = find_areas(pop, text)
    if df.empty:
        _fail(f"no area code or name contains {text!r}")
    if not df["members"].any():
        df = df.drop(columns=["members"])
    click.echo(df.to_string(index=False))


def run_main(argv: Sequence[str] | None = None) -> None:
    """Console entry point: click's usage errors become one line and exit status 2 too."""
    try:
        code = main.main(args=argv, prog_name="forecast", standalone_mode=False)
    except click.UsageError as e:
        if type(e).__name__ == "NoArgsIsHelpError" and e.ctx is not None:  # bare `forecast`: its help, not an error
            click.echo(e.ctx.get_help())
            sys.exit(0)
        hint = f" (see 'forecast {e.ctx.command_path.split(' ', 1)[1] + ' ' if e.ctx and ' ' in e.ctx.command_path else ''}--help')"
        click.echo(f"forecast: error: {e.format_message()}{hint}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except click.Abort:
        click.echo("forecast: aborted", err=True)
        sys.exit(1)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    run_main()
