"""The population pyramid: males to the left, females to the right, in age bands from the
cube's lowest age up to its open top group, with a second year as outlines.

Moved from ``forecast/output/plot.py`` (its ``pyramid`` and ``_age_groups``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from ...errors import SpecError
from .figure import _extended_note, _finish, _new_figure
from .select import _area_names, _check_period, _check_sexes, _period_dim, _resolve_areas
from .sources import _population_source
from .style import _SEX_COLOURS, _thousands, _units_label

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def pyramid(
    population: xr.DataArray,
    area: str,
    year: int | str,
    *,
    compare_year: int | str | None = None,
    band_width: int = 5,
    title: str | None = None,
    source: str | None = None,
) -> "Figure":
    """A population pyramid: males to the left, females to the right, in age bands.

    Parameters
    ----------
    population : xarray.DataArray
        A population cube, dims ``(area, year, sex, age)`` (``ethnicity`` is summed), with
        ``area_name`` and ``attrs['open_top_age']``.
    area : str
        GSS code or name.
    year : int or str
        The year drawn as filled bars.
    compare_year : int or str, optional
        A second year drawn over it as black outlines.
    band_width : int, default 5
        Width of the age bands, from the cube's lowest age up to the open top group, which
        is a band of its own (``90+``).
    title, source : str, optional
        Default title: "Population by age and sex", area and year(s); default source: the
        cube's ``title`` and ``licence``.

    Returns
    -------
    matplotlib.figure.Figure
        ``ax.containers[0]`` (males, widths negative) and ``[1]`` (females, positive) are the
        filled bars, youngest band at the bottom; with ``compare_year``, ``[2]`` and ``[3]``
        the outlines.

    Raises
    ------
    forecast.errors.SpecError
        The area or a year is missing, the cube lacks a sex (or age) dim with both
        ``male`` and ``female``, or ``band_width`` is not a positive integer.
    """
    population = _population_cube(population, band_width)
    pdim = _period_dim(population, "population")
    code = _resolve_areas(population, [area])[0]
    label = _check_period(population, pdim, year)
    label2 = _check_period(population, pdim, compare_year) if compare_year is not None else None
    da = _area_population(population, pdim, code)
    groups = _age_groups(da, int(band_width))
    fig, ax = _new_figure(figsize=(8.0, 6.0))
    pos = _pyramid_bars(ax, da, pdim, groups, label, label2)
    _pyramid_axes(ax, pos, [g[0] for g in groups], population.attrs.get("units", "persons"))
    if title is None:
        title = f"Population by age and sex: {_area_names(population, [code])[0]}, {label}"
        if label2 is not None:
            title += f" (outline: {label2})"
    if source is None:
        source = _population_source(population.attrs.get("title"), population.attrs.get("licence"))
    notes = [n for n in (_extended_note(population.attrs, y) for y in (label, label2) if y is not None) if n]
    _finish(fig, ax, title, notes[:1], source)
    return fig


def _population_cube(population, band_width) -> xr.DataArray:
    """The cube (a Dataset's ``population``), checked: band width, an age dim, both sexes."""
    if isinstance(population, xr.Dataset):
        if "population" not in population.data_vars:
            raise SpecError("pyramid needs a population cube (a DataArray), not a result")
        population = population["population"]
    if not isinstance(population, xr.DataArray):
        raise SpecError(f"pyramid needs a population cube (a DataArray), not {type(population).__name__}")
    if isinstance(band_width, bool) or not isinstance(band_width, (int, np.integer)) or band_width < 1:
        raise SpecError(f"band_width must be a positive whole number of years, not {band_width!r}")
    if "age" not in population.dims:
        raise SpecError(f"the population has no age dim (its dims: {', '.join(map(str, population.dims))})")
    _check_sexes(population, "the population")
    return population


def _area_population(population: xr.DataArray, pdim: str, code: str) -> xr.DataArray:
    """One area of the cube, ethnic groups summed; any other dim is an error."""
    extra = [d for d in population.dims if d not in ("area", pdim, "sex", "age", "ethnicity")]
    if extra:
        raise SpecError(f"the population has a {extra[0]!r} dim: select one value first "
                        f"(population.sel({extra[0]}=...))")
    da = population.sel(area=code)
    if "ethnicity" in da.dims:
        da = da.sum("ethnicity")
    return da


def _age_groups(da: xr.DataArray, width: int) -> list[tuple[str, list[int]]]:
    """(label, ages) of each band of ``width`` years, the open top age a band of its own."""
    ages = sorted(int(a) for a in da["age"].values)
    raw_top = da.attrs.get("open_top_age")
    try:
        top = int(raw_top) if raw_top is not None else None
    except (TypeError, ValueError):
        top = None
    open_top = top is not None and top == ages[-1]
    closed = ages[:-1] if open_top else ages
    groups: dict[int, list[int]] = {}
    for a in closed:
        start = ages[0] + ((a - ages[0]) // width) * width
        groups.setdefault(start, []).append(a)
    out = []
    for start, members in groups.items():
        end = start + width - 1
        if open_top:
            end = min(end, top - 1)
        elif members[-1] == ages[-1]:
            end = members[-1]
        out.append((f"{start}-{end}" if end > start else f"{start}", members))
    if open_top:
        out.append((f"{top}+", [top]))
    return out


def _pyramid_bars(ax: "Axes", da: xr.DataArray, pdim: str, groups, label, label2) -> np.ndarray:
    """Filled bars for ``label`` (males negative), outlines for ``label2``, a symmetric
    x-range; the bars' positions."""
    def by_band(period, sex) -> np.ndarray:
        one = da.sel({pdim: period, "sex": sex})
        return np.array([float(one.sel(age=ages).sum()) for _, ages in groups])

    pos = np.arange(len(groups), dtype=float)
    male, female = by_band(label, "male"), by_band(label, "female")
    ax.barh(pos, -male, height=0.85, color=_SEX_COLOURS["male"], label=f"Males, {label}")
    ax.barh(pos, female, height=0.85, color=_SEX_COLOURS["female"], label=f"Females, {label}")
    top = max(male.max(initial=0), female.max(initial=0))
    if label2 is not None:
        male2, female2 = by_band(label2, "male"), by_band(label2, "female")
        ax.barh(pos, -male2, height=0.85, fill=False, edgecolor="#000000", linewidth=1.2,
                label=f"{label2} (outline)")
        ax.barh(pos, female2, height=0.85, fill=False, edgecolor="#000000", linewidth=1.2)
        top = max(top, male2.max(initial=0), female2.max(initial=0))
    ax.axvline(0, color="#000000", linewidth=0.8)
    if top > 0:
        ax.set_xlim(-top * 1.08, top * 1.08)
    return pos


def _pyramid_axes(ax: "Axes", pos: np.ndarray, names: list[str], units) -> None:
    """Band labels up the side (at most 25), people either way from zero, the legend."""
    step = max(1, math.ceil(len(names) / 25))
    ax.set_yticks(pos[::step], names[::step])
    ax.set_ylabel("Age")
    ax.set_xlabel(_units_label(units))
    _thousands(ax.xaxis, absolute=True)
    ax.grid(axis="y", visible=False)
    ax.legend(frameon=False, loc="upper right")
