"""Fetching a dataset into the cache, once: :func:`download` streams the file with pooch
(or copies a file downloaded by hand) to a staging name beside the destination, checks its
layout and sha256, parses every cell, and only then moves it into place and writes its
record; an interrupted or refused download leaves the cache as it was.
"""

from __future__ import annotations

import datetime as _dt
import os
import shutil
import time
import warnings
from pathlib import Path
from typing import Callable
from urllib.parse import urlparse

import xarray as xr

from .._version import __version__
from ..errors import ForecastWarning, few
from ..files import atomic_path, check_regular_file
from .cache import CACHE_ENV, save_cube
from .catalogue import Dataset, DownloadError, _hint, dataset
from .downloaded import _folder, _paths, _unchanged, _write_record, record, sha256_now
from .layout import check_layout
from .named import _parse_named, dataset_key

def _why(exc: BaseException) -> str:
    import requests

    if isinstance(exc, requests.exceptions.HTTPError) and exc.response is not None:
        return f"the server answered {exc.response.status_code} {exc.response.reason or ''}".strip() + \
            " (ONS may have moved the file)"
    if isinstance(exc, requests.exceptions.Timeout):
        return "the connection timed out"
    if isinstance(exc, (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)):
        return "the download was interrupted"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return "cannot connect: offline, or the server is unreachable"
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema |
                  requests.exceptions.InvalidSchema):
        return "not a valid address"
    return f"{type(exc).__name__}"


def _clean_stale(folder: Path, keep: Path) -> None:
    """Remove temporary files an earlier, killed download left (pooch's ``tmp*``), once
    they are an hour old (a download running now in another process keeps its own)."""
    now = time.time()
    for p in folder.glob("tmp*"):
        try:
            if p != keep and p.is_file() and now - p.stat().st_mtime > 3600:
                p.unlink()
        except OSError:
            pass


def download(name: str, *, url: str | None = None, file: str | Path | None = None, force: bool = False,
             progress: Callable[[str], None] | None = None, timeout: float = 60) -> tuple[Path, dict, bool]:
    """Fetch a dataset into the cache (once): ``(path, record, fetched_now)``.

    Parameters
    ----------
    name
        A catalogue name (``snpp2022`` …; ``npp2024:hpp`` downloads ``npp2024``).
    url
        Fetch from this address instead of the catalogue's (ONS moved the file).
    file
        A file downloaded by hand: checked and copied into the cache instead of fetching.
    force
        Fetch again even if the file is cached (replacing a changed cached file).
    progress
        Called with a one-line message before a download starts.

    Raises
    ------
    DownloadError
        One line: offline, moved, interrupted (nothing is left in the cache), or not the
        ONS layout expected.
    InputError
        A cached file whose sha256 no longer matches its record (without ``force``).
    """
    ds = dataset(name)
    path, meta = _paths(ds)
    rec = record(ds.name)
    if rec is not None and not force and file is None:
        _unchanged(ds, path, rec["sha256"])
        return path, rec, False
    staging = _staging(ds, path)
    src = url or ds.url
    how = _stage(ds, src, staging, file=file, progress=progress, timeout=timeout)
    digest, size, cube = _check_and_keep(ds, src, staging, path, meta, file)
    save_cube(dataset_key(ds, path, digest, "ppp" if ds.layout == "npp_zip" else ""), cube)
    rec = {**_new_record(ds, src, how, size, digest), **_coverage(ds, cube)}
    _write_record(meta, rec)
    return path, {**rec, "path": str(path)}, True


def _coverage(ds: Dataset, cube: xr.DataArray) -> dict:
    """For a dataset of every English district (2023 boundaries): how many the file holds.
    A file that lacks some is kept (it reads), said in a warning and in its record, and
    shown by ``forecast population list``."""
    if not ds.boundaries.startswith("2023") or ds.layout == "npp_zip":
        return {}
    from ..geography import geography

    want = geography().districts()
    have = set(map(str, cube["area"].values))
    missing = [c for c in want if c not in have]
    if missing:
        warnings.warn(ForecastWarning(
            f"{ds.name}: the file holds {len(want) - len(missing)} of England's {len(want)} districts (lacks "
            f"{few(missing, 3)}): not the whole ONS file; areas it lacks cannot be projected"), stacklevel=3)
    return {"districts": len(want) - len(missing), "districts_expected": len(want)}


