"""forecast assumptions: list, show and validate rate sets and other assumption files."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import ForecastError
from .common import columns
from .main import CONTEXT, EXIT_BAD_INPUT, Group, fail, main


@main.group("assumptions", cls=Group, context_settings=CONTEXT, epilog="""\b
Examples:
  forecast assumptions list
  forecast assumptions show cfas_ii_2013
  forecast assumptions validate my_rates.yaml assumptions/""")
def assumptions_cmd() -> None:
    """List, show and validate rate sets (assumption files)."""


@assumptions_cmd.command("list", context_settings=CONTEXT, epilog="""\b
Examples:
  forecast assumptions list
  forecast assumptions list | grep dementia""")
def assumptions_list() -> None:
    """List every known rate set, ethnic relative-risk set and ethnic-group mapping."""
    from ..assumptions import list_rate_sets, load_mapping, registry

    df = list_rate_sets()
    click.echo("Rate sets, by measure (published: the year of the publication cited; intervals: published, "
               "from counts, survey bases, or none):")
    header = ["id", "ages", "sexes", "published", "intervals", "label"]
    text = columns(header, df[["id", "ages", "sexes", "year", "intervals", "label"]].astype(str).values.tolist(),
                   indent="  ").splitlines()
    click.echo("\n" + text[0])
    body = dict(zip(df.index, text[1:]))
    for measure, g in df.groupby("measure", sort=True):
        click.echo(f"\n{measure or '(invalid)'}")
        for i in g.index:
            click.echo(body[i])
    rr_ids = registry.ids("relative-risks")
    if rr_ids:
        click.echo("\nEthnic relative risks:")
        for i in rr_ids:
            rr = registry.get(i, "relative-risks")
            click.echo(f"  {rr.id:<28} {rr.measure:<24} reference {rr.reference}, {rr.mode}; groups: {', '.join(rr.groups)}")
    maps = registry.ids("ethnic-mapping")
    if maps:
        click.echo("\nEthnic-group mappings:")
        for i in maps:
            m = load_mapping(i)
            click.echo(f"  {m.id:<28} to {', '.join(m.groups)}")


@assumptions_cmd.command("show", context_settings=CONTEXT, epilog="""\b
Examples:
  forecast assumptions show cfas_ii_2013
  forecast assumptions show my_rates.yaml""")
@click.argument("rate_set")
def assumptions_show(rate_set: str) -> None:
    """Show one rate set (or relative-risk set or mapping): its source, citation and figures."""
    from ..assumptions import get_rate_set, registry

    if registry.find(rate_set, "relative-risks") or registry.find(rate_set, "ethnic-mapping"):
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
    from ..assumptions import load_mapping, registry

    if registry.find(key, "ethnic-mapping"):
        m = load_mapping(key)
        click.echo(f"id:        {m.id}\nlabel:     {m.label}\ncitation:  {m.source.citation}")
        if m.source.notes:
            click.echo(f"notes:     {m.source.notes}")
        for broad, detailed in m.groups.items():
            click.echo(f"\n{broad}:\n  " + "\n  ".join(detailed))
        return
    rr = registry.get(key, "relative-risks")
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


@assumptions_cmd.command("validate", context_settings=CONTEXT, epilog="""\b
Examples:
  forecast assumptions validate my_rates.yaml
  forecast assumptions validate my_assumptions/      (every .yaml in the folder)""")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
def assumptions_validate(paths) -> None:
    """Check assumption files (rate sets, relative risks, mappings) or folders; exit 2 if any is invalid."""
    from ..assumptions import load_any

    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(p.rglob("*.yaml")) + sorted(p.rglob("*.yml"))
            if not found:
                fail(f"{p}: folder holds no .yaml files")
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
            click.echo(f"forecast: error: {e}", err=True)  # one line per bad file, as fail() writes
    if bad:
        sys.exit(EXIT_BAD_INPUT)


