"""The figure and its parts: a new figure and axes, the period and value axes, lines with
shaded intervals, error-bar settings, and the title and footer (notes and source line).

Moved from ``forecast/output/plot.py`` (its "drawing" section); :func:`_series_figure` is
the drawing that :func:`~forecast.output.plot.line` and
:func:`~forecast.output.plot.compare` shared, :func:`_single_bars` and
:func:`_bar_value_axis` the bars and value axis that :func:`~forecast.output.plot.bands` and
:func:`~forecast.output.plot.ethnicity` shared, and :func:`_finish_result` the footer of a
chart of one result.

Source: Hunter JD. Matplotlib: A 2D graphics environment. Computing in Science & Engineering
2007;9(3):90-95 — figures are built with its object-oriented API
(:class:`~matplotlib.figure.Figure` on the Agg canvas), never ``pyplot``, so no global state
or GUI backend is touched.
"""

from __future__ import annotations

import re
import textwrap
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import xarray as xr

from .reduce import _err
from .select import _fy_start
from .sources import _source_text
from .style import (_ERROR_BARS, _FIGSIZE, _FOOT_FONTSIZE, _HEADROOM, _MARKERS, _TITLE_WRAP, MAX_SERIES, OKABE_ITO,
                    _foot_wrap, _style, _thousands, _value_label)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


class _Series(NamedTuple):
    """One line of a line chart: its legend label, x (years), y and interval (or None)."""

    label: str
    x: np.ndarray
    y: np.ndarray
    lo: np.ndarray | None
    hi: np.ndarray | None


def _new_figure(figsize=_FIGSIZE):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(True, color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    return fig, ax


def _value_axis(ax: "Axes", da: xr.DataArray, which: str) -> None:
    label = _value_label(da.attrs)
    if which == "y":
        ax.set_ylabel(label)
        _thousands(ax.yaxis)
    else:
        ax.set_xlabel(label)
        _thousands(ax.xaxis)


def _period_x(da: xr.DataArray, pdim: str) -> np.ndarray:
    if pdim == "year":
        return np.array([int(v) for v in da["year"].values], dtype=float)
    return np.array([_fy_start(v) for v in da[pdim].values], dtype=float)


def _period_axis(ax: "Axes", pdim: str, x) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(nbins=8, integer=True, steps=[1, 2, 5, 10]))
    if pdim == "year":
        ax.set_xlabel("Year")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{int(round(v))}"))
    else:
        ax.set_xlabel("Financial year (April-March)")
        ax.xaxis.set_major_formatter(
            FuncFormatter(lambda v, _: f"{int(round(v))}/{(int(round(v)) + 1) % 100:02d}"))
    if len(x) == 1:
        ax.set_xlim(x[0] - 1, x[0] + 1)


