"""Population readers, one module per source format.

* :func:`read_snpp` — ONS subnational population projections, as published.
* :func:`read_mye` — ONS mid-year estimates (tidy, Nomis NM_2002_1 or MYEB1 layouts).
* :func:`read_tidy` — a tidy CSV (``area_code, area_name, year, sex, age, population``),
  which is also the layout of the ONS mid-year estimates extract shipped for tests.

Each public reader adds the counties, regions and England whose districts the file holds
in full (:func:`forecast.population.geo.add_geography`).
"""

from __future__ import annotations

import functools

from ..geo import add_geography
from . import mye, snpp, tidy

__all__ = ["read_snpp", "read_tidy", "read_mye"]


def _with_geography(reader):
    @functools.wraps(reader)
    def read(*args, **kwargs):
        return add_geography(reader(*args, **kwargs))
    return read


read_snpp = _with_geography(snpp.read_snpp)
read_tidy = _with_geography(tidy.read_tidy)
read_mye = _with_geography(mye.read_mye)
