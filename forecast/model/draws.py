"""Draws of rates and relative risks: distributions matched to what each source publishes.

Each rate set's band rates are drawn independently by band and sex (one draw for both sexes
when the source gives persons rates):

* **published interval** (CFAS II): a Beta distribution matched by moments — mean = the point
  estimate, standard deviation = (high − low) / (2 z), z the normal quantile of the
  interval's level (1.96 for 95%).  A zero-width interval gives the point estimate.
* **counts** (census carers: k of n): Beta(k, n − k), whose mean is k / n.
* **survey bases** (APMS: rate p with unweighted base n): Beta(p n, (1 − p) n), the binomial
  sampling uncertainty (no design effect: an understatement).
* **none** (Dementia UK consensus, the 15% rule): every draw is the point estimate.

Ethnic relative risks with intervals (Pham et al. 2018) are drawn from a log-normal with
mean equal to the published ratio, σ = (ln high − ln low) / (2 z).  Every distribution's
mean is the point estimate, so the mean of the demand draws converges to the deterministic
projection.

**Streams.**  One seed makes a run reproducible.  Each rate set draws from its own stream,
``numpy.random.SeedSequence(seed, spawn_key=(crc32(rate_set_id),))``, and each set of
relative risks from ``crc32("rr:" + id)``: a rate set's draws never depend on what else is
in the run (its neighbours in a table, the measure's name, the order of measures).
"""

from __future__ import annotations

import math
import zlib
from statistics import NormalDist
from typing import Sequence

import numpy as np

import xarray as xr

from ..assumptions import RateSet, RelativeRisks, get_relative_risks
from ..errors import SpecError
from ..limits import MAX_DRAWS

__all__ = ["DEFAULT_QUANTILES", "check_draws", "rng_for", "band_draws", "point_rates", "relative_risk_draws",
           "relative_risk_array", "check_groups", "distribution_note"]

#: The central estimate and 95% interval reported by default (median, 2.5th and 97.5th percentiles).
DEFAULT_QUANTILES = (0.025, 0.5, 0.975)


def check_draws(draws, seed) -> tuple[int, int]:
    """Validate the draw count (1 … :data:`forecast.limits.MAX_DRAWS`) and the seed."""
    if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)):
        raise SpecError(f"the number of draws must be a whole number, not {draws!r}", field="draws")
    if not 1 <= draws <= MAX_DRAWS:
        raise SpecError(f"the number of draws must be between 1 and {MAX_DRAWS:,} (forecast.limits), not {draws:,}",
                        field="draws")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise SpecError(f"the seed must be a whole number, not {seed!r}", field="seed")
    if not 0 <= seed < 2**63:
        raise SpecError(f"the seed must be between 0 and 2^63 - 1, not {seed}", field="seed")
    return int(draws), int(seed)


def rng_for(key: str, seed: int) -> np.random.Generator:
    """The random stream of one rate set (or ``"rr:" + id`` for relative risks)."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(zlib.crc32(key.encode()),)))


def _z(level: float) -> float:
    return NormalDist().inv_cdf(0.5 + level / 2)


def _beta_or_point(rng, a: np.ndarray, b: np.ndarray, point: np.ndarray, draws: int) -> np.ndarray:
    """Beta(a, b) draws where a, b > 0 (finite); the point value elsewhere."""
    out = np.broadcast_to(point, (draws,) + point.shape).copy()
    ok = (a > 0) & (b > 0) & np.isfinite(a) & np.isfinite(b)
    if ok.any():
        out[:, ok] = rng.beta(a[ok], b[ok], size=(draws, int(ok.sum())))
    return out


def point_rates(rs: RateSet) -> np.ndarray:
    """The point estimates as one "draw": shape ``(1, 2 sexes, bands)``."""
    return rs.table("rate")[None, :, :]


def band_draws(rs: RateSet, draws: int, rng: np.random.Generator) -> np.ndarray:
    """Draws of a rate set's band rates, shape ``(draws, 2 sexes, bands)`` (proportions)."""
    sexes = ("male", "female") if rs.by_sex else ("male",)
    parts = []
    for sex in sexes:
        p = np.asarray(rs.rates[sex], dtype=float)
        if rs.counts is not None:
            k, n = (np.asarray(x, dtype=float) for x in rs.counts[sex])
            parts.append(_beta_or_point(rng, k, n - k, p, draws))
        elif rs.intervals is not None:
            lo, hi = rs.intervals[sex][:, 0], rs.intervals[sex][:, 1]
            var = ((hi - lo) / (2 * _z(rs.interval_level))) ** 2
            with np.errstate(divide="ignore", invalid="ignore"):
                nu = p * (1 - p) / var - 1
            nu = np.where(var > 0, np.maximum(nu, 1e-6), np.inf)
            parts.append(_beta_or_point(rng, p * nu, (1 - p) * nu, p, draws))
        elif rs.bases is not None:
            n = np.asarray(rs.bases[sex], dtype=float)
            parts.append(_beta_or_point(rng, p * n, (1 - p) * n, p, draws))
        else:
            parts.append(np.broadcast_to(p, (draws,) + p.shape).copy())
    if len(parts) == 1:
        parts.append(parts[0])
    return np.stack(parts, axis=1)


