"""The cache folder, and parsed population cubes kept in it, keyed by their files' sha256.

Reading a national ONS file takes a fraction of a second once the reader has been made
fast, but a second read of the same file need not parse at all: :func:`cached_cube` keeps
the parsed cube in ``<cache>/parsed/<key>.npz`` (plain numpy arrays, no pickles), where the
key is the sha256 of the source files' sha256s, their names, the reader and the cache
format.  A cache entry is used only if the key stored inside it is the key asked for and it
makes a valid cube; otherwise it is ignored (and replaced).  A cache folder that cannot be
written only means no caching.

The cache folder is ``$FORECAST_CACHE_DIR`` if set, else the user's cache folder
(``platformdirs.user_cache_dir("forecast")``, e.g. ``~/.cache/forecast`` on Linux).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import xarray as xr

from .._version import __version__
from ..errors import ForecastError
from ..files import atomic_path
from .cube import make_cube

__all__ = ["CACHE_ENV", "cache_dir", "cube_key", "load_cube", "save_cube", "cached_cube"]

#: Environment variable that overrides the cache folder.
CACHE_ENV = "FORECAST_CACHE_DIR"

#: Bump when the readers' output changes for the same input (old entries are then unused).
CACHE_FORMAT = 1

#: Most parsed cubes kept; beyond this the least recently used are deleted (a national
#: SNPP cube is about 11 MB).
MAX_PARSED = 40


def cache_dir() -> Path:
    """The cache folder (not created here)."""
    env = os.environ.get(CACHE_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("forecast"))


def _parsed_dir() -> Path:
    return cache_dir() / "parsed"


def cube_key(sources: Sequence[tuple[str, str]], reader: str, options: str = "") -> str:
    """The cache key of a cube read by ``reader`` (with ``options``) from ``sources``:
    ``(name, sha256)`` of each file, in the order read."""
    blob = json.dumps([CACHE_FORMAT, __version__, reader, options, [list(s) for s in sources]])
    return hashlib.sha256(blob.encode()).hexdigest()


def _path(key: str) -> Path:
    return _parsed_dir() / f"{key}.npz"


def load_cube(key: str) -> xr.DataArray | None:
    """The cached cube for ``key``, or ``None`` (missing, unreadable, or not for this key)."""
    path = _path(key)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            if str(z["key"]) != key:
                return None
            attrs = json.loads(str(z["attrs"]))
            top = int(z["open_top_age"])
            cube = make_cube(
                z["values"], areas=z["area"].tolist(), area_names=z["area_name"].tolist(),
                years=z["year"].tolist(), ages=z["age"].tolist(), open_top_age=top,
                sexes=z["sex"].tolist(), attrs=attrs,
            )
    except Exception:  # unreadable, corrupt (zipfile.BadZipFile, among others) or stale: never fatal
        return None
    cube.attrs["open_top_age"] = top
    try:
        os.utime(path)  # recently used: kept longest
    except OSError:
        pass
    return cube


def save_cube(key: str, cube: xr.DataArray) -> Path | None:
    """Keep ``cube`` under ``key``; ``None`` if the cache folder cannot be written (or the
    cube is not a plain in-memory area × year × sex × age cube)."""
    if cube.dims != ("area", "year", "sex", "age"):
        return None
    attrs = {k: v for k, v in cube.attrs.items() if k != "open_top_age"}
    try:
        attrs_json = json.dumps(attrs)
    except TypeError:
        return None
    path = _path(key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path, internal=True) as tmp, open(tmp, "wb") as fh:
            np.savez(
                fh, key=np.str_(key), attrs=np.str_(attrs_json), open_top_age=np.int64(cube.attrs["open_top_age"]),
                values=np.asarray(cube.values, dtype=float),
                area=np.asarray(cube["area"].values, dtype=str), area_name=np.asarray(cube["area_name"].values, dtype=str),
                year=np.asarray(cube["year"].values, dtype=np.int64), sex=np.asarray(cube["sex"].values, dtype=str),
                age=np.asarray(cube["age"].values, dtype=np.int64),
            )
    except (OSError, ForecastError):
        return None
    _prune(path.parent)
    return path


def _prune(folder: Path, keep: int = MAX_PARSED) -> None:
    """Delete the least recently used cubes beyond ``keep``."""
    try:
        entries = sorted(folder.glob("*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
        for p in entries[keep:]:
            p.unlink()
    except OSError:
        pass


def cached_cube(key: str, read: Callable[[], xr.DataArray], *, use_cache: bool = True) -> xr.DataArray:
    """The cube for ``key`` from the cache, else ``read()`` (and cache the result)."""
    if use_cache:
        cube = load_cube(key)
        if cube is not None:
            return cube
    cube = read()
    if use_cache:
        save_cube(key, cube)
    return cube
