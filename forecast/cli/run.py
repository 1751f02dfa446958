"""forecast run: demand for areas, measures and years as a tidy CSV or NetCDF."""

from __future__ import annotations

import sys
from contextlib import nullcontext

import click

from ..limits import MAX_DRAWS
from .common import check_compare_with, infer_format, load_population, parse_years, population_options, split
from .main import CONTEXT, fail, main

_FIELDS = {k: f"--{k.replace('_', '-')}" for k in ("areas", "measures", "years", "bands", "ages", "relative_risks",
                                                   "derived", "scenario", "draws", "seed", "quantiles")}


def _quantiles(text: str) -> list[float]:
    from ..errors import ForecastError

    out = []
    for part in split([text]):
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


SELECTORS = ("all-districts", "all-upper-tier", "all-regions")


def _expand_selectors(pop, areas: list[str]) -> list[str]:
    """``all-upper-tier`` (and the other selectors a spec's ``areas:`` takes) → the codes."""
    from ..errors import at
    from ..specs.population import select_by_selector

    out: list[str] = []
    for a in areas:
        if a in SELECTORS or a.startswith("region:"):
            with at(field="--areas"):
                out += select_by_selector(pop, a)
        else:
            out.append(a)
    return out


def _ages(values) -> str | dict | None:
    """``--ages 65+`` for every measure, or ``--ages NAME=RANGE`` (repeatable) per measure."""
    from ..errors import ForecastError

    if not values:
        return None
    for v in values:
        age = v.split("=", 1)[-1].strip()
        if age.isdigit():  # '65' alone would be the people aged exactly 65
            raise ForecastError(f"{age!r} is one year of age: write {age}+ for {age} and over, or {age}-{age} for "
                                "that age alone", field="--ages")
    named = [v for v in values if "=" in v]
    if not named:
        if len(values) > 1:
            raise ForecastError("give one --ages for every measure, or NAME=RANGE for each", field="--ages")
        return values[0]
    if len(named) != len(values):
        raise ForecastError("give one --ages for every measure, or NAME=RANGE for each, not both", field="--ages")
    return {k.strip(): v.strip() for k, v in (x.split("=", 1) for x in values)}


class _ProgressBar:
    """A click progress bar over measures, for long runs on a terminal (or --progress)."""

    def __init__(self, wanted, draws, measures):
        self.wanted = wanted if wanted is not None else (bool(draws) and draws >= 200 and sys.stderr.isatty())
        self.total = max(1, len(split(measures)))
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
    from ..errors import at
    from ..model import resolve_measures
    from ..model.scale import estimate
    from ..periods import mid_years
    from ..population import select_areas, select_years

    named = [m for m in measures if "=" in m]
    rs = {k: v for k, v in (m.split("=", 1) for m in named)} if named else measures
    with at(field="--measures"):
        rs = resolve_measures(rs)
    with at(field="--areas"):
        pop = select_areas(pop, areas)
    if years:
        with at(field="--years"):
            pop = select_years(pop, mid_years(years))
    one_range = ages if isinstance(ages, str) else None
    if bands is None and one_range is None:  # each measure in its own published bands, as the run reports it
        from ..model.batch import native_bands

        top = int(pop.attrs["open_top_age"])
        parts = [estimate(pop, {n: r}, draws=draws, bands=[b.label for b in native_bands(r, top)], quantiles=quantiles,
                          keep=("sex", "age_band")) for n, r in rs.items()]
    else:
        parts = [estimate(pop, rs, draws=draws, bands=bands, ages=one_range, quantiles=quantiles, keep=("sex", "age_band"))]
    e = dict(parts[0])
    for k in ("measures", "draw_values", "cells", "seconds"):
        e[k] = sum(p[k] for p in parts)
    e["peak_bytes"] += sum(p["cells"] * 8 for p in parts[1:])  # every measure's output is held
    rows, size, seconds = (sum(x) for x in zip(*(_csv_cost(p["sample"], p["sample_share"]) for p in parts)))
    click.echo(
        f"estimate: {e['measures']} measure(s) × {e['areas']} areas × {e['years']} years × {e['draws']:,} draws\n"
        f"  values drawn:   {e['draw_values']:,}\n"
        f"  output cells:   {e['cells']:,}\n"
        f"  memory (peak):  {_mib(e['peak_bytes'])}\n"
        f"  time:           about {max(e['seconds'], 0.1):.1f} s on this machine (a timed sample, scaled)\n"
        f"  CSV output:     about {rows:,.0f} rows, {_mib(size).removeprefix('about ')}, {max(seconds, 0.1):.1f} s to write"
    )


