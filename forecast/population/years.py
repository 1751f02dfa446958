"""Years of a cube: select mid-years, and derive financial years by interpolation.

The population of financial year ``Y/Y+1`` is ``0.75 × mid-Y + 0.25 × mid-(Y+1)``
(:mod:`forecast.periods`).
"""

from __future__ import annotations

from typing import Iterable

import xarray as xr

from ..errors import SpecError
from ..periods import financial_year_label, parse_financial_year, year_span

__all__ = ["select_years", "to_financial_years"]


def select_years(obj: xr.DataArray | xr.Dataset, years: Iterable[int] | None):
    """Select mid-years, with a clear error for a year the data does not cover."""
    if years is None:
        return obj
    years = [int(y) for y in years]
    have = [int(y) for y in obj["year"].values]
    for y in years:
        if y not in have:
            raise SpecError(f"year {y} is outside the population's years {year_span(have)}")
    return obj.sel(year=years)


def to_financial_years(obj: xr.DataArray | xr.Dataset, labels: Iterable[str] | None = None):
    """Values by financial year (April-March), interpolated from mid-years.

    FY ``Y/Y+1`` = ``0.75 × value(mid-Y) + 0.25 × value(mid-(Y+1))``: mid-year is
    30 June; the midpoint of April Y - March Y+1 is 1 October Y, a quarter of the way
    from mid-Y to mid-(Y+1) (DESIGN.md).  The ``year`` dim is replaced by a
    ``financial_year`` dim of labels such as ``"2025/26"``.  Without ``labels``, every
    financial year the mid-years cover is returned.

    Valid for stocks (people with a condition, carers), which is what every measure
    of this library is.
    """
    years = [int(y) for y in obj["year"].values]
    if labels is None:
        starts = [y for y in years if y + 1 in years]
    else:
        starts = [parse_financial_year(lab) for lab in labels]
    for s in starts:
        for y in (s, s + 1):
            if y not in years:
                raise SpecError(
                    f"financial year {financial_year_label(s)} needs mid-{y}, outside the years {year_span(years)}"
                )
    with xr.set_options(keep_attrs=True):
        a = obj.sel(year=starts)
        b = obj.sel(year=[s + 1 for s in starts]).assign_coords(year=starts)
        out = 0.75 * a + 0.25 * b
    out = out.rename(year="financial_year").assign_coords(
        financial_year=[financial_year_label(s) for s in starts]
    )
    out.attrs = dict(obj.attrs)
    out.attrs["period"] = "financial year (April-March): 0.75 x mid-year Y + 0.25 x mid-year Y+1"
    return out
