"""Ethnic mix: split a population by ethnic group; apply ethnic relative risks.

An :class:`EthnicMix` holds, for each area, the share of each ethnic group — for all
ages, or by age band (and by sex where known).  It is read from a CSV in one of three
forms (:func:`read_ethnic_mix`):

1. all-age shares per area (``area_code, ethnic_group, percent``), e.g. Table 2 of the
   2007 LLR strategy (``examples/llr_ethnic_mix_2007.csv``);
2. shares by age band, and by sex where known (``… age_band, [sex], …``), e.g. Census
   2011 White / Non-White by age band (``census2011_white_by_age_llr``);
3. counts by area × ethnic group (× age band × sex where known), e.g. Census 2021 TS021
   (``census2021_ts021_llr``).

:func:`split_by_ethnicity` multiplies the population cube by the shares, giving a cube
with an ``ethnicity`` dim whose sum over ethnicity equals the original (to floating
point): every age gets its band's shares, shares are held at their census values for
every year, and a group area (Leicestershire) is the sum of its members' splits unless
the mix has a row of its own for it.

Detailed groups map to broad ones with a mapping (:class:`forecast.assumptions.EthnicMapping`,
:meth:`EthnicMix.map_groups`).

Relative risks are applied by :mod:`forecast.model.ethnic`.

A caveat the library states whenever it applies: minority ethnic populations are
younger, so all-age shares overstate them among older people.  Use shares by age band
where they exist.

The parts, one module each (every name is importable from here, as before):

* :mod:`forecast.population.ethnic_mix` — :class:`EthnicMix` and the all-age caveat;
* :mod:`forecast.population.ethnic_read` — :func:`read_ethnic_mix`, the built-in mixes;
* :mod:`forecast.population.ethnic_split` — :func:`split_by_ethnicity`;
* :mod:`forecast.population.ethnic_rake` — :func:`rake`.
"""

from __future__ import annotations

# the names below were all defined or imported here before the split: keep them importable
from ..ages import AgeBand, parse_band, parse_bands  # noqa: F401
from ..errors import ForecastError, ForecastWarning, InputError, SpecError, few  # noqa: F401
from ..files import data_dir, gunzip, read_bytes, sha256_bytes  # noqa: F401
from .areas import area_groups, leaves, resolve_areas  # noqa: F401
from .cube import DIMS  # noqa: F401
from .ethnic_mix import (  # noqa: F401
    ALL_AGE_WARNING,
    AllAgeSharesWarning,
    EthnicMix,
    _shares_from_counts,
    warn_all_age_shares,
)
from .ethnic_rake import _ipf, rake  # noqa: F401
from .ethnic_read import (  # noqa: F401
    _BUILTIN,
    _NIL,
    _VALUE_COLUMNS,
    DEFAULT_MIX,
    PERCENT_TOLERANCE,
    SHARE_TOLERANCE,
    _read_builtin,
    builtin_mixes,
    get_ethnic_mix,
    read_ethnic_mix,
)
from .ethnic_split import _full_population, split_by_ethnicity  # noqa: F401
from .readers._common import line_numbers, parse_sex, read_csv_text, require_columns  # noqa: F401

__all__ = [
    "EthnicMix",
    "AllAgeSharesWarning",
    "ALL_AGE_WARNING",
    "read_ethnic_mix",
    "get_ethnic_mix",
    "split_by_ethnicity",
    "rake",
    "builtin_mixes",
    "DEFAULT_MIX",
    "warn_all_age_shares",
]
