"""The one computation kernel: population segments × rates → demand, by block, summarised.

For a plan (:mod:`forecast.model.plan`) and rates ``r[d, s, k]`` (one row per draw; the
point estimate is a single "draw")::

    demand[a, y, s, b, e, d] = trend[y] × rr[d, s, e] × Σ_k pop_seg[a, y, s, k, e] × r[d, s, k] × [out(k) = b]

and the sexes, bands and ethnic groups not kept are summed within each draw.  The
deterministic projection (:func:`forecast.project`) and the draws
(:func:`forecast.simulate`) both run here, so a feature of one is in the other.

How it runs.  Each kept cell (sex, band, ethnic group) is an output *group*; everything a
group sums — its sexes, its segments, its ethnic groups — is the inner dimension of one
matrix product.  Once per job the population is laid out as a matrix ``P`` (rows: area ×
year [× ethnic group], trend already applied; columns: each group's inputs side by side)
and the rates as ``W`` (one row per column of ``P``, draws contiguous, relative risks
folded in), so a group's demand for a block of rows is ``P[rows, cols] @ W[cols]``: one
BLAS call into a buffer whose draws are contiguous, no copy or transpose of ``P``.  The
buffer is then reduced in place to the mean (a matrix-vector product with the mean of
``W``, since demand is linear in the rates) and the quantiles (one ``ndarray.partition``
call, or a sort below :data:`SORT_BELOW` draws), so memory grows with the block — sized
to the core's L2 cache — not with draws × cells.  A group with a single input (one sex,
one segment: most cells when sex and a rate set's own bands are kept) needs no product at
all: its draws are that rate's draws times a non-negative population, so its mean and
quantiles are the rate's, summarised once, times the population.  Blocks run on a thread
pool, each thread reusing its buffer, with the BLAS held at one thread (threadpoolctl) so
that the threads do not oversubscribe the cores.

Quantiles are numpy's default ("linear", Hyndman & Fan 1996, definition 7), computed as
:func:`numpy.quantile` does.

References
----------
Hyndman, R. J. and Fan, Y. (1996). Sample quantiles in statistical packages. *The
American Statistician* 50(4), 361-365.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from typing import Callable, Sequence

import numpy as np

__all__ = ["Job", "run_job", "summarise_last_axis", "BLOCK_BYTES", "SORT_BELOW", "SERIAL_VALUES"]


def _l2_bytes() -> int:
    """The per-core L2 cache size (Linux sysfs), or 1 MiB."""
    try:
        base = "/sys/devices/system/cpu/cpu0/cache"
        for entry in sorted(os.listdir(base)):
            with open(f"{base}/{entry}/level") as f:
                if f.read().strip() != "2":
                    continue
            with open(f"{base}/{entry}/size") as f:
                text = f.read().strip().upper()
            unit = {"K": 1 << 10, "M": 1 << 20}.get(text[-1:], 1)
            return int(text.rstrip("KM")) * unit
    except (OSError, ValueError):
        pass
    return 1 << 20


#: Bytes of draws held per block (per thread) before it is summarised: half the L2 cache,
#: so that the matrix product's output is still in cache when it is partitioned.
BLOCK_BYTES = max(256 << 10, _l2_bytes() // 2)

#: Below this many values computed in all, a job runs on the calling thread.
SERIAL_VALUES = 1 << 18

#: Fewer draws than this are sorted rather than partitioned: numpy's SIMD sort (x86-simd-sort,
#: numpy ≥ 2.0) beats ``partition`` at several ranks up to about 1,500 values a row (measured
#: on AVX-512: 2 against 20 ns a value at 100 draws, 13 against 18 at 1,000, equal at ~1,800).
SORT_BELOW = 1500


class Job:
    """One measure's contraction: inputs and which dims to keep.

    ``seg_rates`` ``(D, S, K)``: each segment's rate by draw and sex; ``out_band`` ``(K,)``:
    each segment's output band, of ``n_out``; ``rr`` ``(D, S, E)`` or None; ``trend``
    ``(Y,)`` or None; ``quantiles``: summarise the draws (mean, then these quantiles), or
    None to keep them.
    """

    def __init__(self, seg_rates: np.ndarray, out_band: np.ndarray, n_out: int, rr: np.ndarray | None,
                 trend: np.ndarray | None, keep_sex: bool, keep_band: bool, keep_eth: bool,
                 quantiles: Sequence[float] | None) -> None:
        self.seg_rates = np.asarray(seg_rates, dtype=float)  # (D, S, K)
        self.n_draws = self.seg_rates.shape[0]
        self.out_band = np.asarray(out_band, dtype=int)
        self.n_out = int(n_out)
        self.rr = None if rr is None else np.asarray(rr, dtype=float)  # (D, S, E)
        self.trend = None if trend is None else np.asarray(trend, dtype=float)  # (Y,)
        self.keep_sex, self.keep_band, self.keep_eth = keep_sex, keep_band, keep_eth
        self.quantiles = None if quantiles is None else [float(q) for q in quantiles]
        self.n_band = self.n_out if keep_band else 1

    def out_tail(self, n_eth: int) -> tuple[int, ...]:
        """Shape of one row's output after (area, year)."""
        last = self.n_draws if self.quantiles is None else 1 + len(self.quantiles)
        return ((2,) if self.keep_sex else ()) + ((self.n_band,) if self.keep_band else ()) + \
            ((n_eth,) if self.keep_eth else ()) + (last,)


