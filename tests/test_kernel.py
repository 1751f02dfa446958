"""The computation kernel against plain numpy: an einsum over the full array of draws, then
``numpy.quantile`` and ``mean`` — computed here, independently of the kernel's blocks,
layout, matrix products and in-place selection."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from forecast.model import kernel
from forecast.model.kernel import Job, run_job, summarise_last_axis

pytestmark = pytest.mark.unit

QUANTILES = [0.0, 0.025, 0.1, 0.5, 0.975, 1.0]
A, Y, S, K, E = 3, 5, 2, 6, 3
OUT_BAND = np.array([0, 0, 1, 2, 2, 3])  # segment → output band: bands 1 and 3 have one segment; band 4, none
N_OUT = 5


def reference(pop, rates, rr, trend, keep_sex, keep_band, keep_eth, quantiles):
    """demand[a, y, s, b, e, d] by brute force, dims not kept summed within each draw, then summarised."""
    member = np.zeros((K, N_OUT))
    member[np.arange(K), OUT_BAND] = 1.0
    x = np.einsum("ayske,dsk,kb->aysbed", pop, rates, member)
    if rr is not None:
        x = x * np.transpose(rr, (1, 2, 0))[None, None, :, None, :, :]  # rr[d, s, e] → [s, e, d]
    if trend is not None:
        x = x * trend[None, :, None, None, None, None]
    summed = tuple(ax for ax, keep in ((2, keep_sex), (3, keep_band), (4, keep_eth)) if not keep)
    x = x.sum(axis=summed)
    if quantiles is None:
        return x
    qs = np.moveaxis(np.quantile(x, quantiles, axis=-1, method="linear"), 0, -1)
    return np.concatenate([x.mean(axis=-1)[..., None], qs], axis=-1)


@pytest.fixture(params=["sort", "partition"])
def selection(request, monkeypatch):
    """Both ways of ordering the draws: a sort (few draws) and a partition (many)."""
    monkeypatch.setattr(kernel, "SORT_BELOW", 10**9 if request.param == "sort" else 0)
    return request.param


@pytest.mark.parametrize("draws", [1, 2, 37])
@pytest.mark.parametrize("summarised", [False, True])
def test_kernel_equals_einsum_and_numpy_quantile(draws, summarised, selection, monkeypatch):
    rng = np.random.default_rng(draws)
    pop = rng.uniform(0, 1000, (A, Y, S, K, E))
    rates = rng.uniform(0, 0.4, (draws, S, K))
    rr = rng.lognormal(0, 0.3, (draws, S, E))
    trend = rng.uniform(0.8, 1.3, Y)
    quantiles = QUANTILES if summarised else None
    # small odd blocks: several blocks (and both threads) for every case
    monkeypatch.setattr(kernel, "BLOCK_BYTES", 8 * draws * 2 + 3)
    monkeypatch.setattr(kernel, "SERIAL_VALUES", 0)
    for keep_sex, keep_band, keep_eth, with_rr, with_trend in itertools.product([False, True], repeat=5):
        job = Job(rates, OUT_BAND, N_OUT, rr if with_rr else None, trend if with_trend else None,
                  keep_sex, keep_band, keep_eth, quantiles)
        calls = []
        got = run_job(pop, job, threads=2, progress=calls.append)
        want = reference(pop, rates, rr if with_rr else None, trend if with_trend else None, keep_sex, keep_band,
                         keep_eth, quantiles)
        case = dict(keep_sex=keep_sex, keep_band=keep_band, keep_eth=keep_eth, rr=with_rr, trend=with_trend)
        assert got.shape == want.shape, case
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-9, err_msg=str(case))
        assert sum(calls) == A * Y and len(calls) > 1, case  # every (area, year) row, in several blocks


def test_population_without_ethnicity(selection):
    """A 4-d population (no ethnic groups): the same as one group."""
    rng = np.random.default_rng(7)
    pop = rng.uniform(0, 1000, (A, Y, S, K))
    rates = rng.uniform(0, 0.4, (25, S, K))
    for keep_sex, keep_band in itertools.product([False, True], repeat=2):
        job = Job(rates, OUT_BAND, N_OUT, None, None, keep_sex, keep_band, False, QUANTILES)
        want = reference(pop[..., None], rates, None, None, keep_sex, keep_band, False, QUANTILES)
        np.testing.assert_allclose(run_job(pop, job), want, rtol=1e-12, atol=1e-9)


def test_point_estimate_by_hand():
    """One draw kept, sex and bands kept: 10 people aged in segment 0 × rate 0.2 × trend 1.5 = 3."""
    pop = np.zeros((1, 2, 2, 2))  # area, year, sex, segment
    pop[0, 1, 0, 0] = 10.0
    pop[0, 1, 1, 1] = 4.0
    job = Job(np.array([[[0.2, 0.5], [0.1, 0.25]]]), np.array([0, 1]), 2, None, np.array([1.0, 1.5]),
              True, True, False, None)
    out = run_job(pop, job)[..., 0]  # (area, year, sex, band)
    assert out.shape == (1, 2, 2, 2)
    assert out[0, 1, 0, 0] == pytest.approx(3.0)  # 10 × 0.2 × 1.5
    assert out[0, 1, 1, 1] == pytest.approx(1.5)  # 4 × 0.25 × 1.5
    assert out[0, 0].sum() == 0 and out[0, 1, 0, 1] == 0 and out[0, 1, 1, 0] == 0


def test_threads_give_the_same_numbers(monkeypatch):
    rng = np.random.default_rng(3)
    pop = rng.uniform(0, 1000, (4, 7, S, K, E))
    rates = rng.uniform(0, 0.4, (301, S, K))
    job = Job(rates, OUT_BAND, N_OUT, None, None, True, True, True, QUANTILES)
    monkeypatch.setattr(kernel, "BLOCK_BYTES", 8 * 301 * 5)
    monkeypatch.setattr(kernel, "SERIAL_VALUES", 0)
    one = run_job(pop, job, threads=1)
    two = run_job(pop, job, threads=2)
    assert np.array_equal(one, two)
    np.testing.assert_allclose(two, reference(pop, rates, None, None, True, True, True, QUANTILES), rtol=1e-12)


@settings(max_examples=150, deadline=None)
@given(
    x=st.tuples(st.integers(1, 5), st.integers(1, 40)).flatmap(
        lambda shape: arrays(np.float64, shape, elements=st.floats(-1e6, 1e6, allow_nan=False))),
    quantiles=st.lists(st.floats(0, 1), min_size=1, max_size=5),
    partition=st.booleans(),
)
def test_summarise_last_axis_equals_numpy(x, quantiles, partition):
    want_mean = x.mean(axis=-1)
    want_q = np.moveaxis(np.quantile(x, quantiles, axis=-1, method="linear"), 0, -1)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(kernel, "SORT_BELOW", 0 if partition else 10**9)
        got = summarise_last_axis(x.copy(), quantiles)
    assert got.shape == x.shape[:-1] + (1 + len(quantiles),)
    np.testing.assert_allclose(got[..., 0], want_mean, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(got[..., 1:], want_q, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("n", [1, 2])
def test_summarise_one_and_two_draws(n):
    x = np.array([[5.0, 1.0][:n], [-2.0, 8.0][:n]])
    got = summarise_last_axis(x.copy(), [0.0, 0.25, 0.5, 1.0])
    if n == 1:  # every quantile of one value is that value
        assert got.tolist() == [[5.0] * 5, [-2.0] * 5]
    else:  # 1 and 5: mean 3; quantile q = 1 + 4q
        assert got[0].tolist() == pytest.approx([3.0, 1.0, 2.0, 3.0, 5.0])
        assert got[1].tolist() == pytest.approx([3.0, -2.0, 0.5, 3.0, 8.0])


def test_summarise_read_only_input_is_not_changed():
    x = np.array([[3.0, 1.0, 2.0]])
    x.flags.writeable = False
    got = summarise_last_axis(x, [0.5])
    assert got.tolist() == [[2.0, 2.0]] and x.tolist() == [[3.0, 1.0, 2.0]]
