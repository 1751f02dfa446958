"""Outputs: tables, charts, reports and writers that carry provenance.

Layer: uses :mod:`forecast.model` and below; used by :mod:`forecast.specs` and the CLI.
Charts (:mod:`forecast.output.plot`) import matplotlib only when drawn.
"""

from .table import TOTAL, Table, round_half_up
from .tables import compare, period_values, table

__all__ = ["Table", "TOTAL", "round_half_up", "table", "compare", "period_values"]
