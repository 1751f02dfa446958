"""ONS population datasets by short name: the catalogue, download into the cache, and status.

The full national ONS files cannot ship with forecast; a user fetches them once::

    forecast population list                 # the datasets, and which are downloaded
    forecast population download snpp2022    # into the cache folder, once

and then names them (``--population snpp2022``, ``population: snpp2022``,
:func:`read_population` ``("snpp2022")``).  :func:`read_population` also reads files (as
:func:`forecast.read_snpp` does), and keeps every parsed cube in the cache keyed by the files'
sha256 (:mod:`forecast.population.cache`), so a second read does not parse again.

**Download.**  :func:`download` fetches the file with `pooch
<https://www.fatiando.org/pooch/>`_ (which streams it to a temporary file beside the
destination and moves it into place only when complete, so an interrupted download leaves
nothing), checks that it is the ONS layout expected (an SNPP zip holds the males and
females CSVs with ONS's columns, …), and records the address, date, size and sha256 in a
small JSON file beside it (``<file>.json``).  A file already downloaded is never fetched
again; its sha256 is checked against the record each time it is used, and a file that has
changed is refused.  The ONS addresses are those of ``ONS_DOWNLOADS.md`` in the shared data
(as used in public code that downloads them): ONS has not published checksums, so the
sha256 recorded is the first download's (``sha256_known`` is false in the record).

**Offline, or the file moved.**  The error is one line with the address to fetch by hand
and the command to use the file (``forecast population download NAME --file PATH``, or
``--population PATH`` directly).

The cache folder: :func:`forecast.population.cache.cache_dir` (``$FORECAST_CACHE_DIR``, else
the user's cache folder).  Downloads go to ``<cache>/downloads/<dataset>/``.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
import shutil
import time
import zipfile
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Callable
from urllib.parse import urlparse

import xarray as xr

from .._version import __version__
from ..errors import ForecastError, InputError
from ..files import atomic_path, check_regular_file, write_text
from .cache import CACHE_ENV, cache_dir, cached_cube, cube_key, save_cube
from .sources import npp_variants, read_myeb1_workbook, read_npp_zip

__all__ = [
    "Dataset", "CATALOGUE", "dataset", "split_name", "download", "status", "cached_file", "record",
    "check_layout", "npp_variants", "remove", "read_population", "is_dataset_name", "DownloadError",
]

ONS = "Office for National Statistics"
OGL = "Open Government Licence v3.0"
_Z1 = ("https://www.ons.gov.uk/file?uri=/peoplepopulationandcommunity/populationandmigration/"
       "populationprojections/datasets/localauthoritiesinenglandz1/")


class DownloadError(ForecastError):
    """A dataset could not be fetched (offline, moved, interrupted, not the expected file)."""


@dataclass(frozen=True)
class Dataset:
    """One downloadable ONS dataset."""

    name: str
    title: str
    url: str
    filename: str
    vintage: str
    variant: str
    boundaries: str
    layout: str          # "snpp_zip" | "myeb1_xlsx" | "npp_zip"
    contents: str        # what is inside, in words
    page: str            # the ONS dataset page, in words
    sha256: str | None = None  # as published, if known
    years: str = ""
    notes: str = ""

    @property
    def reader(self) -> str:
        return {"snpp_zip": "ONS SNPP CSVs (forecast.read_snpp)", "myeb1_xlsx": "ONS MYEB1 workbook, sheet MYEB1",
                "npp_zip": "ONS NPP machine-readable workbooks, sheet Population"}[self.layout]


#: The datasets of ``shared/data/ons/england/ONS_DOWNLOADS.md`` (addresses as used in
#: ChristK/workHORSE ``ONS_data/pop_size/download_ons_pop.R`` and MastodonC/witan.population).
CATALOGUE: dict[str, Dataset] = {d.name: d for d in [
    Dataset(
        name="snpp2022",
        title="ONS 2022-based subnational population projections for England, migration category variant, "
              "2023 local authority boundaries",
        url=_Z1 + "2022basedmigrationcategoryvarianton2023localauthoritygeographies/2022snpppopulationsyoamigcat23.zip",
        filename="2022snpppopulationsyoamigcat23.zip",
        vintage="2022-based", variant="migration category (ONS's headline projection; there is no principal)",
        boundaries="2023 (296 English districts)", layout="snpp_zip", years="2022-2047",
        contents="2022 SNPP Population males.csv, … females.csv, … persons.csv: single years 0-89, 90 and over, "
                 "All ages",
        page="ONS, Population projections for local authorities: Table 2 (z1)",
    ),
    Dataset(
        name="snpp2022_5yr",
        title="ONS 2022-based subnational population projections for England, 5-year migration variant, "
              "2022 local authority boundaries",
        url=_Z1 + "2022basedfiveyearmigrationvariantprojection/2022snpppopulationsyoa5yr.zip",
        filename="2022snpppopulationsyoa5yr.zip",
        vintage="2022-based", variant="5-year migration", boundaries="2022 (309 areas)", layout="snpp_zip",
        years="2022-2047", contents="2022 SNPP Population males.csv, … females.csv, … persons.csv",
        page="ONS, Population projections for local authorities: Table 2 (z1)",
        notes="on 2022 boundaries: districts merged in April 2023 appear under their old codes",
    ),
    Dataset(
        name="mye2011_2025",
        title="ONS mid-year population estimates for England and Wales, mid-2011 to mid-2025, detailed time series, "
              "2023 local authority boundaries",
        url="https://www.ons.gov.uk/file?uri=/peoplepopulationandcommunity/populationandmigration/"
            "populationestimates/datasets/estimatesofthepopulationforenglandandwales/"
            "mid2011tomid2025detailedtimeseries/myebtablesenglandwales20112025.xlsx",
        filename="myebtablesenglandwales20112025.xlsx",
        vintage="mid-2011 to mid-2025 estimates", variant="estimates", boundaries="2023 (296 English + 22 Welsh districts)",
        layout="myeb1_xlsx", years="2011-2025",
        contents="sheet MYEB1: ladcode23, laname23, country, sex, age (0-90, 90 = 90 and over), population_2011 … "
                 "population_2025",
        page="ONS, Estimates of the population for England and Wales",
    ),
    Dataset(
        name="npp2024",
        title="ONS 2024-based national population projections for England",
        url="https://www.ons.gov.uk/file?uri=/peoplepopulationandcommunity/populationandmigration/"
            "populationprojections/datasets/z3zippedpopulationprojectionsdatafilesengland/2024based/en1.zip",
        filename="en1.zip",
        vintage="2024-based", variant="principal (ppp); the variants in the zip as npp2024:CODE (e.g. npp2024:hpp)",
        boundaries="England (one area, E92000001)", layout="npp_zip",
        contents="en_ppp_machine_readable.xlsx (principal) and one workbook per variant; sheet Population: Sex, Age "
                 "(0-104, 105 - 109, 110 and over), one column per year",
        page="ONS, z3: zipped population projections data files, England",
        notes="ages 105-109 and 110 and over are summed into one open group 105+",
    ),
]}


def split_name(name: str) -> tuple[str, str | None]:
    """``"npp2024:hpp"`` → ``("npp2024", "hpp")``; ``"snpp2022"`` → ``("snpp2022", None)``."""
    base, _, variant = str(name).strip().partition(":")
    return base.strip().casefold(), (variant.strip().casefold() or None)


def dataset(name: str) -> Dataset:
    """The catalogue entry for ``name`` (``npp2024:hpp`` → ``npp2024``); one-line error if unknown."""
    base, variant = split_name(name)
    if base not in CATALOGUE:
        raise InputError(f"unknown population dataset {name!r}: known datasets are {', '.join(CATALOGUE)} "
                         "(see 'forecast population list')")
    ds = CATALOGUE[base]
    if variant is not None and ds.layout != "npp_zip":
        raise InputError(f"dataset {base} has no variants to choose with ':' (asked for {name!r})")
    if variant is not None and not re.fullmatch(r"[a-z]{3}", variant):
        raise InputError(f"{name!r}: a variant is ONS's three-letter code, such as ppp, hpp or lll")
    return ds


# ---------------------------------------------------------------------------- the cache

def sha256_now(path: str | Path) -> str:
    """The sha256 of a file's bytes as they are now (never a remembered value: a cached
    download is checked against its record on every use)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _folder(ds: Dataset) -> Path:
    return cache_dir() / "downloads" / ds.name


