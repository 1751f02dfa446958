"""The kernel on a dask-backed population, area chunk by area chunk (locally, or on
``dask.distributed`` when a client is active)."""

from __future__ import annotations

import numpy as np
import xarray as xr

__all__ = ["run_chunked"]


def _task(chunk: xr.DataArray, plan, job) -> np.ndarray:
    from .kernel import run_job
    from .plan import segment_population

    return run_job(segment_population(chunk, plan), job, threads=1)


def run_chunked(pop: xr.DataArray, plan, job) -> np.ndarray:
    """Run the kernel on each area chunk of a dask-backed population.

    With an active ``dask.distributed`` client the population's chunks are scattered to
    the workers once per population (not once per measure), the job's inputs once per
    measure (broadcast), and each chunk runs as one task; without one, the chunks run on
    dask's local threaded scheduler.
    """
    import dask

    bounds = np.cumsum((0,) + pop.chunks[pop.dims.index("area")])
    slices = [slice(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:])]
    client = _active_client()

    if client is None:
        parts = dask.compute(*[dask.delayed(_task)(pop.isel(area=sl), plan, job) for sl in slices])
    else:
        chunks = _scattered(client, pop, slices)
        plan_f, job_f = client.scatter([plan, job], broadcast=True, hash=False)
        parts = client.gather(client.map(_task, chunks, plan=plan_f, job=job_f, pure=False))
    return np.concatenate(parts, axis=0)


_SCATTERED: dict = {}


def _scattered(client, pop: xr.DataArray, slices) -> list:
    """The population's area chunks on the workers, scattered once per client and population
    (the population itself is kept with them, so that its id cannot be taken by another)."""
    key = id(client)
    held = _SCATTERED.get(key)
    if held is None or held[0] is not pop:
        _SCATTERED.clear()
        # each chunk made here, on the synchronous scheduler: computing it through the client
        # would ship the whole in-memory array inside the graph ("Sending large graph")
        chunks = client.scatter([pop.isel(area=sl).compute(scheduler="sync") for sl in slices], hash=False)
        _SCATTERED[key] = (pop, chunks)
    return _SCATTERED[key][1]


def _active_client():
    try:
        from distributed import get_client
    except ImportError:
        return None
    try:
        return get_client()
    except ValueError:
        return None
