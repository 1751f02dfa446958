"""A needs-assessment report: tables, charts, a summary, the method and the provenance, as
ONE self-contained HTML file (:func:`to_html`) or an XLSX workbook
(:func:`forecast.output.workbook.write_workbook`).

The HTML file needs nothing else: its CSS is inline, its charts are SVG images embedded as
``data:`` URIs, and it has no JavaScript and no link to the network, so it can be e-mailed,
archived or attached to a board paper as it is.  It prints on A4 (``@page`` rule; a table
or chart is not split across pages where it fits on one).  Its parts, in order:

1. the title and the date and version it was made with;
2. a summary: one line per measure, e.g. "People aged 65+ with dementia in Leicester: 3,050
   in 2025, 4,350 in 2040 (+42.6%)", each number as the first table shows it;
3. each table (as :meth:`forecast.output.table.Table.to_html` renders it, with its notes)
   followed by its charts;
4. the method: the formula, each rate set with its citation, the population and its
   vintage, rounding, and what the intervals are (or why there are none);
5. the provenance: the sha256 of each rate-set and population file (and the spec), the
   forecast version, the seed and the date (:mod:`forecast.output.provenance`).

:class:`Report` holds these parts; :mod:`forecast.specs.report` makes one from a spec.

Modules (this package was the single module ``forecast/output/report.py``; every name it
defined without a leading underscore is still importable from here):

- :mod:`.parts` — :class:`Chart`, :class:`Section`, :class:`Report` and :func:`section_for`;
- :mod:`.summary` — :func:`summary_lines` (part 2);
- :mod:`.method` — :func:`method_sections` (part 4);
- :mod:`.values` — :func:`tidy_values`, the unrounded values behind the tables;
- :mod:`.page` — :func:`to_html`, the HTML document with its CSS and embedded charts;
- :mod:`.folder` — :func:`folder_files` and :func:`write_folder`, the report as a folder.
"""

from __future__ import annotations

from .folder import folder_files, write_folder
from .method import method_sections
from .page import to_html
from .parts import Chart, Report, Section, section_for
from .summary import PER_100_SUFFIX, summary_lines
from .values import tidy_values

__all__ = ["Chart", "Section", "Report", "to_html", "summary_lines", "method_sections", "tidy_values",
           "PER_100_SUFFIX"]
