"""The plan of one measure: which single ages share a rate and an output band (segments).

Ages are summed into *segments* — runs of single ages that take the same rate band and fall
in the same output band — once per measure, before any draw (so that the population is
never copied per draw).  Each segment takes exactly one rate band, so demand is

    demand[area, year, sex, band] = Σ_k pop_seg[area, year, sex, k] × rate[sex, rate_band(k)] × [out_band(k) = band]

A population's open top group (90+) that a rate set splits (90-94, 95+) is itself split
into one segment per rate band, in proportion to the open-top weights (POPPI's method:
a fixed population per sex, or the national projection's shares by year), which is the
same as giving the whole group the weighted mean rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import xarray as xr

from ..ages import AgeBand, ages_in_band
from ..assumptions import RateSet, RelativeRisks
from ..errors import SpecError
from ..population.national import open_top_shares

__all__ = ["Plan", "make_plan", "segment_population"]


@dataclass
class Plan:
    name: str
    rate_set: RateSet
    rate_band: np.ndarray  # (K,) the rate band of each segment
    out_band: np.ndarray  # (K,) the output band (or age index) of each segment
    age_seg: np.ndarray  # (S, G, K) weight of single age g in segment k, by sex (fractions only at the top)
    top_npp: tuple[list[int], np.ndarray] | None  # (segments, weights (Y, 2, J)) when they vary by year
    out_dim: str  # "age_band" or "age"
    out_labels: list
    trend: np.ndarray | None  # (Y,)
    risk: RelativeRisks | None
    cover: AgeBand

    @property
    def n_out(self) -> int:
        return len(self.out_labels)


def _out_index(out_bands: Sequence[AgeBand] | None, ages: np.ndarray, top: int) -> np.ndarray:
    """Output band of each single age (-1: not asked for); single-age output when None."""
    if out_bands is None:
        return np.arange(ages.size)
    idx = np.full(ages.size, -1)
    pos = {int(a): i for i, a in enumerate(ages)}
    for j, band in enumerate(out_bands):
        for a in ages_in_band(band, top):
            idx[pos[a]] = j
    return idx


def make_plan(pop: xr.DataArray, name: str, rs: RateSet, out_bands: Sequence[AgeBand] | None,
              risk: RelativeRisks | None, trend) -> Plan:
    """Segments of one measure on a population; refuses a band the rate set does not cover
    (an error, not a silent zero)."""
    top = int(pop.attrs["open_top_age"])
    ages = pop["age"].values.astype(int)
    cover = rs.population_coverage(top)
    if out_bands is None or any(b.contains(top) for b in out_bands):
        rs.top_split(top, strict=True)  # a split of the open top group with no rule: say so
    if out_bands is not None:
        for b in out_bands:
            if not b.within(cover):
                raise SpecError(f"rate set '{rs.id}' covers ages {cover.label}; the requested band {b.label} lies outside it")
    out_of = _out_index(out_bands, ages, top)
    keys: dict[tuple[int, int], int] = {}
    cells: list[tuple[int, int, np.ndarray]] = []  # (age index, segment, weight per sex)
    npp_segments: tuple[list[int], list] | None = None
    for g, a in enumerate(ages):
        if out_of[g] < 0:
            continue
        if a < top:
            rb = rs.band_of(a)
            if rb is not None:
                cells.append((g, keys.setdefault((rb, out_of[g]), len(keys)), np.ones(2)))
            continue
        split = rs.top_split(top, strict=True)
        if split is None:
            continue
        idx, w = split
        segs = [keys.setdefault((rb, out_of[g]), len(keys)) for rb in idx]
        if isinstance(w, str):
            npp_segments = (segs, [rs.bands[i] for i in idx])
            continue
        for j, k in enumerate(segs):
            cells.append((g, k, w[:, j]))
    K = len(keys)
    age_seg = np.zeros((2, ages.size, K))
    for g, k, w in cells:
        age_seg[:, g, k] += w
    rate_band = np.empty(K, dtype=int)
    out_band = np.empty(K, dtype=int)
    for (rb, ob), k in keys.items():
        rate_band[k], out_band[k] = rb, ob
    if npp_segments is not None:  # POPPI's split with the national projection's shares, year by year
        segs, bands = npp_segments
        npp_segments = (segs, open_top_shares(pop, pop["year"].values, bands))
    labels = [b.label for b in out_bands] if out_bands is not None else [int(a) for a in ages]
    trend_values = None if trend is None else trend.factor(pop["year"].values)
    return Plan(name, rs, rate_band, out_band, age_seg, npp_segments, "age_band" if out_bands is not None else "age",
                labels, trend_values, risk, cover)


def segment_population(pop: xr.DataArray, plan: Plan) -> np.ndarray:
    """The population summed into the plan's segments: ``(area, year, sex, K[, ethnicity])``,
    one matrix product per sex."""
    split = "ethnicity" in pop.dims
    order = ["area", "year", "sex", "age"] + (["ethnicity"] if split else [])
    data = np.asarray(pop.transpose(*order).data, dtype=float)
    A, Y, S = data.shape[:3]
    K = plan.age_seg.shape[2]
    out = np.empty((A, Y, S, K) + data.shape[4:])
    for s in range(S):
        if split:  # (K, G) @ (A, Y, G, E) -> (A, Y, K, E)
            np.matmul(plan.age_seg[s].T, data[:, :, s], out=out[:, :, s])
        else:
            np.matmul(data[:, :, s], plan.age_seg[s], out=out[:, :, s])
    if plan.top_npp is not None:
        segs, w = plan.top_npp  # w: (Y, 2, J)
        top_pop = data[:, :, :, -1]  # (A, Y, S[, E])
        for j, k in enumerate(segs):
            wj = w[:, :, j][None] if not split else w[:, :, j][None, :, :, None]
            out[:, :, :, k] += top_pop * wj
    return out
