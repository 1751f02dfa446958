"""The ethnic adjustment, without and with: the same projection on the population as it is
and split by ethnic group with relative risks applied.

The multipliers (reference and standardised modes) are defined in
:func:`forecast.model.draws.relative_risk_draws`; the split in
:mod:`forecast.population.ethnicity`.
"""

from __future__ import annotations

import xarray as xr

from ..assumptions import load_mapping
from ..population import default_population
from ..population.ethnicity import get_ethnic_mix, split_by_ethnicity
from .project import project

__all__ = ["ethnic_adjustment"]


def ethnic_adjustment(population, rate_sets, mix, *, mapping=None, relative_risks=None, ethnic_mode: str | None = None,
                      **kwargs) -> dict[str, xr.Dataset]:
    """Project without and with the ethnic adjustment: ``{"without": …, "with": …}``.

    ``without`` is the usual projection; ``with`` splits the population by ``mix`` (mapped
    with ``mapping`` if given: an id, path or :class:`~forecast.assumptions.EthnicMapping`)
    and applies ``relative_risks`` (or the rate sets' own ``ethnicity:`` blocks).  Pass the
    pair to :func:`forecast.compare` for a side-by-side table.  Other keyword arguments
    (ages, bands, areas, years) go to :func:`forecast.project`.
    """
    pop = default_population() if population is None else population
    m = get_ethnic_mix(mix)
    if mapping is not None:
        m = m.map_groups(load_mapping(mapping))
    without = project(pop, rate_sets, **kwargs)
    split = split_by_ethnicity(pop, m, areas=kwargs.get("areas"))
    with_ = project(split, rate_sets, relative_risks=relative_risks, ethnic_mode=ethnic_mode, **kwargs)
    return {"without": without, "with": with_}