class _Layout:
    """A job laid out for one population: ``P`` ``(rows × eth_rows, columns)``, ``W``
    ``(columns, D)`` and the output groups, each ``(sex, band, eth, first column, end column)``."""

    def __init__(self, pop_seg: np.ndarray, job: Job) -> None:
        A, Y, S, K, E = pop_seg.shape
        pop = pop_seg
        if job.trend is not None:  # on the population, not on the draws
            pop = pop * job.trend[None, :, None, None, None]
        if job.rr is None and not job.keep_eth and E > 1:
            pop = pop.sum(axis=4, keepdims=True)
        self.eth_rows = pop.shape[4] if job.rr is None else 1  # ethnic groups as rows (same rates for each)
        e_cols = 1 if job.rr is None else E  # ethnic groups as columns (rates × relative risks)
        if self.eth_rows > 1:
            flat = pop.transpose(0, 1, 4, 2, 3).reshape(A * Y * self.eth_rows, S * K)
        else:
            flat = pop.reshape(A * Y, S * K * e_cols)
        sexes = [[s] for s in range(S)] if job.keep_sex else [list(range(S))]
        bands = [np.flatnonzero(job.out_band == b) for b in range(job.n_out)] if job.keep_band \
            else [np.arange(K)]
        eths = [[e] for e in range(e_cols)] if (job.keep_eth and e_cols > 1) else [list(range(e_cols))]
        cols, self.groups = [], []
        for i, ss in enumerate(sexes):
            for j, ks in enumerate(bands):
                for m, es in enumerate(eths):
                    c0 = len(cols)
                    cols += [(s, int(k), e) for s in ss for k in ks for e in es]
                    self.groups.append((i, j, m, c0, len(cols)))
        idx = np.array([(s * K + k) * e_cols + e for s, k, e in cols], dtype=np.intp)
        # the columns already in order (sexes and bands summed, or one group): no copy
        self.P = np.ascontiguousarray(flat if np.array_equal(idx, np.arange(flat.shape[1])) else flat[:, idx])
        s_of, k_of, e_of = (np.array([c[i] for c in cols], dtype=np.intp) for i in range(3))
        W = job.seg_rates[:, s_of, k_of]  # (D, C)
        if job.rr is not None:
            W = W * job.rr[:, s_of, e_of]
        self.W = np.ascontiguousarray(W.T)  # (C, D): draws contiguous
        self.w_mean = self.W.mean(axis=1)
        self.scaled: dict[int, np.ndarray] = {}  # single-column groups: the column's own summary
        if job.quantiles is not None:
            for *_, c0, c1 in self.groups:
                if c1 - c0 == 1 and (self.P[:, c0] >= 0).all():
                    self.scaled[c0] = summarise_last_axis(self.W[c0].copy(), job.quantiles)
        self.shape = (A * Y, len(sexes), len(bands), self.eth_rows if self.eth_rows > 1 else len(eths))


def _lerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """numpy's interpolation between neighbouring order statistics (as in ``numpy.quantile``)."""
    diff = b - a
    out = a + diff * t
    return np.where(t >= 0.5, b - diff * (1 - t), out)