def _mib(n: float) -> str:
    """``about 12 MiB``, or ``under 1 MiB``."""
    return f"about {n / 2**20:,.0f} MiB" if n >= 2**20 else "under 1 MiB"


def _csv_cost(sample, share: float) -> tuple[float, float, float]:
    """Rows, bytes and seconds of the CSV of the whole run, from writing the sample's (scaled)."""
    import time

    from ..output.tidy import tidy_csv_chunks

    t, rows, size = time.perf_counter(), 0, 0
    for piece in tidy_csv_chunks(sample):
        rows += piece.count("\n")
        size += len(piece.encode("utf-8"))
    return (rows - 1) / share, size / share, (time.perf_counter() - t) / share


@main.command("run", context_settings=CONTEXT, epilog="""\b
Examples:
  forecast run --areas Leicester --measures cfas_ii_2013 --years 2030
  forecast run --areas E06000016,E06000017 --measures dementia_uk_2014,depression_15pct \\
               --years 2025-2040 --bands 65-74,75-84,85+ --output demand.csv
  forecast run --areas Leicester --measures apms2014_any_cmd --years 2025/26,2026/27 --ages 18-64
  forecast run -a Leicester -m carers=census2011_unpaid_care,young_carers=census2011_unpaid_care \\
               --ages "carers=All ages" --ages young_carers=5-17 -y 2025
  forecast run --areas Leicester --measures my_rates.yaml --years 2030 --format netcdf -o out.nc
  forecast run -a Leicester -m cfas_ii_2013 -y 2030,2040 --ages 65+ --draws 1000 --seed 42""")
@click.option("--areas", "-a", multiple=True, required=True, help="Area codes or names, comma-separated.")
@click.option("--measures", "-m", multiple=True, required=True,
              help="Rate-set ids or YAML files, comma-separated; name one with NAME=RATE_SET.")
@click.option("--years", "-y", multiple=True, help="Years: 2025,2030 or 2025-2040, or financial years 2025/26 (default: all).")
@click.option("--bands", "-b", multiple=True, help="Output age bands, e.g. 65-74,75-84,85+ (default: each rate set's own bands).")
@click.option("--ages", multiple=True,
              help="Sum one age range, e.g. 65+ (within --bands, if given); or NAME=RANGE per named measure (repeat).")
@population_options
@click.option("--ethnic-mix", help="Split by ethnic group: a built-in mix id (e.g. census2021_ts021_llr) or a CSV file.")
@click.option("--ethnic-mapping", help="Map the mix's groups to broad ones: a mapping id (e.g. census2021_to_broad5) or YAML file.")
@click.option("--relative-risks", "relative_risks", multiple=True,
              help="Ethnic relative risks (id or YAML), applied to the measures they name, e.g. pham2018_dementia_irr.")
@click.option("--ethnic-mode", type=click.Choice(["reference", "standardised"]), help="Override the relative risks' own mode.")
@click.option("--by", type=click.Choice(["ethnicity"]), help="Keep the ethnic groups as rows (adds an ethnicity column).")
@click.option("--derived", "derived", multiple=True, help="Derived-measures file(s) (id or YAML), e.g. leicester_carers_2015.")
@click.option("--scenario", help="A scenario (id or YAML) whose trend replaces the rate sets' own, e.g. cfas_i_to_ii_prevalence_fall.")
@click.option("--extend-to", "extend_to", help="Carry the population past its last year to this year (or strategy end, 'March 2050').")
@click.option("--extend-method", "extend_method", type=click.Choice(["npp", "hold_growth"]), default="npp", show_default=True,
              help="How: by the national projection's ratios (npp), or each age keeping its last growth.")
