"""The parts of a report: :class:`Chart`, :class:`Section` (a table and its charts),
:class:`Report`, and :func:`section_for`, which section a chart goes under.

Moved from ``forecast/output/report.py`` (its dataclasses and ``section_for``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping

import pandas as pd

from ..table import Table

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure


@dataclass
class Chart:
    """One chart of a report: the figure, its title and kind, and the table it goes with."""

    figure: "Figure"
    title: str
    kind: str
    section: int = 0
    _cache: dict = field(default_factory=dict, repr=False)

    def image(self, fmt: str = "svg", *, dpi: int = 150) -> bytes:
        """The chart as SVG or PNG bytes (PNG at ``dpi``), drawn once each."""
        from .. import plot

        key = (fmt, dpi if fmt == "png" else None)
        if key not in self._cache:
            self._cache[key] = plot.to_bytes(self.figure, fmt, dpi=dpi)
        return self._cache[key]


@dataclass
class Section:
    """A table and the charts shown under it.  ``rows`` names the table's row labels
    (``Area``, ``Age band``, ``Sex``) for the spreadsheet's column header."""

    name: str
    table: Table
    rows: str = "Area"
    charts: list[Chart] = field(default_factory=list)


@dataclass
class Report:
    title: str
    summary: list[str]
    sections: list[Section]
    method: list[tuple[str, list[str]]]
    provenance: dict[str, Any]
    data: pd.DataFrame

    @property
    def charts(self) -> list[Chart]:
        return [c for s in self.sections for c in s.charts]


def section_for(kind: str, roles: Mapping[str, int]) -> int:
    """Which section a chart of ``kind`` goes under: lines (and ranked changes) with the area
    table, compare charts with the side-by-side table, bands with the age-band table (else
    the first table).  :mod:`forecast.specs.report` orders the sections so that the charts
    keep the spec's order."""
    role = {"line": "area", "compare": "compare", "bands": "age_band"}.get(kind, "area")
    return roles.get(role, roles.get("area", 0))
