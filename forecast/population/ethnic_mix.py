"""The ethnic mix type: :class:`EthnicMix` holds, for each area, the share of each ethnic
group — for all ages, or by age band (and by sex where known) — and the caveat stated
whenever all-age shares are applied (:data:`ALL_AGE_WARNING`).

Mixes are read by :mod:`forecast.population.ethnic_read`; see :mod:`forecast.population.ethnicity`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from ..ages import AgeBand
from ..errors import ForecastWarning, InputError, SpecError

ALL_AGE_WARNING = (
    "the ethnic mix has all-age shares only: minority ethnic populations are younger, so "
    "all-age shares overstate them among older people (use shares by age band where they exist)"
)


class AllAgeSharesWarning(ForecastWarning):
    """An all-age ethnic mix was applied to an age-specific measure."""


# ---------------------------------------------------------------------------- mixes

@dataclass(frozen=True, eq=False)
class EthnicMix:
    """Shares of each ethnic group, dims ``(area, [sex], [age_band], ethnicity)``.

    Shares sum to 1 over ``ethnicity`` in every cell.  ``counts`` is kept when the mix
    came from counts (so it can be collapsed to all ages with the right weights).
    """

    shares: xr.DataArray
    form: str
    bands: tuple[AgeBand, ...] | None = None
    counts: xr.DataArray | None = None
    area_names: Mapping[str, str] = field(default_factory=dict)
    source: str = ""
    file: str = ""
    sha256: str = ""
    mapping: str = ""

    @property
    def groups(self) -> list[str]:
        return [str(g) for g in self.shares["ethnicity"].values]

    @property
    def areas(self) -> list[str]:
        return [str(a) for a in self.shares["area"].values]

    @property
    def by_age(self) -> bool:
        return self.bands is not None

    @property
    def by_sex(self) -> bool:
        return "sex" in self.shares.dims

    def __repr__(self) -> str:
        return f"EthnicMix({self.form}, areas={len(self.areas)}, groups={self.groups})"

    def to_frame(self) -> pd.DataFrame:
        """Shares as a tidy table (percent)."""
        df = (self.shares * 100).to_dataframe(name="percent").reset_index()
        return df

    def all_ages(self) -> "EthnicMix":
        """Collapse a by-age mix to all-age shares, weighting bands by their counts.

        Only a mix read from counts can be collapsed (shares by band need the band
        populations as weights).
        """
        if not self.by_age:
            return self
        if self.counts is None:
            raise SpecError("this mix has shares by age band but no counts, so it cannot be collapsed to all ages")
        dims = [d for d in ("age_band", "sex") if d in self.counts.dims]
        counts = self.counts.sum(dims)
        return replace(self, shares=_shares_from_counts(counts, self.file), form="all-age shares (collapsed from counts by age band)",
                       bands=None, counts=counts)

    def map_groups(self, mapping) -> "EthnicMix":
        """Sum detailed groups into broad ones with a mapping
        (:class:`forecast.assumptions.EthnicMapping`: ``groups`` broad → detailed, ``target_of``)."""
        m = mapping
        target = m.target_of(self.groups, file=self.file)
        labels = xr.DataArray([target[g] for g in self.groups], dims="ethnicity", coords={"ethnicity": self.shares["ethnicity"].values})

        def regroup(da):
            out = da.groupby(labels.rename("broad")).sum()
            out = out.rename(broad="ethnicity")
            order = [g for g in m.groups if g in out["ethnicity"].values]
            return out.sel(ethnicity=order).transpose(*[d for d in da.dims])

        return replace(
            self,
            shares=regroup(self.shares),
            counts=regroup(self.counts) if self.counts is not None else None,
            mapping=m.id,
        )

    def shares_by_age(self, ages: Sequence[int], top: int) -> xr.DataArray:
        """Shares on single years of age: dims ``(area, [sex], age, ethnicity)``."""
        if not self.by_age:
            return self.shares
        idx = []
        for a in ages:
            hit = [i for i, b in enumerate(self.bands) if (b.contains(int(a)) if a < top else (b.hi is None and b.lo <= top))]
            if not hit:
                what = f"{a}+" if a == top else str(a)
                raise SpecError(
                    f"the ethnic mix's age bands ({', '.join(b.label for b in self.bands)}) do not cover age {what} "
                    f"of the population{' (the open top group needs an open band such as 85+)' if a == top else ''}",
                    file=self.file or None, field="age_band",
                )
            idx.append(hit[0])
        out = self.shares.isel(age_band=xr.DataArray(idx, dims="age", coords={"age": np.asarray(ages)}))
        return out.drop_vars("age_band")


def _shares_from_counts(counts: xr.DataArray, file: str) -> xr.DataArray:
    total = counts.sum("ethnicity")
    if (total <= 0).any():
        bad = total.where(total <= 0, drop=True)
        where = ", ".join(f"{d} {bad[d].values[0]}" for d in bad.dims)
        raise InputError(f"no people in {where}: shares cannot be formed", file=file or None)
    return counts / total


def warn_all_age_shares() -> None:
    warnings.warn(ALL_AGE_WARNING, AllAgeSharesWarning, stacklevel=3)
