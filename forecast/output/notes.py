"""The notes under a table or chart: population, each rate set with its citation, scenario,
ethnic adjustment, rounding, financial years, the draws behind the intervals and the
forecast version.  Numbers of draws are written with a thousands separator everywhere
("1,000 draws"), as the charts and the method write them."""

from __future__ import annotations

import json
from typing import Mapping, Sequence

import xarray as xr

from ..population.ethnicity import ALL_AGE_WARNING

GEOGRAPHY_SOURCE = "ONS, Local Authority District to County and Unitary Authority (April 2023) Lookup in England"

__all__ = ["source_notes", "population_notes", "measure_notes", "footer_notes", "rounding_note", "uncertainty_note",
           "draws_text", "FINANCIAL_YEARS_NOTE"]

#: How a financial year's value is made (under a table and in the report's method).
FINANCIAL_YEARS_NOTE = "Financial years (April-March) are 0.75 × mid-year Y + 0.25 × mid-year Y+1 (interpolated)."


def source_notes(
    result: xr.Dataset,
    names: Sequence[str],
    *,
    labels: Mapping[str, str] | None = None,
    round_to: float = 1,
    financial: bool = False,
    areas: Sequence[str] | None = None,
) -> list[str]:
    """The note under a table: population, each rate set with its citation, rounding."""
    return (
        population_notes(result, areas)
        + measure_notes(result, names, labels=labels)
        + footer_notes(result, round_to=round_to, financial=financial)
    )


def population_notes(result: xr.Dataset, areas: Sequence[str] | None = None) -> list[str]:
    """Population, its extension or variant, and how the areas shown are made (only those)."""
    a = result.attrs
    pop = a.get("population_title") or a.get("population_source", "population as given")
    parts = [pop] + [a[k] for k in ("population_publisher", "population_licence") if a.get(k)]
    notes = ["Population: " + "; ".join(parts) + "."]
    for key in ("population_extended", "population_variant", "population_comparator"):
        if a.get(key):
            notes.append(a[key][0].upper() + a[key][1:].rstrip(".") + ".")
    groups = json.loads(a.get("area_groups") or "{}")
    names = dict(zip(map(str, result["area"].values), map(str, result["area_name"].values)))
    shown = [c for c in (areas if areas is not None else names) if c in groups]
    if shown:
        made = [f"{names.get(c, c)} ({c}) = the sum of its {len(groups[c])} "
                f"{'districts' if a.get('population_geography') else 'member areas'}"
                + (f" {', '.join(groups[c])}" if len(groups[c]) <= 10 else "") for c in shown]
        notes.append("Areas: " + "; ".join(made) + (f" ({GEOGRAPHY_SOURCE})" if a.get("population_geography") else "") + ".")
    if a.get("derived_measures"):
        notes.append(f"Derived measures: {a['derived_measures'].split(' (')[0]} — {a.get('derived_measures_citation', '')}".rstrip(".") + ".")
    if a.get("ethnic_mix_form"):
        line = f"Ethnic mix: {a['ethnic_mix_form']}, {a.get('ethnic_mix_file', '')}"
        if a.get("ethnic_mapping"):
            line += f", grouped with {a['ethnic_mapping']}"
        if a.get("ethnic_mix_source"):
            line += f" — {a['ethnic_mix_source']}"
        notes.append(line.rstrip(". ") + "; shares held constant over the years.")
        if a.get("ethnic_mix_by_age") == "no":
            notes.append("Caution: " + ALL_AGE_WARNING + ".")
    return notes


def measure_notes(result: xr.Dataset, names: Sequence[str], *, labels: Mapping[str, str] | None = None) -> list[str]:
    notes = []
    for n in names:
        v = result[n].attrs
        label = (labels or {}).get(n) or v.get("long_name", n)
        if v.get("measure") == "population":
            continue  # the population itself: its source is the population note
        if v.get("derivation"):
            notes.append(f"{v['derivation'].rstrip('.')}. Source: {v.get('citation', '').rstrip('.')}.")
            continue
        notes.append(f"{label}: rate set {v.get('rate_set', n)} — {v.get('citation', 'no citation')}".rstrip(".") + ".")
        if v.get("open_top_note"):
            notes.append(f"{v['open_top_note'].rstrip('.')}.")
        if v.get("trend"):
            notes.append(f"Scenario ({v.get('rate_set', n)}): {v['trend'].rstrip('.')}.")
        if v.get("relative_risks"):
            line = (
                f"Ethnic adjustment ({label}): relative risks {v['relative_risks']}, {v.get('relative_risks_mode')} mode, "
                f"reference {v.get('relative_risks_reference')} — {v.get('relative_risks_citation', '')}".rstrip(".")
            )
            if v.get("ethnic_groups_without_ratio"):
                line += f". No published ratio, given 1: {v['ethnic_groups_without_ratio']}"
            notes.append(line + ".")
    return notes


def rounding_note(round_to: float = 1) -> str:
    """The note on rounding (under a table and in the report's method)."""
    rounding = f"nearest {round_to:g}" if round_to != 1 else "nearest whole number"
    return (f"Figures are rounded to the {rounding}; totals and percentage changes are worked out before rounding, "
            "so rows may not add up exactly.")


def footer_notes(result: xr.Dataset, *, round_to: float = 1, financial: bool = False) -> list[str]:
    notes = [rounding_note(round_to)]
    if financial:
        notes.append(FINANCIAL_YEARS_NOTE)
    notes.append(f"Produced with forecast {result.attrs.get('forecast_version', '')}.")
    return notes


def draws_text(draws) -> str:
    """A number of draws as every note writes it: "1,000" (unknown: "?")."""
    try:
        return f"{int(draws):,}"
    except (TypeError, ValueError):
        return "?"


def uncertainty_note(result: xr.Dataset, level: float) -> str:
    """The note under a table with intervals: the draws (seed), the interval and the rates drawn."""
    a = result.attrs
    lo = 100 * (1 - level) / 2
    return (f"Uncertainty: each cell is the median of {draws_text(a.get('draws'))} draws (seed {a.get('seed', '?')}) "
            f"with its {level:.0%} interval (the {lo:g}th to {100 - lo:g}th percentiles); totals and changes are "
            f"worked out within each draw. Rates drawn: {a.get('uncertainty', '')}.")