def _series_figure(series: Sequence[_Series], pdim: str, x, units: xr.DataArray, *, distinct: bool = False,
                   legend: bool = True):
    """A line per series (the palette in turn, markers up to 8 points), then their shaded
    intervals, the period axis over ``x``, the value axis from zero with headroom above the
    highest point, and the legend (placed where it covers least).

    ``distinct``: each series a line style and marker of its own as well as a colour (a
    comparison, whose lines may coincide: "with" exactly over "without").  More than
    :data:`MAX_SERIES` series (and not ``distinct``) are drawn as thin grey lines with no
    legend: no reader can match 150 legend entries to lines."""
    fig, ax = _new_figure()
    many = len(series) > MAX_SERIES and not distinct
    for i, s in enumerate(series):
        colour, style = _style(i, distinct=distinct)
        kw: dict = {"marker": "o" if len(s.x) <= 8 else None}
        if distinct:
            step = max(1, -(-len(s.x) // 8))  # at most about 8 markers a line, staggered between lines
            kw = {"marker": _MARKERS[i % len(_MARKERS)], "markevery": (i % step, step),
                  "markersize": 6, "markerfacecolor": "white" if i % 2 else colour}
        if many:
            colour, style, kw = "#7f7f7f", "-", {"marker": None, "alpha": 0.6}
        ax.plot(s.x, s.y, color=colour, linestyle=style, linewidth=0.8 if many else 2, label=s.label, **kw)
    for i, s in enumerate(series):
        if s.lo is not None and not many:
            colour, _ = _style(i, distinct=distinct)
            ax.fill_between(s.x, s.lo, s.hi, color=colour, alpha=0.2, linewidth=0)
    _period_axis(ax, pdim, x)
    _value_axis(ax, units, "y")
    _headroom(ax, [v for s in series for v in (s.y, s.hi) if v is not None])
    if legend and not many:
        ax.legend(frameon=False, loc="best")
    return fig, ax


def _headroom(ax: "Axes", arrays) -> None:
    """The value axis from zero to :data:`_HEADROOM` × the highest value drawn (so the top
    marker, or the top of an interval, is not cut by the frame)."""
    top = max((float(np.nanmax(a)) for a in arrays if np.size(a) and np.isfinite(a).any()), default=0.0)
    if top > 0:
        ax.set_ylim(0, top * _HEADROOM)
    else:
        ax.set_ylim(bottom=0)


# ---------------------------------------------------------------------------- extended years

_EXTENDED = re.compile(r"\byears? (\d{4})(?:\s*[-–]\s*(\d{4}))? extended")


def _extended_years(attrs: Mapping) -> tuple[int, int] | None:
    """The first and last year a population was extended beyond its projection, from a
    result's ``population_extended`` (or a cube's ``extended``) attribute:
    "years 2048-2050 extended beyond the projection (…)"."""
    m = _EXTENDED.search(str(attrs.get("population_extended") or attrs.get("extended") or ""))
    if not m:
        return None
    return int(m.group(1)), int(m.group(2) or m.group(1))


def _touched(x: float, pdim: str, span: tuple[int, int]) -> bool:
    """Whether the period at ``x`` uses an extended year (a financial year Y/Y+1 uses the
    mid-years Y and Y+1)."""
    years = (int(x),) if pdim == "year" else (int(x), int(x) + 1)
    return any(span[0] <= y <= span[1] for y in years)


def _span_text(span: tuple[int, int]) -> str:
    return str(span[0]) if span[0] == span[1] else f"{span[0]}-{span[1]}"


def _mark_extended(ax: "Axes", datasets: Sequence[xr.Dataset], pdim: str, x) -> str:
    """Shade the periods that use years beyond the population projection (grey, labelled
    "extended"); the note saying so, or ""."""
    spans = [s for s in (_extended_years(d.attrs) for d in datasets) if s is not None]
    if not spans:
        return ""
    span = (min(s[0] for s in spans), max(s[1] for s in spans))
    hit = [float(v) for v in x if _touched(float(v), pdim, span)]
    if not hit:
        return ""
    lo, hi = min(hit) - 0.5, max(hit) + 0.5
    ax.axvspan(lo, hi, color="#e6e6e6", zorder=0, linewidth=0, label="_extended")
    ax.text((lo + hi) / 2, 0.98, "extended", transform=ax.get_xaxis_transform(), ha="center", va="top",
            fontsize=8, color="#555555", style="italic")
    return (f"Grey background: {_span_text(span)}, years beyond the population projection, which was "
            f"extended (see the notes).")


def _extended_note(attrs: Mapping, year) -> str:
    """The note under a chart of one year that lies beyond the projection, or ""."""
    span = _extended_years(attrs)
    if span is None:
        return ""
    text = str(year)
    first = int(text[:4]) if text[:4].isdigit() else None
    if first is None or not _touched(first, "year" if "/" not in text else "financial_year", span):
        return ""
    return f"{text} is beyond the population projection, which was extended (years {_span_text(span)}; see the notes)."


def _bar_errors(err, capsize: float) -> dict:
    """Error-bar settings for ``Axes.bar``/``barh``: caps only when there are error bars."""
    return {"capsize": capsize if err is not None else 0, "error_kw": dict(_ERROR_BARS)}


def _single_bars(ax: "Axes", pos: np.ndarray, central, lo, hi, dim: str, *, horizontal: bool = False) -> None:
    """A bar per value of ``central`` along ``dim`` in the palette's first colour, with error
    bars for the interval (``lo``/``hi``, or none)."""
    v = central.transpose(dim).values
    err = _err(v, lo, hi, dim=dim)
    if horizontal:
        ax.barh(pos, v, height=0.7, color=OKABE_ITO[0], xerr=err, **_bar_errors(err, 3))
    else:
        ax.bar(pos, v, width=0.7, color=OKABE_ITO[0], yerr=err, **_bar_errors(err, 3))


def _bar_value_axis(ax: "Axes", da: xr.DataArray, which: str) -> None:
    """The value axis of a bar chart (``which``: "x" or "y"), from zero, with no grid lines
    across the bars."""
    _value_axis(ax, da, which)
    if which == "y":
        ax.set_ylim(bottom=0)
        ax.grid(axis="x", visible=False)
    else:
        ax.set_xlim(left=0)
        ax.grid(axis="y", visible=False)


def _band_labels(da: xr.DataArray, bdim: str, ds: xr.Dataset) -> list[str]:
    vals = [str(v) for v in da[bdim].values]
    if bdim == "age":
        top = ds.attrs.get("open_top_age", da.attrs.get("open_top_age"))
        if top is not None and str(top) == vals[-1]:
            vals[-1] = f"{vals[-1]}+"
    return vals


def _finish(fig: "Figure", ax: "Axes", title: str, notes: list[str], source: str | None) -> None:
    """The title, and the notes and source line under the chart (9 pt, wrapped to the
    figure's width), then the layout — without matplotlib's own warnings, which say nothing
    to a reader of the chart."""
    ax.set_title("\n".join(textwrap.wrap(str(title), _TITLE_WRAP, break_on_hyphens=False)) or str(title), fontsize=12)
    foot = _footer(fig, notes, source)
    _layout(fig, foot)
    _fit_title(fig, ax, str(title), foot)


def _footer(fig: "Figure", notes: list[str], source: str | None) -> float:
    """The notes and source line under the chart, wrapped (a long footer makes the figure
    taller); the fraction of the figure's height it takes."""
    lines: list[str] = []
    width = _foot_wrap(fig.get_figwidth())
    for text in [*notes, source]:
        if text:
            lines.extend(textwrap.wrap(str(text), width, break_on_hyphens=False) or [""])
    if len(lines) > 2:  # a long footer makes the figure taller, not the chart smaller
        fig.set_figheight(fig.get_figheight() + (len(lines) - 2) * _FOOT_FONTSIZE * 1.5 / 72)
    height_pt = fig.get_figheight() * 72
    foot = 0.0
    if lines:
        fig.text(0.01, 0.01, "\n".join(lines), ha="left", va="bottom", fontsize=_FOOT_FONTSIZE,
                 color="#333333", linespacing=1.25)
        foot = min(0.6, (len(lines) * _FOOT_FONTSIZE * 1.25 * 1.2 + 10) / height_pt)
    return foot


def _layout(fig: "Figure", foot: float) -> None:
    """``tight_layout`` above the footer, without matplotlib's warnings (which say nothing to
    a reader of the chart and would reach the command's error stream)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fig.tight_layout(rect=(0, foot, 1, 1))


def _fit_title(fig: "Figure", ax: "Axes", title: str, foot: float) -> None:
    """Wrap the title more narrowly while it runs past the figure's edges (it is centred on
    the axes, which long tick labels push to one side)."""
    width = _TITLE_WRAP
    for _ in range(4):
        box = ax.title.get_window_extent(fig.canvas.get_renderer())
        over = max(0.0, -box.x0, box.x1 - fig.bbox.width)
        if over <= 0 or width <= 20:
            return
        width = max(20, int(width * (box.width - 2 * over) / box.width) - 1)
        ax.set_title("\n".join(textwrap.wrap(title, width, break_on_hyphens=False)) or title, fontsize=12)
        _layout(fig, foot)


def _finish_result(fig: "Figure", ax: "Axes", title: str, note: str, ds: xr.Dataset, measure: str,
                   source: str | None, extra: Sequence[str] = ()) -> None:
    """:func:`_finish` for a chart of one result: its note (and ``extra`` notes), and
    ``source`` or the result's own."""
    notes = [n for n in (note, *extra) if n]
    _finish(fig, ax, title, notes, _source_text([ds], [measure]) if source is None else source)
