"""The model: population × rates → demand, with draws, ethnicity, derived measures,
indicators and dask execution — all through one kernel (:mod:`forecast.model.kernel`).

Layer: uses :mod:`forecast.assumptions`, :mod:`forecast.population` and below; used by
:mod:`forecast.output` and above.
"""

from .batch import native_bands, run
from .derived import apply_derived
from .draws import DEFAULT_QUANTILES, check_draws, relative_risk_array
from .ethnic import ethnic_adjustment
from .indicators import Indicator, observed_vs_expected, read_observed, trajectory
from .measures import resolve_measures
from .project import project, simulate, summarise

__all__ = [
    "project", "simulate", "summarise", "DEFAULT_QUANTILES", "check_draws", "relative_risk_array", "ethnic_adjustment",
    "apply_derived", "Indicator", "observed_vs_expected", "read_observed", "trajectory", "run", "native_bands",
    "resolve_measures",
]
