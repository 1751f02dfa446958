"""A population by name or by files: :func:`read_population` reads a downloaded dataset
(``snpp2022``, ``npp2024:hpp`` …) or ONS files, keeping every parsed cube in the cache
keyed by the files' sha256 (:mod:`forecast.population.cache`), and adds the provenance of
a dataset to its cube.
"""

from __future__ import annotations

import re
from os import PathLike
from pathlib import Path

import xarray as xr

from ..errors import ForecastError, InputError
from ..files import check_regular_file
from .cache import cached_cube, cube_key
from .catalogue import CATALOGUE, OGL, ONS, Dataset, dataset, split_name
from .downloaded import cached_file, sha256_now
from .sources import read_myeb1_workbook, read_npp_zip

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(:[A-Za-z]{3})?$")
FORMATS = ("snpp", "tidy", "mye")


def is_dataset_name(source) -> bool:
    """Whether ``source`` is written as a dataset name (``snpp2022``, ``npp2024:hpp``), not a path."""
    return isinstance(source, str) and bool(_NAME.match(source.strip())) and not Path(source).suffix


def read_population(source, *, format: str = "snpp", cache: bool = True) -> xr.DataArray:
    """A population cube from a downloaded dataset (by name) or from files.

    Parameters
    ----------
    source
        A dataset name of ``forecast population list`` (``"snpp2022"``, ``"mye2011_2025"``,
        ``"npp2024"``, ``"npp2024:hpp"`` …), which must have been downloaded
        (``forecast population download NAME``); or a file, folder or list of them, read as
        :func:`forecast.read_snpp` reads them (or ``format="tidy"`` / ``"mye"``: one file).
    cache
        Keep and reuse the parsed cube in the cache folder, keyed by the files' sha256
        (:mod:`forecast.population.cache`): a second read of the same file does not parse it.

    Returns
    -------
    xarray.DataArray
        What the public readers return (districts, plus the counties, regions and England
        whose districts are all present), with provenance in ``attrs`` — for a dataset:
        ``title``, ``publisher``, ``licence``, ``source`` (the address it was fetched from),
        ``sha256`` (of the downloaded file), ``vintage``, ``variant``, ``boundaries``,
        ``dataset``, ``file`` and ``downloaded``.  The embedded default population
        (:func:`forecast.default_population`) never needs this, nor the network.

    Raises
    ------
    forecast.errors.InputError
        One line: an unknown dataset name, a dataset not downloaded yet (saying how), a
        downloaded file that changed since, or any problem the readers report.
    """
    if format not in FORMATS:
        raise InputError(f"unknown population format {format!r} (use {', '.join(FORMATS)})")
    if isinstance(source, (list, tuple)) and len(source) == 1 and is_dataset_name(source[0]):
        source = source[0]  # --population snpp2022 (a repeatable option) gives a list of one
    if is_dataset_name(source):
        base, _ = split_name(source)
        if base in CATALOGUE:
            return _finish(_read_dataset(str(source), cache))
        if not Path(source).exists():
            raise InputError(f"{source!r} is neither a file nor a population dataset: known datasets are "
                             f"{', '.join(CATALOGUE)} (see 'forecast population list')")
    return _finish(_read_files(source, format, cache))


def _finish(cube: xr.DataArray) -> xr.DataArray:
    """What the public readers add to a file's districts: counties, regions, England."""
    from .geo import add_geography

    return add_geography(cube)


def _read_dataset(name: str, cache: bool) -> xr.DataArray:
    ds = dataset(name)
    _, variant = split_name(name)
    path, rec = cached_file(ds.name)
    if ds.layout == "npp_zip":
        variant = variant or "ppp"
    key = dataset_key(ds, path, rec["sha256"], variant)
    cube = cached_cube(key, lambda: _parse_dataset(ds, path, variant), use_cache=cache)
    cube.attrs.update(_provenance(ds, rec, variant))
    return cube


def dataset_key(ds: Dataset, path: Path, sha256: str, variant: str | None) -> str:
    """The cache key of a downloaded dataset's parsed cube (the one download stores and the
    readers look up: they must agree, or the parsed cube is never used)."""
    return cube_key([(str(path), sha256)], reader=ds.layout, options=variant or "")


def _parse_dataset(ds: Dataset, path: Path, variant: str | None) -> xr.DataArray:
    if ds.layout == "snpp_zip":
        from .readers.snpp import read_snpp

        return read_snpp(path)
    if ds.layout == "myeb1_xlsx":
        return read_myeb1_workbook(path)
    return read_npp_zip(path, variant or "ppp")


def _parse_named(ds: Dataset, staging: Path, shown: str) -> xr.DataArray:
    """:func:`_parse_dataset` of a file being downloaded, its errors naming ``shown`` (the
    user's file or the address) rather than the hidden staging file."""
    try:
        return _parse_dataset(ds, staging, None)
    except ForecastError as e:
        if e.file is None or not e.file.startswith(str(staging)):
            raise
        raise type(e)(e.message, file=shown + e.file[len(str(staging)):], field=e.field, line=e.line) from None


def _provenance(ds: Dataset, rec: dict, variant: str | None) -> dict:
    title = ds.title + (", principal projection" if variant == "ppp" else f", variant {variant}" if variant else "")
    out = {
        "title": title, "publisher": ONS, "licence": OGL, "source": rec.get("url", ds.url), "sha256": rec["sha256"],
        "vintage": ds.vintage, "variant": variant or ds.variant, "boundaries": ds.boundaries, "dataset": ds.name,
        "file": rec["path"], "downloaded": rec.get("downloaded", ""),
    }
    if ds.notes:
        out["notes"] = ds.notes
    return out


def _files(paths) -> list[Path] | None:
    """The files a reader will open, in its order; ``None`` if a folder holds none (the
    reader then says so)."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            from .readers.snpp import folder_inputs

            found = folder_inputs(p)
            if not found:
                return None
            out.extend(found)
        else:
            check_regular_file(p)
            out.append(p)
    return out or None


def _read_files(source, format: str, cache: bool) -> xr.DataArray:
    from .readers.mye import read_mye
    from .readers.snpp import read_snpp
    from .readers.tidy import read_tidy

    paths = [Path(source)] if isinstance(source, (str, PathLike)) else [Path(p) for p in source]
    if format in ("tidy", "mye") and len(paths) != 1:
        raise InputError(f"a {format} population is one file (got {len(paths)})")
    read = {"snpp": lambda: read_snpp(paths), "tidy": lambda: read_tidy(paths[0]),
            "mye": lambda: read_mye(paths[0])}[format]
    files = _files(paths)
    if files is None:
        return read()
    key = cube_key([(str(p), sha256_now(p)) for p in files], reader=format)
    return cached_cube(key, read, use_cache=cache)
