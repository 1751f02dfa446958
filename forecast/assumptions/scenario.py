"""Scenarios: a trend in rates, for the rate sets it names or every rate set of a measure.

Constant age-specific rates are what POPPI and PANSI assume, and what the Dementia UK
authors call the worst case.  A scenario file (``forecast.scenario/1``) gives a trend
(:class:`~forecast.assumptions.trend.Trend`) for the rate sets it applies to::

    schema: forecast.scenario/1
    id: cfas_i_to_ii_prevalence_fall
    label: Age-specific dementia prevalence falls as from CFAS I to CFAS II
    applies_to: {measure: dementia}          # or {rate_sets: [cfas_ii_2013, …]}
    trend: {total_change: -0.21, over_years: 20, from_year: 2022}
    source: {citation: "Matthews FE et al. Lancet 2013;382:1405-12"}

``constant`` is the baseline (no trend).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from os import PathLike
from pathlib import Path
from typing import Mapping

from ..errors import AssumptionError, SpecError
from ..schemas import load
from .rate_set import RateSet, get_rate_set
from .registry import LOADERS, registry
from .relative_risks import Source
from .trend import Trend

__all__ = ["Scenario", "load_scenario", "apply_scenario", "CONSTANT"]

#: The name of the baseline: rates held constant.
CONSTANT = "constant"


@dataclass(frozen=True)
class Scenario:
    KIND = "scenario"

    id: str
    label: str
    trend: Trend
    measure: str | None
    rate_sets: tuple[str, ...]
    source: Source
    path: Path | None = None

    def applies(self, rs: RateSet) -> bool:
        return rs.id in self.rate_sets if self.rate_sets else rs.measure == self.measure


def load_scenario(key: "Scenario | str | PathLike") -> Scenario:
    """A scenario by id (``assumptions/scenarios/``), path, or object."""
    return registry.load(key, Scenario, _read_scenario, also=(CONSTANT,))


def _read_scenario(path: Path) -> Scenario:
    """A scenario file; the rate sets it names are checked each time it is read."""
    m = load(path, "scenario")
    rate_sets = tuple(m.applies_to.rate_sets or ())
    for i, rid in enumerate(rate_sets):
        try:
            get_rate_set(rid)
        except AssumptionError as e:
            raise AssumptionError(e.message, file=path, field=f"applies_to.rate_sets[{i}]") from None
    source = Source.from_model(m.source)
    trend = Trend.from_model(m.trend, source=source.citation)
    return Scenario(id=m.id, label=m.label or m.id, trend=trend, measure=m.applies_to.measure, rate_sets=rate_sets,
                    source=source, path=Path(path))


def apply_scenario(rate_sets: Mapping[str, RateSet], scenario: "Scenario | str | PathLike | None") -> dict[str, RateSet]:
    """Rate sets with the scenario's trend (``None`` or ``"constant"``: unchanged).

    A scenario that applies to none of the rate sets is an error (it would change nothing).
    """
    if scenario is None or scenario == CONSTANT:
        return dict(rate_sets)
    sc = load_scenario(scenario)
    out = {n: (replace(rs, trend=sc.trend) if sc.applies(rs) else rs) for n, rs in rate_sets.items()}
    if all(out[n] is rate_sets[n] for n in rate_sets):
        what = f"rate sets {', '.join(sc.rate_sets)}" if sc.rate_sets else f"measure '{sc.measure}'"
        raise SpecError(f"scenario '{sc.id}' applies to {what}, and none of the rate sets here ({', '.join(rs.id for rs in rate_sets.values())}) is one")
    return out


LOADERS["scenario"] = load_scenario
