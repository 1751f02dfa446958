"""The comparison chart: scenarios or rate sets side by side, one measure in one area over
the years, a line each with its interval shaded.

Moved from ``forecast/output/plot.py`` (its ``compare``); the drawing it shares with
:func:`~forecast.output.plot.line` is :func:`.figure._series_figure`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

import xarray as xr

from ...errors import SpecError
from .figure import _finish, _mark_extended, _period_x, _series_figure, _Series
from .reduce import _interval_note, _reduce
from .select import _area_names, _measure, _resolve_areas, _select_periods
from .sources import _common_long_name, _join_title, _source_text, _span_of

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure


class _Compared(NamedTuple):
    """One result of a comparison: what it draws and where it came from."""

    ds: xr.Dataset
    da: xr.DataArray
    pdim: str
    code: str
    note: str
    series: _Series


def compare(
    results: Mapping[str, xr.Dataset],
    measure: str,
    area: str,
    *,
    years: Sequence[int | str] | None = None,
    level: float | None = 0.95,
    title: str | None = None,
    source: str | None = None,
) -> "Figure":
    """Scenarios or rate sets compared: one measure in one area over the years, a line each.

    Parameters
    ----------
    results : dict of str to xarray.Dataset
        Label (shown in the legend) → result, e.g. ``{"Dementia UK 2014": r1, "CFAS II": r2}``.
        All must have the same period dim (``year`` or ``financial_year``).
    measure : str
        The variable to draw; it must be in every result.
    area : str
        GSS code or name; it must be in every result.
    years : list of int or str, optional
        Years to draw (each must be in every result); default each result's own years.
    level : float or None, default 0.95
        Central interval shaded for results with draws (or the matching quantiles).
    title, source : str, optional
        Default title: the measure's ``long_name`` (without a differing parenthesis), the
        area name and the years; default source: the populations, every rate set drawn and
        each result's scenario (named by its label) or relative risks.

    Returns
    -------
    matplotlib.figure.Figure
        ``ax.lines[i]`` is ``results``' ``i``-th entry, each with a line style and marker
        of its own (lines that coincide stay visible); legend labels are the dict keys.
        Years beyond the population projection are shaded grey.

    Raises
    ------
    forecast.errors.SpecError
        No results, or the measure, area or a year is missing from one of them.
    """
    if not isinstance(results, Mapping) or not results:
        raise SpecError("compare needs a dict of label -> result with at least one entry")
    picked = [_compared(label, res, measure, area, years, level) for label, res in results.items()]
    pdim = _one_period_dim(picked)
    series = [p.series for p in picked]
    periods = sorted({x for s in series for x in s.x})
    fig, ax = _series_figure(series, pdim, periods, picked[0].da, distinct=True)
    extended = _mark_extended(ax, [p.ds for p in picked], pdim, periods)
    if title is None:
        name = _area_names(picked[0].ds, [picked[0].code])[0]
        span = _span_of([v for p in picked for v in p.da[pdim].values], pdim)
        title = _join_title(_common_long_name([p.da for p in picked], measure), f"{name}, {span}" if span else name)
    if source is None:
        source = _source_text([p.ds for p in picked], [measure] * len(picked), labels=[str(k) for k in results])
    notes = list(dict.fromkeys(p.note for p in picked if p.note))
    _finish(fig, ax, title, notes + ([extended] if extended else []), source)
    return fig


def _compared(label, res, measure: str, area: str, years, level) -> _Compared:
    """One result's line in ``area``; an error names the result's label."""
    try:
        ds, da, pdim = _measure(res, measure)
        code = _resolve_areas(ds, [area])[0]
        da = _select_periods(da.sel(area=[code]), pdim, years)
        central, lo, hi = _reduce(da, ("area", pdim), level, measure)
    except SpecError as e:
        raise SpecError(f"result {label!r}: {e.message}") from None
    values = [None if v is None else v.sel(area=code).values for v in (central, lo, hi)]
    return _Compared(ds, da, pdim, code, _interval_note(da, level, lo is not None),
                     _Series(str(label), _period_x(da, pdim), *values))


def _one_period_dim(picked: Sequence[_Compared]) -> str:
    pdims = {p.pdim for p in picked}
    if len(pdims) > 1:
        raise SpecError("cannot compare results by calendar year with results by financial year: "
                        "convert them all with forecast.to_financial_years")
    return pdims.pop()
