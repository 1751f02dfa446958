"""The populations forecast ships, ready to use offline.

* :func:`default_population` — ONS 2022-based SNPP (migration category variant, 2023
  boundaries) for Leicester, Rutland and the 7 Leicestershire districts, with Leicestershire
  (E10000018) as the sum of its districts;
* :func:`default_history` — ONS mid-year estimates for 2011 and 2018, the same areas.

Sources and licences: ``population/SOURCES.md`` (ONS, Open Government Licence v3.0).
"""

from __future__ import annotations

from functools import lru_cache

import xarray as xr

from ..files import data_dir
from .areas import add_groups, load_groups

__all__ = ["default_population", "default_history"]


def default_history() -> xr.DataArray:
    """ONS mid-year estimates for 2011 and 2018, same areas as the default population
    (``population/mye_leics_rutland_2011_2018_syoa.csv``, from Nomis NM_2002_1; OGL v3.0).
    Leicestershire (E10000018) is a row of the file (the sum of its districts)."""
    from .readers.mye import read_mye

    pop = read_mye(data_dir("population") / "mye_leics_rutland_2011_2018_syoa.csv")
    pop.attrs.update(title="ONS mid-year population estimates 2011 and 2018 (Nomis NM_2002_1)",
                     publisher="Office for National Statistics", licence="Open Government Licence v3.0")
    return pop


def default_population() -> xr.DataArray:
    """The embedded default: ONS 2022-based SNPP (migration category variant, 2023
    boundaries) for Leicester, Rutland and the 7 Leicestershire districts, with
    Leicestershire county (E10000018) added as the sum of its districts.

    Source and licence: ``population/SOURCES.md`` (ONS, Open Government Licence v3.0).
    """
    return _default_population().copy()


@lru_cache(maxsize=1)
def _default_population() -> xr.DataArray:
    from .readers.snpp import read_snpp

    folder = data_dir("population")
    files = sorted(folder.glob("snpp2022_migcat23_*.csv"))
    pop = read_snpp(files)
    pop.attrs.update(
        title="ONS 2022-based subnational population projections, migration category variant (2023 boundaries)",
        publisher="Office for National Statistics",
        licence="Open Government Licence v3.0",
    )
    return add_groups(pop, load_groups(folder / "groups.yaml"))
