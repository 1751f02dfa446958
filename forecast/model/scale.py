"""Scale: dask-backed populations, dask.distributed clients, and run-size estimates.

One machine is the default.  When a run outgrows it — every English area × thousands of
draws × scenarios — the same calls run on dask:

* :func:`chunk_by_area` turns the population cube into a dask-backed one, chunked by area;
  :func:`forecast.simulate` then works block by block, with the same kernel and the same
  results as in memory (:func:`forecast.model.chunked.run_chunked`).
* :func:`dask_client` connects to a ``dask.distributed`` scheduler (``scheduler="tcp://…"``)
  or starts a ``LocalCluster`` (``workers=N``); blockwise work then runs there.  An
  unreachable scheduler fails fast, naming its address.

Needs the ``scale`` extra: ``pip install "care-demand-forecast[scale]"`` (dask and distributed).
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Iterator, Sequence

import xarray as xr

from ..errors import ForecastError, SpecError

__all__ = ["chunk_by_area", "dask_client", "estimate"]


def _need_dask(what: str):
    try:
        import dask  # noqa: F401
        import dask.array  # noqa: F401
    except ImportError:
        raise ForecastError(f"{what} needs dask: pip install \"care-demand-forecast[scale]\"") from None


def chunk_by_area(population: xr.DataArray, areas_per_chunk: int = 50) -> xr.DataArray:
    """A dask-backed copy of the cube, chunked by area (other dims whole)."""
    _need_dask("chunking by area")
    if areas_per_chunk <= 0:
        raise SpecError(f"areas per chunk must be positive, not {areas_per_chunk}")
    return population.chunk({"area": areas_per_chunk, "year": -1, "sex": -1, "age": -1})


@contextmanager
def dask_client(scheduler: str | None = None, workers: int | None = None, *, timeout: float = 5.0) -> Iterator:
    """A ``dask.distributed`` client for the duration of a ``with`` block.

    ``scheduler``: the address of a running scheduler (``tcp://host:8786``); if it cannot
    be reached within ``timeout`` seconds, :class:`ForecastError` names it.  ``workers``:
    start a ``LocalCluster`` with that many single-threaded worker processes.
    """
    if (scheduler is None) == (workers is None):
        raise SpecError("give a scheduler address or a number of workers (one of the two)")
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ForecastError('dask.distributed is not installed: pip install "care-demand-forecast[scale]"') from None
    if workers is not None:
        if isinstance(workers, bool) or not isinstance(workers, int) or workers <= 0:
            raise SpecError(f"the number of workers must be a positive whole number, not {workers!r}", field="--workers")
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
        try:
            yield client
        finally:
            client.close()
            cluster.close()
        return
    try:
        client = Client(scheduler, timeout=timeout)
    except (OSError, TimeoutError) as e:
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise ForecastError(f"cannot reach the dask scheduler at {scheduler} within {timeout:g} s ({reason})", field="--scheduler") from None
    except ValueError as e:
        raise ForecastError(f"not a scheduler address: {scheduler!r} ({e})", field="--scheduler") from None
    try:
        yield client
    finally:
        client.close()


def estimate(population: xr.DataArray, rate_sets, *, draws: int, keep: Sequence[str] = (), bands=None, ages=None,
             quantiles: Sequence[float] | None = (0.025, 0.5, 0.975), sample_areas: int = 4, **kwargs) -> dict:
    """Expected size and time of a :func:`forecast.simulate` run, from a timed sample.

    Returns ``cells`` (output values), ``draw_values`` (values computed before
    summarising), ``peak_bytes`` (the largest arrays held at once, roughly), ``seconds``
    (the sample's time scaled to the whole run), and the ``sample`` result with the share
    of the areas it covers (``sample_share``), so that a caller can time what it does
    with the result (writing it out) and scale that too.  Nothing is allocated in proportion to
    the run before the sizes are checked against :mod:`forecast.limits`.
    """
    from .draws import check_draws
    from .kernel import BLOCK_BYTES
    from .measures import resolve_measures
    from .project import simulate

    draws, _ = check_draws(draws, 0)
    measures = resolve_measures(rate_sets)
    n_area, n_year = population.sizes["area"], population.sizes["year"]
    kept = (2 if "sex" in keep else 1) * (len(bands) if bands and "age_band" in keep else 1)
    if "ethnicity" in keep and "ethnicity" in population.dims:
        kept *= population.sizes["ethnicity"]
    per_measure = n_area * n_year * kept
    stats = (len(quantiles) + 1) if quantiles is not None else draws
    cells = per_measure * stats * len(measures)
    draw_values = per_measure * draws * len(measures)
    peak = population.size * 8 * 2 + cells * 8 + (0 if quantiles is None else 2 * BLOCK_BYTES)  # every measure's output held
    sample = population.isel(area=slice(0, min(sample_areas, n_area)))
    t = time.perf_counter()
    result = simulate(sample, measures, draws=draws, seed=0, keep=keep, bands=bands, ages=ages, quantiles=quantiles,
                      threads=1, **kwargs)
    elapsed = time.perf_counter() - t
    return {"cells": int(cells), "draw_values": int(draw_values), "peak_bytes": int(peak),
            "seconds": float(elapsed * n_area / sample.sizes["area"]), "measures": len(measures), "areas": n_area,
            "years": n_year, "draws": draws, "sample": result, "sample_share": sample.sizes["area"] / n_area}
