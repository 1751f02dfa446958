"""The report's method: the formula, each rate set with its citation, the population and
its vintage, rounding, and what the intervals are (or why there are none).

Moved from ``forecast/output/report.py`` (its "method" section).
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping, Sequence

import xarray as xr

from ..notes import FINANCIAL_YEARS_NOTE, draws_text, measure_notes, population_notes, rounding_note


def _formula(results: Sequence[xr.Dataset], names: Sequence[str], financial: bool) -> list[str]:
    attrs = [ds[n].attrs for ds in results for n in names if n in ds.data_vars]
    terms = "population(area, year, sex, age) × rate(sex, age)"
    if any(a.get("relative_risks") for a in attrs):
        terms = ("population(area, year, sex, age, ethnic group) × rate(sex, age) × "
                 "relative risk(ethnic group)")
    if any(a.get("trend") for a in attrs):
        terms += " × trend(year)"
    lines = [
        f"Expected number of people = Σ over the ages and sexes shown of {terms}.",
        "Each single year of age takes the rate of the published age band it falls in; the products are "
        "summed into the areas, age bands and years of the tables. Areas made of other areas (a county, "
        "a region) are the sums of their members.",
    ]
    if any(a.get("trend") for a in attrs):
        lines.append("trend(year) is 1 under constant rates (the POPPI assumption); a scenario replaces it with "
                     "the published change in age-specific rates named below.")
    for a in attrs:
        if a.get("derivation") and f"{a['derivation'].rstrip('.')}." not in lines:
            lines.append(f"{a['derivation'].rstrip('.')}.")
    if financial:
        lines.append(FINANCIAL_YEARS_NOTE)
    return lines


def _interval_text(first: xr.Dataset, level: float | None) -> list[str]:
    a = first.attrs
    if a.get("draws") in (None, ""):
        return ["No intervals are shown: the rates are used as published point estimates. The figures carry "
                "the uncertainty of the surveys behind the rates and of the population projection, which a "
                "single number does not show; the spec's 'uncertainty: {draws: 1000}' adds intervals from the "
                "rates' published confidence intervals."]
    lvl = level if level is not None else 0.95
    lo = 100 * (1 - lvl) / 2
    return [
        f"Each figure is the median of {draws_text(a['draws'])} draws of the rates (seed {a.get('seed', '?')}); the range "
        f"in brackets, the shaded band and the error bars are the central {lvl:.0%} interval of the draws "
        f"(their {lo:g}th to {100 - lo:g}th percentiles). Totals and changes are worked out within each draw.",
        "The intervals show the sampling uncertainty of the published rates only: the population projection is "
        "taken as given (its variants are other assumptions, not intervals), and rates with no published "
        "uncertainty are held at their point estimates.",
        f"Rates drawn: {a.get('uncertainty', '')}.",
    ]


def _unique(notes: Iterable[str]) -> list[str]:
    """The notes in order, each once."""
    return list(dict.fromkeys(notes))


def _population_text(results: Sequence[xr.Dataset], areas: Sequence[str] | None) -> list[str]:
    """The population notes of every result, its projection's vintage and the files read."""
    pops = _unique(n for ds in results for n in population_notes(ds, areas))
    a = results[0].attrs
    vintage = re.search(r"\b(\d{4})-based\b", str(a.get("population_title") or ""))
    if vintage:
        pops.insert(1, f"Vintage: the {vintage.group(1)}-based projection (its base year is mid-{vintage.group(1)}).")
    files = a.get("population_source")
    if files:
        pops.append(f"Files read: {files}.")
    return pops


def method_sections(results: Sequence[xr.Dataset], names: Sequence[str], *, labels: Mapping[str, str] | None = None,
                    round_to: float = 1, financial: bool = False, areas: Sequence[str] | None = None,
                    level: float | None = None) -> list[tuple[str, list[str]]]:
    """The method, in parts: ``[(heading, [paragraph, …]), …]``."""
    results = list(results)
    first = results[0]
    rates = _unique(n for ds in results
                    for n in measure_notes(ds, [n for n in names if n in ds.data_vars], labels=labels))
    pops = _population_text(results, areas)
    return [
        ("Formula", _formula(results, names, financial)),
        ("Rates", rates),
        ("Population", pops),
        ("Rounding", [rounding_note(round_to)]),
        ("Intervals", _interval_text(first, level)),
    ]