def _staging(ds: Dataset, path: Path) -> Path:
    """The cache folder made, and the staging name the new file is made under: the cached
    one (if any) stays usable until the new one is complete and checked."""
    folder = _folder(ds)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise DownloadError(f"cannot create the cache folder ({e.strerror or e}); set {CACHE_ENV} to a "
                            "folder you can write", file=folder) from None
    staging = path.with_name(f".{path.stem}.new{path.suffix}")  # the suffix tells the reader it is a zip
    staging.unlink(missing_ok=True)  # left by a process killed between download and check
    _clean_stale(folder, staging)
    return staging


def _stage(ds: Dataset, src: str, staging: Path, *, file: str | Path | None,
           progress: Callable[[str], None] | None, timeout: float) -> dict:
    """The file at ``staging``: copied from ``file`` (its layout checked first) or fetched
    from ``src``; what the record says of where it came from."""
    if file is not None:
        check_regular_file(file)
        check_layout(ds.name, file)
        with atomic_path(staging, internal=True) as tmp:
            shutil.copyfile(file, tmp)
        return {"from_file": str(Path(file).resolve())}
    if progress:
        progress(f"downloading {ds.name} from {src}")
    _fetch(ds, src, staging, timeout)
    return {}


def _check_and_keep(ds: Dataset, src: str, staging: Path, path: Path, meta: Path,
                    file: str | Path | None) -> tuple[str, int, xr.DataArray]:
    """Check the staged file (layout, sha256, every cell read) and move it into place:
    ``(sha256, size, cube)``.  The staging file never stays behind."""
    try:
        if file is None:
            check_layout(ds.name, staging)
        digest = sha256_now(staging)
        if ds.sha256 and digest != ds.sha256:
            raise DownloadError(f"the file's sha256 {digest[:12]}… is not the published {ds.sha256[:12]}…: "
                                f"refused; {_hint(ds, src)}")
        size = staging.stat().st_size
        # read every cell before the file is kept: a file that does not read (a truncated
        # table, a zip bomb) leaves the cache as it was
        cube = _parse_named(ds, staging, shown=str(file) if file is not None else src)
        meta.unlink(missing_ok=True)  # the record goes first: a file without one is never taken as cached
        os.replace(staging, path)
    finally:
        staging.unlink(missing_ok=True)
    return digest, size, cube


def _new_record(ds: Dataset, src: str, how: dict, size: int, digest: str) -> dict:
    return {
        "dataset": ds.name, "title": ds.title, "url": src, **how,
        "downloaded": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "size": size, "sha256": digest, "sha256_known": ds.sha256 is not None,
        "sha256_note": ("the published sha256" if ds.sha256 else
                        "ONS publishes no checksum: this is the sha256 of the first download, checked on every use"),
        "vintage": ds.vintage, "variant": ds.variant, "boundaries": ds.boundaries, "forecast": __version__,
    }


def _fetch(ds: Dataset, url: str, path: Path, timeout: float) -> None:
    """pooch: stream to a temporary file beside ``path``, move into place when complete."""
    import logging

    import pooch
    import requests

    scheme = urlparse(url).scheme
    if scheme not in ("http", "https"):
        raise DownloadError(f"cannot download {ds.name} from {url!r}: not an http(s) address; {_hint(ds, url)}")
    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        pooch.retrieve(url, known_hash=None, fname=path.name, path=path.parent, progressbar=False,
                       downloader=pooch.HTTPDownloader(timeout=timeout, headers={"User-Agent": f"forecast/{__version__}"}))
    except (requests.exceptions.RequestException, ValueError) as e:
        path.unlink(missing_ok=True)
        raise DownloadError(f"cannot download {ds.name} from {url} ({_why(e)}): {_hint(ds, url)}") from None
    except BaseException:
        path.unlink(missing_ok=True)  # pooch removes its temporary file; never keep a part
        raise
    finally:
        logger.setLevel(level)
    if not path.is_file():  # pragma: no cover - pooch moves the file into place or raises
        raise DownloadError(f"cannot download {ds.name} from {url}: {_hint(ds, url)}")