def distribution_note(rs: RateSet) -> str:
    """How a rate set's draws are made, for table notes."""
    if rs.counts is not None:
        return f"{rs.id}: Beta(cases, population − cases) from the counts"
    if rs.intervals is not None:
        return f"{rs.id}: Beta matched to the published {rs.interval_level:.0%} intervals (mean = point estimate)"
    if rs.bases is not None:
        return f"{rs.id}: Beta(p × base, (1 − p) × base) from the unweighted survey bases (no design effect)"
    return f"{rs.id}: no published uncertainty — fixed at the point estimates"


def relative_risk_draws(rr: RelativeRisks, groups: Sequence[str], draws: int | None, rng: np.random.Generator | None,
                        mode: str | None = None) -> np.ndarray:
    """Multipliers of the base rates, shape ``(draws, 2 sexes, groups)``; with ``draws=None``
    the point values, shape ``(1, 2, groups)``.

    ``reference`` mode: ``RR[g, s]`` (1 for the reference group and for groups with no
    published ratio).  ``standardised`` mode: ``RR[g, s] / Σ_h w[h, s] RR[h, s]`` with ``w``
    the study population's mix, so the study population keeps its overall rate (within
    each draw).
    """
    groups = [str(g) for g in groups]
    mode = mode or rr.mode
    n = 1 if draws is None else draws
    out = np.ones((n, 2, len(groups)))
    z = _z(rr.interval_level)
    for j, g in enumerate(groups):
        if g not in rr.ratios:
            continue
        for i, sex in enumerate(("male", "female")):
            value = rr.ratios[g][sex]
            iv = (rr.intervals or {}).get(g, {}).get(sex)
            if draws is None or iv is None or iv[1] <= iv[0]:
                out[:, i, j] = value
            else:
                sigma = (math.log(iv[1]) - math.log(iv[0])) / (2 * z)
                out[:, i, j] = np.exp(rng.normal(math.log(value) - sigma * sigma / 2, sigma, size=draws))
    if mode == "standardised":
        if rr.study_population is None:
            raise SpecError(f"relative risks '{rr.id}': mode standardised needs a study_population")
        idx = {g: j for j, g in enumerate(groups)}
        for i, sex in enumerate(("male", "female")):
            scale = np.zeros(n)  # a group of the study not in the mix keeps its fixed ratio
            for g, wg in rr.study_population[sex].items():
                scale += wg * (out[:, i, idx[g]] if g in idx else rr.ratios[g][sex])
            out[:, i, :] /= scale[:, None]
    elif mode != "reference":
        raise SpecError(f"unknown ethnic mode {mode!r} (use reference or standardised)")
    return out


def check_groups(rr: RelativeRisks, groups: Sequence[str]) -> None:
    """A ratio for a group the mix does not have is an error (map the mix first)."""
    groups = [str(g) for g in groups]
    missing = [g for g in rr.groups if g not in groups]
    if missing:
        raise SpecError(
            f"relative risks '{rr.id}' are given for group(s) {', '.join(repr(g) for g in missing)}, which the ethnic mix "
            f"does not have (its groups: {', '.join(groups)}); map the mix to matching groups with a mapping file"
        )


def relative_risk_array(rr, groups: Sequence[str], *, mode: str | None = None) -> tuple[xr.DataArray, list[str]]:
    """The point multipliers, dims ``(sex, ethnicity)``, and the groups given 1 (no ratio)."""
    rr = get_relative_risks(rr)
    check_groups(rr, groups)
    table = relative_risk_draws(rr, groups, None, None, mode)[0]
    da = xr.DataArray(table, dims=("sex", "ethnicity"),
                      coords={"sex": ["male", "female"], "ethnicity": [str(g) for g in groups]})
    return da, [str(g) for g in groups if g not in rr.ratios]
