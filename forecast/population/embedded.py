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
from .geo import add_geography

__all__ = ["default_population", "default_history"]


def default_history() -> xr.DataArray:
    """ONS mid-year estimates for mid-2011 and mid-2018, every English district on 2023
    boundaries (districts merged since are the sums of their predecessors), with counties,
    regions and England (``population/mye/``, from Nomis NM_2002_1; OGL v3.0; see
    ``population/SOURCES.md``).  Join it to a projection with
    :func:`forecast.combine_populations` for base years such as 2011."""
    return _default_history().copy()


@lru_cache(maxsize=1)
def _default_history() -> xr.DataArray:
    from .readers.mye import read_mye

    pop = read_mye(data_dir("population") / "mye" / "mye_england_lad23_2011_2018.csv.gz")
    pop.attrs.update(title="ONS mid-year population estimates 2011 and 2018 (Nomis NM_2002_1), 2023 districts",
                     publisher="Office for National Statistics", licence="Open Government Licence v3.0")
    return add_geography(pop)


def default_population() -> xr.DataArray:
    """The embedded default: ONS 2022-based SNPP (migration category variant, 2023
    boundaries) for Leicester, Rutland and the 7 Leicestershire districts, with
    Leicestershire county (E10000018) added as the sum of its districts.

    Source and licence: ``population/SOURCES.md`` (ONS, Open Government Licence v3.0).
    """
    return _default_population().copy()


@lru_cache(maxsize=1)
def _default_population() -> xr.DataArray:
    from ..files import sha256_file
    from .cache import cached_cube, cube_key
    from .readers.snpp import read_snpp

    folder = data_dir("population")
    files = sorted(folder.glob("snpp2022_migcat23_*.csv"))
    # parsed once, then kept in the cache folder under the files' sha256 (as downloads are)
    pop = cached_cube(cube_key([(f.name, sha256_file(f)) for f in files], reader="snpp"), lambda: read_snpp(files))
    pop.attrs.update(
        title="ONS 2022-based subnational population projections, migration category variant (2023 boundaries)",
        publisher="Office for National Statistics",
        licence="Open Government Licence v3.0",
    )
    return add_geography(pop)