def _paths(ds: Dataset) -> tuple[Path, Path]:
    f = _folder(ds) / ds.filename
    return f, f.with_name(f.name + ".json")


def record(name: str) -> dict | None:
    """The download record of a dataset (``url, downloaded, size, sha256, …``), or ``None``
    if it is not downloaded (the file or its record is missing)."""
    ds = dataset(name)
    path, meta = _paths(ds)
    if not (path.is_file() and meta.is_file()):
        return None
    try:
        rec = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(rec, dict) or not isinstance(rec.get("sha256"), str):
        return None
    return {**rec, "path": str(path)}


def _refuse_changed(ds: Dataset, path: Path, recorded: str, actual: str) -> InputError:
    return InputError(
        f"the cached {ds.name} file has changed since it was downloaded (sha256 {actual[:12]}…, recorded "
        f"{recorded[:12]}…): refused; fetch it again with 'forecast population download {ds.name} --force'",
        file=path,
    )


def cached_file(name: str) -> tuple[Path, dict]:
    """The downloaded file of a dataset and its record, its sha256 checked; a one-line
    error saying how to download it if it is not there, or refusing it if it changed."""
    ds = dataset(name)
    rec = record(ds.name)
    if rec is None:
        raise InputError(
            f"population dataset {ds.name} is not downloaded yet: run 'forecast population download {ds.name}' "
            f"(or {_hint(ds, ds.url)})"
        )
    path = Path(rec["path"])
    actual = sha256_now(path)
    if actual != rec["sha256"]:
        raise _refuse_changed(ds, path, rec["sha256"], actual)
    if ds.sha256 and actual != ds.sha256:
        raise _refuse_changed(ds, path, ds.sha256, actual)
    return path, rec


