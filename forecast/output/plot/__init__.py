"""Charts of forecast results: lines over years, scenario comparisons, each area's change
ranked, age-band bars, population pyramids and bars by ethnic group.

Every function takes a result (:func:`forecast.project` / :func:`forecast.simulate`) or a
population cube and returns a :class:`matplotlib.figure.Figure`, so a script can restyle it
before :func:`save` writes it as PNG or SVG::

    from forecast.output import plot
    res = forecast.project(None, "dementia_uk_2007", ages="65+", areas=["Leicester", "Rutland"])
    plot.save(plot.line(res, "dementia"), "dementia.png")

What is drawn
-------------
- Totals are sums over the dims a chart does not show (sex, age band or single age,
  ethnic group).  With a ``draw`` dim the sum is taken *within each draw* first; the line
  or bar is the median of those totals and the shaded band (or error bar) their central
  ``level`` interval, both from :func:`numpy.quantile` (linear interpolation).  With a
  ``statistic`` dim (``simulate(..., quantiles=...)``) the ``q0.5`` row is drawn and the
  ``level`` interval where its quantiles are present; quantiles do not add up, so such a
  result must already be at the level of detail the chart shows.
- Under each chart (9 pt, wrapped): a note on what the line and band are (for draws) and a
  source line built from the result's attributes — the population's title and licence,
  each rate set with a short form of its own citation, a derived measure's file ("share:",
  "calibration:") with its own, each scenario and relative risks — replaceable with
  ``source=``.  Years beyond the population projection (an extended population) are
  shaded grey on line and comparison charts, and noted under a chart of one such year.
- A line chart names up to :data:`MAX_SERIES` areas in a legend; more are drawn as thin
  grey lines with no legend — :func:`change` ranks many areas instead.

Sources
-------
- Hunter JD. Matplotlib: A 2D graphics environment. Computing in Science & Engineering
  2007;9(3):90-95 — the plotting library; figures are built with its object-oriented API
  (:class:`~matplotlib.figure.Figure` on the Agg canvas), never ``pyplot``, so no global
  state or GUI backend is touched.
- Okabe M, Ito K. Color Universal Design (CUD): how to make figures and presentations that
  are friendly to colorblind people. J*Fly, 2008 (https://jfly.uni-koeln.de/color/) — the
  eight-colour palette :data:`OKABE_ITO`, distinguishable with the common forms of colour
  vision deficiency.
- Projecting Older People Population Information System (POPPI), Institute of Public Care,
  Oxford Brookes University (https://www.poppi.org.uk) — the style of :func:`bands`: the
  predicted number of people in each age band for one area and year, as bars.

matplotlib is imported only when a chart is drawn, so ``import forecast`` stays fast.

Modules (this package was the single module ``forecast/output/plot.py``; every name it
exported is still importable from here):

- :mod:`.style` — the palette, line styles and number formatting;
- :mod:`.select` — picking a measure, areas and years out of a result, with the errors;
- :mod:`.reduce` — totals, medians and intervals over draws or quantiles, and their notes;
- :mod:`.sources` — titles and the source line under a chart, :func:`short_citation`;
- :mod:`.figure` — the figure, its axes, series, error bars, title and footer;
- :mod:`.export` — :func:`save` and :func:`to_bytes` (PNG and SVG with no date in them);
- :mod:`.line_chart`, :mod:`.compare_chart`, :mod:`.change_chart`, :mod:`.bands_chart`,
  :mod:`.pyramid_chart`, :mod:`.ethnicity_chart` — one chart kind each.
"""

from __future__ import annotations

from .bands_chart import bands
from .change_chart import change
from .compare_chart import compare
from .ethnicity_chart import ethnicity
from .export import FORMATS, save, to_bytes
from .line_chart import line
from .pyramid_chart import pyramid
from .sources import short_citation
from .style import MAX_SERIES, OKABE_ITO

__all__ = ["OKABE_ITO", "MAX_SERIES", "FORMATS", "line", "compare", "change", "bands", "pyramid", "ethnicity", "save",
           "to_bytes", "short_citation"]