def _ranks(n: int, quantiles: Sequence[float]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For ``n`` values: the order statistics below and above each quantile, the weight of
    the upper one ("linear": index ``q (n - 1)``), and the ranks to partition at."""
    h = (n - 1) * np.asarray(quantiles, dtype=float)
    lo = np.floor(h).astype(np.intp)
    hi = np.minimum(lo + 1, n - 1)
    t = h - lo
    kth = np.unique(np.concatenate([lo, hi[t > 0]]))
    return lo, hi, t, kth


def _order(x: np.ndarray, kth: np.ndarray) -> None:
    """Put the order statistics ``kth`` in place along the last axis (sort or partition)."""
    if x.shape[-1] < SORT_BELOW:
        x.sort(axis=-1)
    else:
        x.partition(kth, axis=-1)


def summarise_last_axis(x: np.ndarray, quantiles: Sequence[float]) -> np.ndarray:
    """Mean, then the quantiles, along the last axis (numpy's "linear" method), computed in
    place by one sort or partition (``x`` is reordered along its last axis)."""
    mean = x.mean(axis=-1)
    if not x.flags.writeable:
        x = x.copy()
    lo, hi, t, kth = _ranks(x.shape[-1], quantiles)
    _order(x, kth)
    qs = _lerp(x[..., lo], x[..., hi], t)
    return np.concatenate([mean[..., None], qs], axis=-1)


_CONTROLLER = None


def _blas_one_thread():
    """Hold the BLAS at one thread (the kernel's threads are the parallelism)."""
    global _CONTROLLER
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        return nullcontext()
    if _CONTROLLER is None:
        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER.limit(limits=1, user_api="blas")


def _block_rows(n_rows: int, row_values: int, n_groups: int, threads: int | None) -> tuple[int, int]:
    """Rows per block (a buffer of about :data:`BLOCK_BYTES`) and the threads to use."""
    step = max(1, min(n_rows, BLOCK_BYTES // (8 * row_values)))
    if threads is None:
        threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if n_rows * row_values * n_groups < SERIAL_VALUES:
        return step, 1
    if threads > 1:  # at least two blocks per thread, for balance
        step = max(1, min(step, -(-n_rows // (2 * threads))))
    return step, threads


def run_job(pop_seg: np.ndarray, job: Job, *, threads: int | None = None,
            progress: Callable[[int], None] | None = None) -> np.ndarray:
    """Demand for every (area, year) row of ``pop_seg`` ``(A, Y, S, K[, E])``.

    Returns ``(A, Y, [S], [B], [E], D or 1 + quantiles)``.  ``threads``: blocks run on
    this many threads (default: the cores this process may use).  ``progress``, if given,
    is called with the number of (area, year) rows of each block done.
    """
    if pop_seg.ndim == 4:
        pop_seg = pop_seg[..., None]
    A, Y, S, K, E = pop_seg.shape
    lay = _Layout(np.asarray(pop_seg, dtype=float), job)
    D = job.n_draws
    summarise = job.quantiles is not None
    n_rows, n_sex, n_band, n_eth = lay.shape
    width = 1 + len(job.quantiles) if summarise else D
    out = np.empty((n_rows, n_sex, n_band, n_eth, width))
    if summarise:
        lo, hi, t, kth = _ranks(D, job.quantiles)
    er = lay.eth_rows
    step, threads = _block_rows(n_rows, er * D, len(lay.groups), threads)
    blocks = [(i, min(i + step, n_rows)) for i in range(0, n_rows, step)]
    local = threading.local()

    def work(block: tuple[int, int]) -> None:
        r0, r1 = block
        rows = (r1 - r0) * er
        buf = getattr(local, "buf", None)
        if buf is None:
            buf = local.buf = np.empty((step * er, D))
        X = buf[:rows]
        P = lay.P[r0 * er:r1 * er]
        for i, j, m, c0, c1 in lay.groups:
            dest = out[r0:r1, i, j] if er > 1 else out[r0:r1, i, j, m]
            if c0 == c1:  # nothing in this cell (an age the rate set does not cover)
                dest[...] = 0.0
                continue
            if c0 in lay.scaled:  # one input: its draws are a multiple of one rate's, and so are their summaries
                dest[...] = (P[:, c0, None] * lay.scaled[c0]).reshape(dest.shape)
                continue
            np.matmul(P[:, c0:c1], lay.W[c0:c1], out=X)
            if not summarise:
                dest[...] = X.reshape(dest.shape)
                continue
            mean = P[:, c0:c1] @ lay.w_mean[c0:c1]
            _order(X, kth)
            res = np.empty((rows, width))
            res[:, 0] = mean
            res[:, 1:] = _lerp(X[:, lo], X[:, hi], t)
            dest[...] = res.reshape(dest.shape)
        if progress is not None:
            progress(r1 - r0)

    with _blas_one_thread():
        if threads <= 1 or len(blocks) == 1:
            for b in blocks:
                work(b)
        else:
            with ThreadPoolExecutor(max_workers=min(threads, len(blocks))) as pool:
                list(pool.map(work, blocks))
    return out.reshape((A, Y) + job.out_tail(E))