def status() -> list[dict]:
    """One row per dataset: name, vintage, variant, boundaries, years, cached (path or
    ``None``), sha256 (recorded), whether ONS published it, and the URL."""
    rows = []
    for ds in CATALOGUE.values():
        rec = record(ds.name)
        variants = None
        if rec is not None and ds.layout == "npp_zip":
            try:
                variants = npp_variants(rec["path"])
            except ForecastError:
                variants = None
        rows.append({
            "name": ds.name, "vintage": ds.vintage, "variant": ds.variant, "boundaries": ds.boundaries,
            "years": ds.years, "cached": rec["path"] if rec else None,
            "size": rec.get("size") if rec else None, "downloaded": rec.get("downloaded") if rec else None,
            "sha256": (rec or {}).get("sha256") or ds.sha256, "sha256_published": ds.sha256 is not None,
            "variants_in_file": variants, "url": ds.url, "title": ds.title,
        })
    return rows


# ---------------------------------------------------------------------------- layout checks

_SNPP_HEADER = ("AREA_CODE", "AREA_NAME", "COMPONENT", "SEX", "AGE_GROUP")
_SNPP_MEMBER = re.compile(r"(?:^|[\s_/-])(males|females|persons)\.csv$", re.IGNORECASE)


def _not_layout(ds: Dataset, path: Path, why: str) -> DownloadError:
    return DownloadError(
        f"not the ONS {ds.name} file expected ({why}): ONS may have moved or changed it; fetch {ds.url} by hand "
        f"and check it is {ds.contents.split(':')[0]}",
        file=path,
    )


def _zip_names(ds: Dataset, path: Path) -> tuple[zipfile.ZipFile, list[str]]:
    try:
        z = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise _not_layout(ds, path, "not a zip file") from None
    return z, [n for n in z.namelist() if not n.startswith("__MACOSX") and not n.endswith("/")]


