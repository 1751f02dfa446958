"""The line chart: a measure over the years, one line per area, with its interval shaded.

Moved from ``forecast/output/plot.py`` (its ``line``); the drawing it shares with
:func:`~forecast.output.plot.compare` is :func:`.figure._series_figure`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import xarray as xr

from .figure import _finish_result, _mark_extended, _period_x, _series_figure, _Series
from .reduce import _interval_note, _reduce
from .select import _area_names, _measure, _resolve_areas, _select_periods
from .sources import _join_title, _long_name, _name_list, _period_span
from .style import MAX_SERIES

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure


def line(
    result: xr.Dataset,
    measure: str,
    *,
    areas: Sequence[str] | str | None = None,
    years: Sequence[int | str] | None = None,
    level: float | None = 0.95,
    title: str | None = None,
    source: str | None = None,
) -> "Figure":
    """A measure over the years, one line per area.

    Parameters
    ----------
    result : xarray.Dataset
        A result of :func:`forecast.project` or :func:`forecast.simulate`: dims ``area`` and
        ``year`` (or ``financial_year``), optionally ``sex``, ``age_band``/``age``,
        ``ethnicity`` (summed) and ``draw`` or ``statistic``.
    measure : str
        The variable to draw, e.g. ``"dementia"``.
    areas : list of str, optional
        Areas by GSS code or name, in the order wanted; default all areas of the result.
    years : list of int or str, optional
        Years to draw (financial years as ``"2025/26"`` or their first calendar year);
        default all.
    level : float or None, default 0.95
        Central interval shaded when the result has draws (or the matching quantiles);
        ``None`` draws no band.
    title : str, optional
        Default: the variable's ``long_name``, the area names (up to three) and the years.
    source : str, optional
        Source line under the chart; default built from the result's attributes.

    Returns
    -------
    matplotlib.figure.Figure
        One axes; ``ax.lines[i]`` is area ``i`` (in the order of ``areas``), and with an
        interval ``ax.collections[i]`` its band.  Legend labels are area names; one area
        named in the title has no legend.  More than :data:`~.style.MAX_SERIES` areas are
        thin grey lines with no legend and no bands (a note says so).  Years beyond the
        population projection (``population_extended``) are shaded grey.

    Raises
    ------
    forecast.errors.SpecError
        The measure, an area or a year is not in the result, or ``level`` is not in (0, 1).
    """
    ds, da, pdim = _measure(result, measure)
    codes = _resolve_areas(ds, areas)
    da = _select_periods(da.sel(area=codes), pdim, years)
    central, lo, hi = _reduce(da, ("area", pdim), level, measure)
    x = _period_x(da, pdim)
    names = _area_names(ds, codes)
    series = [_Series(name, x, central.sel(area=code).values,
                      None if lo is None else lo.sel(area=code).values,
                      None if hi is None else hi.sel(area=code).values) for code, name in zip(codes, names)]
    many = len(series) > MAX_SERIES
    legend = len(series) > 1 or (title is not None and names[0].casefold() not in title.casefold())
    fig, ax = _series_figure(series, pdim, x, da, legend=legend)
    notes = [_interval_note(da, level, lo is not None and not many)]
    if many:
        notes.append(f"One grey line for each of the {len(series)} areas (too many to tell apart in a legend).")
    notes.append(_mark_extended(ax, [ds], pdim, x))
    if title is None:
        where = _name_list(names) if len(names) <= 3 else None
        title = _join_title(_long_name(da, measure), ", ".join(p for p in (where, _period_span(da, pdim)) if p))
    _finish_result(fig, ax, title, notes[0], ds, measure, source, extra=notes[1:])
    return fig