@click.option("--variant", help="A population variant: the projection × the national variant's ratio to the principal "
                                "(e.g. high_migration, low_migration, zero_net_migration).")
@click.option("--compare-with", "compare_with", multiple=True,
              help="Add the areas' region, county or England (comma-separated) as rows for comparison.")
@click.option("--draws", type=click.IntRange(1, MAX_DRAWS), help="Draw the rates this many times: median and interval.")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=0, show_default=True, help="Seed for the draws (same seed, same output).")
@click.option("--quantiles", default="0.025,0.5,0.975", show_default=True, help="Quantiles to report with --draws.")
@click.option("--keep-draws", is_flag=True, help="With --draws: write every draw (a draw column) instead of the summary.")
@click.option("--scheduler", help="Run on this dask.distributed scheduler (tcp://host:8786); fails fast if unreachable.")
@click.option("--workers", type=click.IntRange(1, 256), help="Run on a local dask cluster of this many worker processes.")
@click.option("--chunk-areas", "chunk_areas", type=click.IntRange(1), default=50, show_default=True,
              help="Areas per dask chunk (with --scheduler/--workers).")
@click.option("--estimate", is_flag=True, help="Print the expected cells, memory and time, and stop.")
@click.option("--progress/--no-progress", default=None, help="Show a progress bar (default: for long runs on a terminal).")
@click.option("--format", "fmt", type=click.Choice(["csv", "netcdf"]), help="Output format (default: from --output's suffix, else csv).")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write to this file (needed for netcdf); r.csv gets its provenance in r.json beside it.")
def run_cmd(areas, measures, years, bands, ages, population, population_format, groups, history, mye, ethnic_mix,
            ethnic_mapping, relative_risks, ethnic_mode, by, derived, scenario, extend_to, extend_method, variant,
            compare_with, draws, seed, quantiles,
            keep_draws, scheduler, workers, chunk_areas, estimate, progress, fmt, output) -> None:
    """Project demand and write it as a tidy CSV or NetCDF.

    The CSV has the columns area_code, area_name, year, sex, age_band, measure, rate_set,
    value; with --draws, median, mean and the quantiles (q0.025, q0.975) instead of value
    (with --keep-draws, a draw column and value).  A measure may be named: --measures
    young_carers=census2011_unpaid_care.
    """
    from ..errors import at

    fmt = infer_format(fmt, output, ("csv", "netcdf"), "csv")
    if fmt == "netcdf" and not output:
        fail("netcdf output needs --output FILE")
    qs = _quantiles(quantiles) if draws else None
    if (keep_draws or scheduler or workers) and draws is None:
        fail("--keep-draws, --scheduler and --workers go with --draws")
    if scheduler and workers:
        fail("give --scheduler or --workers, not both")
    if by and not ethnic_mix:
        fail("--by ethnicity needs --ethnic-mix")
    if (ethnic_mapping or relative_risks or ethnic_mode) and not ethnic_mix:
        fail("--ethnic-mapping, --relative-risks and --ethnic-mode need --ethnic-mix")
    for option, given in (("--bands", bands), ("--relative-risks", relative_risks), ("--derived", derived),
                          ("--compare-with", compare_with)):
        if given and not split(given):
            fail(f"{option}: nothing given (an empty value): leave the option out, or give e.g. "
                 + {"--bands": "65-74,75-84,85+", "--compare-with": "region,england"}.get(option, "an id or a file"))
    age_spec = _ages(ages)
    year_list = parse_years(years) if years else None
    pop = load_population(population, population_format, groups, history, mye)
    if extend_to:
        from ..periods import strategy_end_year
        from ..population.extend import extend_population

        with at(field="--extend-to"):
            pop = extend_population(pop, strategy_end_year(extend_to), method=extend_method)
    area_list = _expand_selectors(pop, split(areas))
    if compare_with:  # before the variant, so that England from the national projection is varied too
        pop, area_list = _comparators(pop, area_list, split(compare_with))
    if variant:
        from ..population import variant as apply_variant

        with at(field="--variant"):
            pop = apply_variant(pop, variant)
    if ethnic_mix:
        pop = _split(pop, ethnic_mix, ethnic_mapping, split(areas))
    if draws is not None and (scheduler or workers):
        from ..model.scale import chunk_by_area

        with at(field="--workers" if workers else "--scheduler"):
            pop = chunk_by_area(pop, chunk_areas)
    if estimate:
        _print_estimate(pop, split(measures), draws or 1, split(bands) or None, age_spec, None if keep_draws else qs,
                        split(areas), year_list)
        return
    with _client(scheduler, workers), _ProgressBar(progress, draws, measures) as tick:
        from ..model import run

        ds = run(pop, split(measures), areas=area_list, years=year_list, bands=split(bands) or None, ages=age_spec,
                 relative_risks=split(relative_risks) or None, ethnic_mode=ethnic_mode, derived=split(derived),
                 scenario=scenario, draws=draws, seed=seed, quantiles=qs, keep_draws=keep_draws, progress=tick,
                 field_names=_FIELDS)
    _write(ds, ethnic_mix, by, fmt, output)


