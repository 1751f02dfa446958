"""Assumptions: the cited rate sets, ethnic relative risks, group mappings, scenarios and
derived-measure definitions that turn a population into demand, and the registry that finds
them by id.

Layer: uses :mod:`forecast.schemas`, :mod:`forecast.population` and below; used by
:mod:`forecast.model` and above.  Each kind has its own module; this package's top level
joins them (:func:`load_any`, :func:`register`, :func:`list_rate_sets`).
"""

from __future__ import annotations

import re
from os import PathLike
from pathlib import Path

import pandas as pd

from ..errors import ForecastError
from .derived import DerivedMeasures, load_derived
from .mapping import EthnicMapping, load_mapping
from .rate_set import UNITS, OpenTop, RateSet, get_rate_set, load_rate_set
from .registry import ENTRY_POINT_GROUP, LOADERS, Registry, registry, schema_of
from .relative_risks import RelativeRisks, Source, get_relative_risks, load_relative_risks
from .scenario import CONSTANT, Scenario, apply_scenario, load_scenario
from .trend import Trend

__all__ = [
    "UNITS", "OpenTop", "RateSet", "Source", "Trend", "RelativeRisks", "EthnicMapping", "Scenario",
    "DerivedMeasures", "CONSTANT", "ENTRY_POINT_GROUP", "Registry", "registry", "schema_of",
    "load_rate_set", "get_rate_set", "load_relative_risks", "get_relative_risks", "load_mapping",
    "load_scenario", "apply_scenario", "load_derived", "load_any", "register", "list_rate_sets",
]

def load_any(path: str | PathLike):
    """Load an assumption file of any kind, chosen by its ``schema:``."""
    path = Path(path)
    kind = schema_of(path) if path.is_file() else None
    return LOADERS.get(kind, load_rate_set)(path)


def register(item) -> None:
    """Make a RateSet, RelativeRisks (or other assumption object), a YAML file, or a folder
    of YAML files available by id.  A file is validated when it is added."""
    registry.add(item)


def list_rate_sets(reg: Registry = registry) -> pd.DataFrame:
    """One row per known rate set, grouped by measure: id, measure, ages, sexes (by sex or
    persons), the source's year (the first year its citation names), intervals (published,
    from counts, survey bases or none), label and citation."""
    rows = []
    for rid in reg.ids("rate-set"):
        try:
            rs = reg.get(rid, "rate-set")
        except ForecastError as e:
            rows.append({"id": rid, "measure": "", "ages": "", "sexes": "", "year": "", "intervals": "",
                         "label": f"INVALID: {e}", "citation": ""})
            continue
        year = re.search(r"\b(19|20)\d\d\b", rs.source.citation)
        rows.append({
            "id": rs.id, "measure": rs.measure, "ages": rs.coverage.label, "sexes": "by sex" if rs.by_sex else "persons",
            "year": year[0] if year else "",
            "intervals": ("counts" if rs.counts is not None else "yes" if rs.intervals is not None
                          else "bases" if rs.bases is not None else "no"),
            "label": rs.label, "citation": rs.source.short(70),
        })
    df = pd.DataFrame(rows, columns=["id", "measure", "ages", "sexes", "year", "intervals", "label", "citation"])
    return df.sort_values(["measure", "id"], kind="stable").reset_index(drop=True)
