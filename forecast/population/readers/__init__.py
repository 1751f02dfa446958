"""Population readers, one module per source format.

* :func:`read_snpp` — ONS subnational population projections, as published.
* :func:`read_mye` — ONS mid-year estimates (tidy, Nomis NM_2002_1 or MYEB1 layouts).
* :func:`read_tidy` — a tidy CSV (``area_code, area_name, year, sex, age, population``),
  which is also the layout of the ONS mid-year estimates extract shipped for tests.
"""

from .mye import read_mye
from .snpp import read_snpp
from .tidy import read_tidy

__all__ = ["read_snpp", "read_tidy", "read_mye"]