def check_layout(name: str, path: str | Path) -> None:
    """Refuse a file that is not the layout the dataset's reader expects (cheap: zip
    directories and CSV headers only)."""
    ds = dataset(name)
    path = Path(path)
    if ds.layout == "snpp_zip":
        z, names = _zip_names(ds, path)
        with z:
            sexes = {}
            for n in names:
                m = _SNPP_MEMBER.search(n)
                if m:
                    sexes[m[1].casefold()] = n
            for need in ("males", "females"):
                if need not in sexes:
                    raise _not_layout(ds, path, f"the zip holds no '{need}.csv' file")
            for n in sexes.values():
                with z.open(n) as fh:
                    first = fh.readline(4096).decode("utf-8-sig", errors="replace")
                cols = [c.strip().strip('"').upper() for c in first.split(",")]
                if tuple(cols[:5]) != _SNPP_HEADER or not any(re.fullmatch(r"\d{4}", c) for c in cols[5:]):
                    raise _not_layout(ds, path, f"{n} does not start with the columns {', '.join(_SNPP_HEADER)}, years")
    elif ds.layout == "myeb1_xlsx":
        z, names = _zip_names(ds, path)
        with z:
            if "xl/workbook.xml" not in names:
                raise _not_layout(ds, path, "not an Excel workbook")
            book = z.read("xl/workbook.xml").decode("utf-8", errors="replace")
        if not re.search(r"<(?:\w+:)?sheet\b[^>]*\bname=\"MYEB1\"", book):
            raise _not_layout(ds, path, "the workbook has no sheet MYEB1")
    elif ds.layout == "npp_zip":
        try:
            variants = npp_variants(path)
        except InputError:
            raise _not_layout(ds, path, "not a zip file") from None
        if "ppp" not in variants:
            raise _not_layout(ds, path, "the zip holds no en_ppp_machine_readable.xlsx (the principal projection)")
    else:  # pragma: no cover - the catalogue is fixed
        raise ValueError(ds.layout)


# ---------------------------------------------------------------------------- download

def _hint(ds: Dataset, url: str) -> str:
    also = " or pass the file itself (forecast run --population PATH …)" if ds.layout == "snpp_zip" else ""
    return f"fetch {url} by hand, then run 'forecast population download {ds.name} --file PATH'{also}"


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


def _write_record(meta: Path, rec: dict) -> None:
    write_text(meta, json.dumps(rec, indent=2) + "\n")


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
        actual = sha256_now(path)
        if actual != rec["sha256"]:
            raise _refuse_changed(ds, path, rec["sha256"], actual)
        return path, rec, False
    folder = _folder(ds)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise DownloadError(f"cannot create the cache folder ({e.strerror or e}); set {CACHE_ENV} to a "
                            "folder you can write", file=folder) from None
    # the new file is made under a staging name; the cached one (if any) stays usable until
    # the new one is complete and checked
    staging = path.with_name(f".{path.stem}.new{path.suffix}")  # the suffix tells the reader it is a zip
    staging.unlink(missing_ok=True)  # left by a process killed between download and check
    _clean_stale(folder, staging)
    src = url or ds.url
    if file is not None:
        check_regular_file(file)
        check_layout(ds.name, file)
        with atomic_path(staging) as tmp:
            shutil.copyfile(file, tmp)
        how = {"from_file": str(Path(file).resolve())}
    else:
        if progress:
            progress(f"downloading {ds.name} from {src}")
        _fetch(ds, src, staging, timeout)
        how = {}
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
    variant = "ppp" if ds.layout == "npp_zip" else ""
    save_cube(cube_key([(str(path), digest)], reader=ds.layout, options=variant), cube)
    rec = {
        "dataset": ds.name, "title": ds.title, "url": src, **how,
        "downloaded": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "size": size, "sha256": digest, "sha256_known": ds.sha256 is not None,
        "sha256_note": ("the published sha256" if ds.sha256 else
                        "ONS publishes no checksum: this is the sha256 of the first download, checked on every use"),
        "vintage": ds.vintage, "variant": ds.variant, "boundaries": ds.boundaries, "forecast": __version__,
    }
    _write_record(meta, rec)
    return path, {**rec, "path": str(path)}, True


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


def remove(name: str) -> bool:
    """Delete a downloaded dataset and its record; whether anything was there."""
    ds = dataset(name)
    found = False
    for p in _paths(ds):
        if p.exists():
            p.unlink()
            found = True
    return found


# ---------------------------------------------------------------------------- reading

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
    key = cube_key([(str(path), rec["sha256"])], reader=ds.layout, options=variant or "")
    cube = cached_cube(key, lambda: _parse_dataset(ds, path, variant), use_cache=cache)
    cube.attrs.update(_provenance(ds, rec, variant))
    return cube


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
            found = sorted(p.glob("*.csv")) + sorted(p.glob("*.zip"))
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
