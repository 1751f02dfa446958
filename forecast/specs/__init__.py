"""Specs: the YAML files that say which table, report or indicator to make
(``forecast.table/1``, ``forecast.indicator/1``), read, checked and run.

Layer: uses :mod:`forecast.output`, :mod:`forecast.model` and below; used by the CLI.
"""

from .indicator import load_indicator_spec, run_indicator_spec
from .table import load_population, load_spec, run_spec

__all__ = ["load_spec", "run_spec", "load_population", "load_indicator_spec", "run_indicator_spec"]
