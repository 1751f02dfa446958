"""forecast population: list the ONS datasets forecast can download, and download them."""

from __future__ import annotations

import sys

import click

from .main import CONTEXT, Group, main


@main.group("population", cls=Group, context_settings=CONTEXT, epilog="""\b
Examples:
  forecast population list
  forecast population download snpp2022
  forecast population download snpp2022 --file ~/Downloads/2022snpppopulationsyoamigcat23.zip
  forecast run --population snpp2022 --areas Birmingham --measures cfas_ii_2013 --years 2030""")
def population_cmd() -> None:
    """List and download ONS population datasets (kept in the cache folder, fetched once)."""


@population_cmd.command("list", context_settings=CONTEXT, epilog="""\b
Examples:
  forecast population list
  forecast population list --urls""")
@click.option("--urls", is_flag=True, help="Show each dataset's ONS address.")
def population_list(urls: bool) -> None:
    """The datasets forecast can download, and whether each is downloaded (and where)."""
    from ..population.cache import CACHE_ENV, cache_dir
    from ..population.download import status

    rows = status()
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        cached = f"downloaded {r['downloaded'][:10]}: {r['cached']}" if r["cached"] else "not downloaded"
        cached += f" ({r['partial']})" if r["partial"] else ""
        click.echo(f"{r['name']:<{width}}  {r['vintage']}; variant {r['variant']}; boundaries {r['boundaries']}"
                   + (f"; years {r['years']}" if r["years"] else ""))
        click.echo(f"{'':<{width}}  {cached}")
        if r["cached"]:
            click.echo(f"{'':<{width}}  sha256 {r['sha256']} "
                       + ("(published)" if r["sha256_published"] else "(recorded at download; ONS publishes none)"))
        if r["variants_in_file"]:
            click.echo(f"{'':<{width}}  variants in the file: {', '.join(r['variants_in_file'])} "
                       f"(use {r['name']}:CODE)")
        if urls:
            click.echo(f"{'':<{width}}  {r['url']}")
    click.echo(f"\nCache folder: {cache_dir()} (set {CACHE_ENV} to use another).  "
               "Download with 'forecast population download NAME'; use with --population NAME.")
    from ..population.national import variant_names

    click.echo("\nVariants (--variant NAME, or variant: in a spec; shipped, no download: the ratio of ONS's "
               "2018-based national variant to its principal projection, by sex, age and year):")
    for name, label in variant_names().items():
        click.echo(f"  {name:<46} {label}")


@population_cmd.command("download", context_settings=CONTEXT, epilog="""\b
Examples:
  forecast population download snpp2022
  forecast population download snpp2022 --file 2022snpppopulationsyoamigcat23.zip   (fetched by hand)
  forecast population download npp2024 mye2011_2025""")
@click.argument("names", nargs=-1, required=True)
@click.option("--file", "file", type=click.Path(dir_okay=False),
              help="A file downloaded by hand: check it and keep it in the cache as NAME.")
@click.option("--url", help="Fetch from this address instead (ONS moved the file).")
@click.option("--force", is_flag=True, help="Fetch again even if downloaded (replaces a changed file).")
def population_download(names: tuple[str, ...], file: str | None, url: str | None, force: bool) -> None:
    """Download ONS datasets into the cache folder (once; later calls reuse the file).

    Each file is checked (the ONS layout, then every cell as it is read once) and its
    address, date, size and sha256 are recorded beside it."""
    from ..errors import ForecastError
    from ..population.download import dataset, download
    from ..population.download import read_population

    if (file or url) and len(names) > 1:
        raise ForecastError("--file and --url apply to one dataset: name only one", field="--file" if file else "--url")
    for name in names:
        dataset(name)  # every name known before anything is fetched
    interactive = sys.stderr.isatty()  # the one-line error stays one line in scripts and logs
    for name in names:
        path, rec, fetched = download(name, url=url, file=file, force=force,
                                      progress=(lambda m: click.echo(f"forecast: {m} …", err=True)) if interactive else None)
        what = "kept" if file else ("downloaded" if fetched else "already downloaded")
        click.echo(f"{dataset(name).name}: {what}: {path} ({rec['size']:,} bytes, sha256 {rec['sha256']})")
        if fetched:  # read it once: every cell checked, and the parsed cube cached for later commands
            pop = read_population(name)
            years = pop["year"].values
            click.echo(f"{dataset(name).name}: read: {pop.sizes['area']} areas, {int(years[0])}-{int(years[-1])}, "
                       f"ages 0-{pop.attrs['open_top_age'] - 1} and {pop.attrs['open_top_age']}+")
