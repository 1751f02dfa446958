"""Population: the cube of people by area, year, sex and single year of age, and what is
done to it before rates are applied — reading ONS files, selecting areas and years, areas
made of other areas, financial years, joining estimates to projections, ethnic splits.

Layer: uses :mod:`forecast.errors`, :mod:`forecast.ages`, :mod:`forecast.periods`,
:mod:`forecast.files`, :mod:`forecast.schemas` and :mod:`forecast.geography`; used by
:mod:`forecast.assumptions` and above.
"""

from ..periods import (
    expand_periods,
    financial_year_label,
    parse_financial_year,
    period_time,
    period_weights,
    strategy_end,
    year_span,
)
from .areas import (
    AreaGroup,
    add_groups,
    area_groups,
    check_disjoint,
    find_areas,
    leaves,
    load_groups,
    resolve_areas,
    select_areas,
)
from .combine import combine_populations
from .download import read_population
from .cube import DIMS, PROVENANCE_KEYS, SEXES, is_lazy, make_cube, validate_cube
from .embedded import default_history, default_population
from .extend import extend_population
from .geo import add_geography
from .national import england, read_npp
from .readers import read_mye, read_snpp, read_tidy
from .variants import variant, variant_names
from .years import select_years, to_financial_years

__all__ = [
    "DIMS", "SEXES", "PROVENANCE_KEYS", "make_cube", "validate_cube", "is_lazy",
    "AreaGroup", "add_groups", "area_groups", "check_disjoint", "find_areas", "leaves", "load_groups",
    "resolve_areas", "select_areas",
    "select_years", "to_financial_years", "combine_populations", "default_population", "default_history",
    "read_snpp", "read_tidy", "read_mye", "read_npp", "read_population", "england", "add_geography", "extend_population", "variant",
    "variant_names",
    "expand_periods", "financial_year_label", "parse_financial_year", "period_time", "period_weights",
    "strategy_end", "year_span",
]