def _comparators(pop, areas: list[str], kinds: list[str]):
    """The areas and their regions, counties or England (England from the national projection
    if the population lacks it)."""
    from ..errors import at
    from ..population import resolve_areas
    from ..specs.population import with_comparators

    check_compare_with(kinds)
    with at(field="--areas"):
        codes = resolve_areas(pop, areas)
    with at(field="--compare-with"):
        pop, extra = with_comparators(pop, codes, kinds)
    return pop, codes + extra


def _split(pop, ethnic_mix, ethnic_mapping, areas):
    from ..assumptions import load_mapping
    from ..errors import at
    from ..population.ethnicity import get_ethnic_mix, split_by_ethnicity

    with at(field="--ethnic-mix"):
        mix = get_ethnic_mix(ethnic_mix)
    if ethnic_mapping:
        with at(field="--ethnic-mapping"):
            mix = mix.map_groups(load_mapping(ethnic_mapping))
    with at(field="--ethnic-mix"):
        return split_by_ethnicity(pop, mix, areas=areas)


def _client(scheduler, workers):
    if not (scheduler or workers):
        return nullcontext()
    from ..model.scale import dask_client

    return dask_client(scheduler=scheduler, workers=workers)


def _write(ds, ethnic_mix, by, fmt, output):
    from ..files import atomic_path
    from ..output.provenance import write_csv_with_sidecar
    from ..output.tidy import tidy_csv_chunks, to_netcdf

    if ethnic_mix and not by:
        ds = [d.sum("ethnicity", keep_attrs=True) for d in ds]
    if fmt == "netcdf":
        with atomic_path(output) as tmp:
            to_netcdf(ds, tmp)
        click.echo(f"wrote {output}", err=True)
        return
    pieces = tidy_csv_chunks(ds, float_format="%.6f")  # made and written a piece at a time
    if not output:
        for piece in pieces:
            click.echo(piece, nl=False)
        return
    side = write_csv_with_sidecar(output, pieces, _provenance(ds))
    click.echo(f"wrote {output} and {side}", err=True)


def _provenance(ds) -> dict:
    """The sidecar of a run's CSV: what it holds, its notes and sources (forecast.output.provenance)."""
    from ..output.notes import draws_text, measure_notes, population_notes
    from ..output.provenance import collect

    names = [n for d in ds for n in d.data_vars]
    long_names = list(dict.fromkeys(str(d[n].attrs.get("long_name", n)) for d in ds for n in d.data_vars))
    notes = list(dict.fromkeys(n for d in ds for n in population_notes(d) + measure_notes(d, list(d.data_vars))))
    if ds and ds[0].attrs.get("draws"):
        notes.append(f"Draws: {draws_text(ds[0].attrs['draws'])} (seed {ds[0].attrs.get('seed')}); rates drawn: "
                     f"{ds[0].attrs.get('uncertainty', '')}.")
    notes.append("Values are not rounded (six decimals).")
    return collect(ds, measures=names, title="; ".join(long_names), notes=notes)
