"""forecast: project demand for health and social care from population projections.

    import forecast
    pop = forecast.default_population()          # or forecast.read_snpp(...), read_tidy(...)
    res = forecast.project(pop, ["dementia_uk_2007", "depression_15pct"], ages="65+",
                           areas=["E10000018", "E06000016", "E06000017"])
    print(forecast.table(res, years=[2025, 2030, 2035, 2040], change=(2025, 2040)))

The method (DESIGN.md): demand = population × age- and sex-specific rate (× trend),
summed into the age bands, areas and years asked for.  Rates come from cited rate
sets (``forecast.list_rate_sets()``); populations from ONS files.
"""

from ._version import __version__

from .errors import AssumptionError, ForecastError, InputError, SpecError
from .ages import AgeBand, parse_band, parse_bands
from .population import (
    AreaGroup,
    add_groups,
    combine_populations,
    default_history,
    default_population,
    find_areas,
    load_groups,
    select_areas,
    select_years,
    to_financial_years,
)
from .readers import read_mye, read_snpp, read_tidy
from .derived import apply_derived, load_derived
from .assumptions import (
    RateSet,
    RelativeRisks,
    get_rate_set,
    get_relative_risks,
    list_rate_sets,
    load_rate_set,
    register,
)
from .ethnicity import EthnicMix, get_ethnic_mix, load_mapping, read_ethnic_mix, split_by_ethnicity
from .projection import ethnic_adjustment, project
from .tables import Table, compare, table
from .report import load_spec, run_spec
from .uncertainty import simulate, summarise
from .scenarios import extend_population, load_scenario
from .indicators import observed_vs_expected, read_observed, run_indicator_spec, trajectory
from . import scale

__all__ = [
    "__version__",
    "ForecastError", "InputError", "AssumptionError", "SpecError",
    "AgeBand", "parse_band", "parse_bands",
    "AreaGroup", "add_groups", "default_population", "default_history", "combine_populations",
    "find_areas", "load_groups",
    "select_areas", "select_years", "to_financial_years",
    "read_snpp", "read_tidy", "read_mye",
    "apply_derived", "load_derived",
    "RateSet", "get_rate_set", "list_rate_sets", "load_rate_set", "register",
    "RelativeRisks", "get_relative_risks",
    "EthnicMix", "read_ethnic_mix", "get_ethnic_mix", "load_mapping", "split_by_ethnicity",
    "project", "ethnic_adjustment",
    "Table", "table", "compare",
    "load_spec", "run_spec",
    "simulate", "summarise", "extend_population", "load_scenario", "scale",
    "read_observed", "observed_vs_expected", "trajectory", "run_indicator_spec",
]
