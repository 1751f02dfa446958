"""Specs: the YAML files that say which table, report or indicator to make
(``forecast.table/1``, ``forecast.indicator/1``), read, checked and run.

Layer: uses :mod:`forecast.output`, :mod:`forecast.model` and below; used by the CLI.
Its names load on first use (PEP 562), so that ``forecast table`` does not import the
indicator, chart and report code it does not run.
"""

from importlib import import_module

__all__ = ["load_spec", "run_spec", "load_population", "load_indicator_spec", "run_indicator_spec"]

_HOME = {"load_spec": "table", "run_spec": "table", "load_population": "table",
         "load_indicator_spec": "indicator", "run_indicator_spec": "indicator"}


def __getattr__(name: str):
    if name in _HOME:
        return getattr(import_module(f".{_HOME[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
