"""What a chart draws of a measure: totals over the dims it does not show, and — with draws
or quantiles — the median and the central ``level`` interval, with the note saying so.

With a ``draw`` dim the sum is taken within each draw first, then the median and the
interval's ends are :func:`numpy.quantile` of those totals (linear interpolation); with a
``statistic`` dim (``simulate(..., quantiles=...)``) its ``q0.5`` (or ``mean``) row is drawn
and the interval where its quantiles are present.

Moved from ``forecast/output/plot.py`` (its "reduction" section).
"""

from __future__ import annotations

import re

import numpy as np
import xarray as xr

from ...errors import SpecError
from .select import _PERIOD_DIMS, _SUMMED_DIMS
from .style import _pct


def _check_level(level) -> None:
    if level is None:
        return
    if isinstance(level, bool) or not isinstance(level, (int, float, np.floating)) or not 0 < float(level) < 1:
        raise SpecError(f"level must be a fraction between 0 and 1 (e.g. 0.95), not {level!r}")


def _stat_q(label: str) -> float | None:
    m = re.fullmatch(r"q(\d*\.?\d+(?:[eE]-?\d+)?)", str(label))
    return float(m.group(1)) if m else None


def _find_stat(da: xr.DataArray, q: float) -> str | None:
    for lab in da["statistic"].values:
        v = _stat_q(lab)
        if v is not None and abs(v - q) < 1e-9:
            return str(lab)
    return None


def _reduce(da: xr.DataArray, keep: tuple[str, ...], level, measure: str):
    """(central, lo, hi) with dims ``keep``; lo/hi None when there is no interval."""
    _check_level(level)
    allowed = set(keep) | set(_SUMMED_DIMS) | {"draw", "statistic", "area", *_PERIOD_DIMS}
    extra = [d for d in da.dims if d not in allowed]
    if extra:
        raise SpecError(f"measure {measure!r} has a {extra[0]!r} dim: select one value first "
                        f"(result.sel({extra[0]}=...))")
    summed = [d for d in da.dims if d in _SUMMED_DIMS and d not in keep]
    if "draw" in da.dims:
        return _reduce_draws(da, summed, level)
    if "statistic" in da.dims:
        return _reduce_quantiles(da, summed, level, measure)
    return (da.sum(summed) if summed else da), None, None


def _reduce_draws(da: xr.DataArray, summed: list[str], level):
    """The median and central interval of the totals within each draw."""
    total = da.sum(summed) if summed else da
    qs = [0.5] if level is None else [0.5, (1 - level) / 2, (1 + level) / 2]
    total = total.transpose(..., "draw")
    arr = np.quantile(total.values, qs, axis=-1)
    dims = [d for d in total.dims if d != "draw"]
    coords = {k: v for k, v in total.coords.items() if "draw" not in v.dims}
    out = [xr.DataArray(a, dims=dims, coords=coords) for a in arr]
    if level is None:
        return out[0], None, None
    return out[0], out[1], out[2]


def _reduce_quantiles(da: xr.DataArray, summed: list[str], level, measure: str):
    """The ``q0.5`` (or ``mean``) row and, where present, the interval's quantiles."""
    wide = [d for d in summed if da.sizes[d] > 1]
    if wide:
        raise SpecError(f"measure {measure!r} holds quantiles by {', '.join(wide)}, and quantiles do not "
                        f"add up: simulate with draws (no quantiles=), or with keep= leaving out "
                        f"{', '.join(wide)}, to chart totals")
    sub = da.isel({d: 0 for d in summed}) if summed else da
    centre_label = _find_stat(sub, 0.5) or ("mean" if "mean" in sub["statistic"].values else None)
    if centre_label is None:
        raise SpecError(f"measure {measure!r} has neither q0.5 nor mean in its statistic dim")
    central = sub.sel(statistic=centre_label, drop=True)
    if level is not None:
        lo_l, hi_l = _find_stat(sub, (1 - level) / 2), _find_stat(sub, (1 + level) / 2)
        if lo_l is not None and hi_l is not None:
            return central, sub.sel(statistic=lo_l, drop=True), sub.sel(statistic=hi_l, drop=True)
    return central, None, None


def _interval_note(da: xr.DataArray, level, has_interval: bool, what: str = "line") -> str:
    """What the line (or bar) and its band (or error bars) are; "" for plain values."""
    if "draw" in da.dims:
        text = f"{what.capitalize()}s: median of {da.sizes['draw']:,} draws"
    elif "statistic" in da.dims:
        centre = "median" if _find_stat(da, 0.5) is not None else "mean"
        text = f"{what.capitalize()}s: {centre} of the simulation"
    else:
        return ""
    if has_interval:
        band = "shaded band" if what == "line" else "error bars"
        text += f"; {band}: central {_pct(level)} interval"
    return text + "."


def _err(h: np.ndarray, lo, hi, *, dim: str, **sel):
    """Error-bar lengths below and above the bar heights ``h`` (None: no interval)."""
    if lo is None:
        return None
    lo_v = lo.sel(sel).transpose(dim).values if sel else lo.transpose(dim).values
    hi_v = hi.sel(sel).transpose(dim).values if sel else hi.transpose(dim).values
    return np.vstack([np.clip(h - lo_v, 0, None), np.clip(hi_v - h, 0, None)])
