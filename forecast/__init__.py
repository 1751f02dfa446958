"""forecast: project demand for health and social care from population projections.

    import forecast
    pop = forecast.default_population()          # or forecast.read_snpp(...), read_tidy(...)
    res = forecast.project(pop, ["dementia_uk_2007", "depression_15pct"], ages="65+",
                           areas=["E10000018", "E06000016", "E06000017"])
    print(forecast.table(res, years=[2025, 2030, 2035, 2040], change=(2025, 2040)))

The method (README.md, "The method"): demand = population × age- and sex-specific rate (× trend),
summed into the age bands, areas and years asked for.  Rates come from cited rate
sets (``forecast.list_rate_sets()``); populations from ONS files.

The public names below are imported on first use (PEP 562), so that ``import forecast``
and the ``forecast`` command start without loading pandas, xarray or pydantic until a
command needs them.
"""

from __future__ import annotations

import importlib

from ._version import __version__

#: public name -> the module that defines it
_API = {
    # errors, ages
    "ForecastError": "errors", "InputError": "errors", "AssumptionError": "errors", "SpecError": "errors",
    "ForecastWarning": "errors", "AllAgeSharesWarning": "population.ethnicity",
    "AgeBand": "ages", "parse_band": "ages", "parse_bands": "ages",
    # population
    "AreaGroup": "population", "add_groups": "population", "default_population": "population",
    "default_history": "population", "combine_populations": "population", "find_areas": "population",
    "load_groups": "population", "select_areas": "population", "select_years": "population",
    "to_financial_years": "population", "read_snpp": "population", "read_tidy": "population",
    "read_mye": "population", "make_cube": "population", "read_npp": "population", "england": "population",
    "add_geography": "population", "variant": "population", "variant_names": "population",
    "extend_population": "population", "read_population": "population",
    "EthnicMix": "population.ethnicity", "read_ethnic_mix": "population.ethnicity",
    "get_ethnic_mix": "population.ethnicity", "split_by_ethnicity": "population.ethnicity",
    "rake": "population.ethnicity", "geography": "geography",
    # assumptions
    "RateSet": "assumptions", "RelativeRisks": "assumptions", "get_rate_set": "assumptions",
    "get_relative_risks": "assumptions", "list_rate_sets": "assumptions", "load_rate_set": "assumptions",
    "register": "assumptions", "load_mapping": "assumptions", "load_scenario": "assumptions",
    "load_derived": "assumptions",
    # model
    "project": "model", "simulate": "model", "summarise": "model", "ethnic_adjustment": "model",
    "apply_derived": "model", "read_observed": "model", "observed_vs_expected": "model",
    "trajectory": "model",
    # output
    "Table": "output", "table": "output", "compare": "output",
    # specs
    "load_spec": "specs", "run_spec": "specs", "run_indicator_spec": "specs",
}

__all__ = ["__version__", *_API, "scale", "plot"]

_SUBMODULES = {"scale": "model.scale", "plot": "output.plot"}


def __getattr__(name: str):
    if name in _API:
        value = getattr(importlib.import_module(f".{_API[name]}", __name__), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f".{_SUBMODULES[name]}", __name__)
    else:
        raise AttributeError(f"module 'forecast' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
