"""Downloaded datasets in the cache: their files and records (address, date, size,
sha256), checked against the record on every use; the status of the catalogue; removal.

Downloads are kept in ``<cache>/downloads/<dataset>/<file>``, each with its record in
``<file>.json`` beside it (:func:`forecast.population.cache.cache_dir`).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..errors import ForecastError, InputError
from ..files import write_text
from .cache import cache_dir
from .catalogue import CATALOGUE, Dataset, _hint, dataset
from .sources import npp_variants


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


def _write_record(meta: Path, rec: dict) -> None:
    write_text(meta, json.dumps(rec, indent=2) + "\n")


def _refuse_changed(ds: Dataset, path: Path, recorded: str, actual: str) -> InputError:
    return InputError(
        f"the cached {ds.name} file has changed since it was downloaded (sha256 {actual[:12]}…, recorded "
        f"{recorded[:12]}…): refused; fetch it again with 'forecast population download {ds.name} --force'",
        file=path,
    )


def _unchanged(ds: Dataset, path: Path, recorded: str) -> str:
    """The file's sha256 now, refused if it is not the one recorded."""
    actual = sha256_now(path)
    if actual != recorded:
        raise _refuse_changed(ds, path, recorded, actual)
    return actual


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
    actual = _unchanged(ds, path, rec["sha256"])
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
            "partial": (f"partial: {rec['districts']} of {rec['districts_expected']} English districts"
                        if rec and rec.get("districts", 0) < rec.get("districts_expected", 0) else None),
        })
    return rows


def remove(name: str) -> bool:
    """Delete a downloaded dataset and its record; whether anything was there."""
    ds = dataset(name)
    found = False
    for p in _paths(ds):
        if p.exists():
            p.unlink()
            found = True
    return found

