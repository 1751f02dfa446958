"""The one computation kernel: population segments × rates → demand, by block, summarised.

For a plan (:mod:`forecast.model.plan`) and rates ``r[d, s, k]`` (one row per draw; the
point estimate is a single "draw")::

    demand[a, y, s, b, e, d] = trend[y] × rr[d, s, e] × Σ_k pop_seg[a, y, s, k, e] × r[d, s, k] × [out(k) = b]

and the sexes, bands and ethnic groups not kept are summed within each draw.  The
deterministic projection (:func:`forecast.project`) and the draws
(:func:`forecast.simulate`) both run here, so a feature of one is in the other.

Work is done in blocks of (area, year) rows: per block and sex one matrix product
``(rows × groups, K) @ (K, bands × draws)`` into a buffer whose draws are contiguous, then —
when summaries are asked for — the mean and quantiles along that last axis in place
(``ndarray.partition``), so memory grows with the block, not with draws × cells.  Blocks run
on a thread pool with the BLAS limited to one thread per block (threadpoolctl), which
keeps both cores busy on the partition, where most of the time goes.

Quantiles are numpy's default ("linear", Hyndman & Fan 1996 type 7).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from typing import Callable, Sequence

import numpy as np

__all__ = ["Job", "run_job", "summarise_last_axis", "BLOCK_BYTES"]

#: Bytes of draws held per block before it is summarised.
BLOCK_BYTES = 8 << 20


class Job:
    """One measure's contraction: inputs and which dims to keep."""

    def __init__(self, seg_rates: np.ndarray, out_band: np.ndarray, n_out: int, rr: np.ndarray | None,
                 trend: np.ndarray | None, keep_sex: bool, keep_band: bool, keep_eth: bool,
                 quantiles: Sequence[float] | None) -> None:
        self.seg_rates = seg_rates  # (D, S, K)
        self.n_draws = seg_rates.shape[0]
        self.rr = rr  # (D, S, E) or None
        self.trend = trend  # (Y,) or None
        self.keep_sex, self.keep_band, self.keep_eth = keep_sex, keep_band, keep_eth
        self.quantiles = None if quantiles is None else [float(q) for q in quantiles]
        K = seg_rates.shape[2]
        member = np.zeros((K, n_out))
        member[np.arange(K), out_band] = 1.0
        if not keep_band:
            member = member.sum(axis=1, keepdims=True)
        self.n_band = member.shape[1]
        # W[s] : (K, bands × draws), draws contiguous
        self.W = [np.ascontiguousarray(np.einsum("dk,kb->kbd", seg_rates[:, s, :], member)).reshape(K, -1)
                  for s in range(seg_rates.shape[1])]

    def out_tail(self, n_eth: int) -> tuple[int, ...]:
        """Shape of one row's output after (area, year)."""
        last = self.n_draws if self.quantiles is None else 1 + len(self.quantiles)
        return ((2,) if self.keep_sex else ()) + ((self.n_band,) if self.keep_band else ()) + \
            ((n_eth,) if self.keep_eth else ()) + (last,)

    def block(self, P: np.ndarray, years: np.ndarray) -> np.ndarray:
        """Rows ``P[r, s, k, e]`` (with ``years[r]`` the year index of each row) → output rows."""
        R, S, K, E = P.shape
        D, B = self.n_draws, self.n_band
        if self.trend is not None:
            P = P * self.trend[years][:, None, None, None]
        parts = []
        for s in range(S):
            X = np.ascontiguousarray(P[:, s].transpose(0, 2, 1)).reshape(R * E, K) @ self.W[s]
            X = X.reshape(R, E, B, D)
            if self.rr is not None:
                X *= self.rr[:, s, :].T[None, :, None, :]
            X = X.transpose(0, 2, 1, 3) if self.keep_eth else X.sum(axis=1)  # (R, B, E, D) or (R, B, D)
            parts.append(X)
        X = np.stack(parts, axis=1) if self.keep_sex else sum(parts[1:], parts[0])
        if not self.keep_band:
            X = X[:, :, 0] if self.keep_sex else X[:, 0]
        return X if self.quantiles is None else summarise_last_axis(X, self.quantiles)


def summarise_last_axis(x: np.ndarray, quantiles: Sequence[float]) -> np.ndarray:
    """Mean, then the quantiles, along the last axis (numpy's "linear" method), computed with
    one in-place partition (``x`` is reordered along its last axis)."""
    n = x.shape[-1]
    h = np.asarray(quantiles, dtype=float) * (n - 1)
    lo = np.floor(h).astype(int)
    hi = np.minimum(lo + 1, n - 1)
    mean = x.mean(axis=-1)
    if not x.flags.writeable:
        x = x.copy()
    x.partition(np.unique(np.concatenate([lo, hi])), axis=-1)
    qs = x[..., lo] + (h - lo) * (x[..., hi] - x[..., lo])
    return np.concatenate([mean[..., None], qs], axis=-1)


def _blas_one_thread():
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        return nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def run_job(pop_seg: np.ndarray, job: Job, *, threads: int | None = None,
            progress: Callable[[int], None] | None = None) -> np.ndarray:
    """Demand for every (area, year) row of ``pop_seg`` ``(A, Y, S, K[, E])``.

    Returns ``(A, Y, [S], [B], [E], D or 1 + quantiles)``.
    """
    if pop_seg.ndim == 4:
        pop_seg = pop_seg[..., None]
    A, Y, S, K, E = pop_seg.shape
    rows = pop_seg.reshape(A * Y, S, K, E)
    years = np.tile(np.arange(Y), A)
    tail = job.out_tail(E)
    out = np.empty((A * Y,) + tail)
    per_row = max(1, E * job.n_band * job.n_draws * 8 * (2 if job.keep_sex else 1))
    step = max(1, min(A * Y, BLOCK_BYTES // per_row))
    blocks = [slice(i, min(i + step, A * Y)) for i in range(0, A * Y, step)]

    def work(sl: slice) -> None:
        out[sl] = job.block(rows[sl], years[sl])

    workers = min(len(blocks), threads if threads is not None else (os.cpu_count() or 1))
    if workers <= 1:
        for sl in blocks:
            work(sl)
    else:
        with _blas_one_thread(), ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(work, blocks))
    return out.reshape((A, Y) + tail)
