"""Provenance: what an output was made from, written beside it.

Every output says where its numbers come from.  Markdown and HTML tables carry their notes;
the XLSX report its ``Notes`` sheet; NetCDF its attributes.  A CSV cannot, so the commands
write a *sidecar*: ``t.csv`` gets ``t.json`` beside it (:func:`write_csv_with_sidecar`,
both files written atomically), and a report written to a folder gets a Frictionless
``datapackage.json`` (:func:`datapackage`).  Both hold the record made by :func:`collect`:

- ``title`` and ``notes`` (the same notes as under the table);
- ``citations``: each rate set (and derived measures, relative risks) with its citation;
- ``population``: title, publisher, licence, the files read and each file's sha256;
- ``rate_sets``: each rate set's id, file and sha256 (of the YAML file as read);
- ``seed``, ``draws`` and ``level`` when the rates were drawn (``null`` otherwise);
- ``forecast_version`` and ``date`` (the UTC date, or the date of ``SOURCE_DATE_EPOCH``
  when that is set, for reproducible builds);
- ``data`` (sidecars): the CSV's file name, sha256, rows and columns.

Sources: Frictionless Data, "Data Package" standard v1 (https://specs.frictionlessdata.io/
data-package/) and "Tabular Data Resource" (…/tabular-data-resource/): the ``resources``,
``path``, ``format``, ``mediatype``, ``encoding``, ``hash`` and ``schema.fields`` properties;
Reproducible Builds, "SOURCE_DATE_EPOCH" (https://reproducible-builds.org/specs/
source-date-epoch/).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
from os import PathLike
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import xarray as xr

from .._version import __version__
from ..errors import ForecastError
from ..files import atomic_paths

__all__ = ["FORMAT", "report_date", "collect", "sidecar_path", "sidecar", "write_csv_with_sidecar",
           "datapackage", "citations", "population_files", "rate_sets", "file_checksums"]

#: The ``format`` field of a sidecar (the layout of this record).
FORMAT = "forecast.provenance/1"

_HASHED = re.compile(r"([^\s;()=][^;()=]*?)\s*\(sha256=([0-9a-f]{64})\)")


def report_date() -> str:
    """Today's date (UTC) as ``YYYY-MM-DD``, or the date of ``SOURCE_DATE_EPOCH`` when set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            when = _dt.datetime.fromtimestamp(int(epoch), tz=_dt.timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise ForecastError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not {epoch!r}") from None
    else:
        when = _dt.datetime.now(tz=_dt.timezone.utc)
    return when.date().isoformat()


def _as_list(results) -> list[xr.Dataset]:
    if isinstance(results, xr.Dataset):
        return [results]
    if isinstance(results, Mapping):
        return list(results.values())
    return list(results)


def population_files(attrs: Mapping[str, Any]) -> list[dict[str, str]]:
    """``[{name, sha256}]`` from a result's ``population_sha256`` (``file=hash; file=hash``)."""
    out = []
    for part in str(attrs.get("population_sha256") or "").split(";"):
        name, sep, digest = part.strip().rpartition("=")
        if sep and name:
            out.append({"name": name.strip(), "sha256": digest.strip()})
    return out


def rate_sets(results, measures: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Each rate set once: ``{id, file, sha256, citation, measures}`` in order of first use."""
    seen: dict[str, dict[str, Any]] = {}
    for ds in _as_list(results):
        names = [n for n in (measures or ds.data_vars) if n in ds.data_vars]
        for n in names:
            a = ds[n].attrs
            rid = a.get("rate_set")
            if not rid or a.get("derivation"):
                continue
            entry = seen.setdefault(rid, {"id": rid, "file": a.get("rate_set_file"), "sha256": a.get("rate_set_sha256"),
                                          "citation": a.get("citation"), "measures": []})
            if n not in entry["measures"]:
                entry["measures"].append(n)
        for rid, digest in _HASHED.findall(str(ds.attrs.get("rate_sets") or "")):
            entry = seen.get(rid.strip())
            if entry is not None and not entry["sha256"]:
                entry["sha256"] = digest
    return list(seen.values())


def citations(results, measures: Sequence[str] | None = None) -> list[dict[str, str]]:
    """Every source behind the numbers: rate sets, scenarios, derived measures, relative risks
    and the population, each ``{what, id, citation}``, each once."""
    out: list[dict[str, str]] = []

    def add(what, ident, text):
        item = {"what": what, "id": str(ident or ""), "citation": " ".join(str(text or "").split())}
        if item["citation"] and item not in out:
            out.append(item)

    for ds in _as_list(results):
        a = ds.attrs
        add("population", a.get("population_source", ""), "; ".join(
            str(a[k]) for k in ("population_title", "population_publisher", "population_licence") if a.get(k)))
        for n in [n for n in (measures or ds.data_vars) if n in ds.data_vars]:
            v = ds[n].attrs
            if v.get("derivation"):
                add("derived measure", v.get("derived_measures") or n, v.get("citation"))
                continue
            add("rate set", v.get("rate_set", n), v.get("citation"))
            if v.get("trend"):
                add("scenario", v.get("rate_set", n), v.get("trend"))
            if v.get("relative_risks"):
                add("relative risks", v["relative_risks"], v.get("relative_risks_citation"))
        if a.get("derived_measures"):
            add("derived measures", a["derived_measures"].split(" (")[0], a.get("derived_measures_citation"))
        if a.get("ethnic_mix_source"):
            add("ethnic mix", a.get("ethnic_mix_file", ""), a["ethnic_mix_source"])
    return out


def _population(attrs: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "title": attrs.get("population_title"),
        "publisher": attrs.get("population_publisher"),
        "licence": attrs.get("population_licence"),
        "files": population_files(attrs),
        "extended": attrs.get("population_extended"),
        "variant": attrs.get("population_variant"),
    }


def _uncertainty(attrs: Mapping[str, Any], level: float | None) -> dict[str, Any] | None:
    if attrs.get("draws") in (None, ""):
        return None
    return {"draws": int(attrs["draws"]), "seed": int(attrs["seed"]) if attrs.get("seed") not in (None, "") else None,
            "level": level, "rates_drawn": attrs.get("uncertainty")}


def _hashed(attrs: Mapping[str, Any], key: str) -> list[dict[str, str]]:
    """``[{id, sha256}]`` from an attribute like ``"id (sha256=…); id (sha256=…)"``."""
    return [{"id": i.strip(), "sha256": h} for i, h in _HASHED.findall(str(attrs.get(key) or ""))]


def collect(results, *, measures: Sequence[str] | None = None, title: str | None = None,
            notes: Iterable[str] = (), level: float | None = None, spec: str | PathLike | None = None,
            columns: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The provenance record of an output made from ``results`` (one result, several side by
    side, or a ``{label: result}`` dict).  ``spec``: the spec file, hashed too."""
    ds_list = _as_list(results)
    if not ds_list:
        raise ForecastError("no results to describe")
    first = ds_list[0].attrs
    unc = _uncertainty(first, level)
    record: dict[str, Any] = {
        "format": FORMAT,
        "title": title,
        "notes": [str(n) for n in notes],
        "citations": citations(ds_list, measures),
        "population": _population(first),
        "rate_sets": rate_sets(ds_list, measures),
        "seed": unc["seed"] if unc else None,
        "uncertainty": unc,
        "forecast_version": __version__,
        "date": report_date(),
    }
    extra_pops = [p for p in (_population(d.attrs) for d in ds_list[1:]) if p != record["population"]]
    if extra_pops:
        record["other_populations"] = extra_pops
    derived = _hashed(first, "derived_measures")
    if derived:
        record["derived_measures"] = derived
    if first.get("ethnic_mix_file") or any(d.attrs.get("ethnic_mix_file") for d in ds_list):
        d = next(d for d in ds_list if d.attrs.get("ethnic_mix_file")).attrs
        record["ethnic_mix"] = {"file": d.get("ethnic_mix_file"), "sha256": d.get("ethnic_mix_sha256"),
                                "mapping": d.get("ethnic_mapping"), "source": d.get("ethnic_mix_source")}
    if spec is not None:
        p = Path(spec)
        record["spec"] = {"name": p.name, "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}
    if columns:
        record["columns"] = dict(columns)
    return record


def file_checksums(record: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """``(what, file, sha256)`` of each file a record says its output was made from, in the
    order a report lists them: the population files, each rate set (with its file name),
    each derived-measures file and the ethnic mix ("unknown" where no checksum was kept).
    ``what`` reads "Population file NAME", "Rate set ID", "Derived measures ID" or
    "Ethnic mix FILE"; ``file`` is "" but for rate sets."""
    out = [(f"Population file {f['name']}", "", str(f["sha256"]))
           for f in (record.get("population") or {}).get("files", [])]
    out += [(f"Rate set {rs['id']}", str(rs.get("file") or ""), str(rs.get("sha256") or "unknown"))
            for rs in record.get("rate_sets", [])]
    out += [(f"Derived measures {d['id']}", "", str(d["sha256"])) for d in record.get("derived_measures", [])]
    if record.get("ethnic_mix"):
        e = record["ethnic_mix"]
        out.append((f"Ethnic mix {e.get('file')}", "", str(e.get("sha256") or "unknown")))
    return out


def sidecar_path(output: str | PathLike) -> Path:
    """``t.csv`` → ``t.json`` (a name without a suffix gets ``.json`` added)."""
    p = Path(output)
    return p.with_suffix(".json") if p.suffix else p.with_name(p.name + ".json")


def sidecar(record: Mapping[str, Any], data_path: str | PathLike, data: bytes | tuple[str, int], *,
            rows: int | None = None, columns: Sequence[str] | None = None) -> dict[str, Any]:
    """The record with a ``data`` entry describing the CSV it sits beside (``data``: its
    bytes, or their ``(sha256, size)`` when it was written a piece at a time)."""
    out = dict(record)
    digest, size = (hashlib.sha256(data).hexdigest(), len(data)) if isinstance(data, bytes) else data
    out["data"] = {"path": Path(data_path).name, "format": "csv", "encoding": "utf-8",
                   "sha256": digest, "bytes": size}
    if rows is not None:
        out["data"]["rows"] = rows
    if columns is not None:
        out["data"]["columns"] = list(columns)
    return out


def to_json(record: Mapping[str, Any]) -> str:
    return json.dumps(record, indent=2, ensure_ascii=False, default=str) + "\n"


def write_csv_with_sidecar(path: str | PathLike, text: str | Iterable[str], record: Mapping[str, Any]) -> Path:
    """Write ``text`` (or its pieces, in order, each ending a line) to ``path`` and its
    provenance to :func:`sidecar_path`, each atomically (both temporary files are written
    before either is moved into place)."""
    side = sidecar_path(path)
    if Path(side).resolve() == Path(path).resolve():
        raise ForecastError("the CSV and its .json sidecar would be the same file: give the output a .csv suffix",
                            field="--output")
    with atomic_paths(path, side) as (tmp_csv, tmp_json):  # replaced together
        digest, size, lines, header = hashlib.sha256(), 0, 0, None
        with open(tmp_csv, "wb") as fh:
            for piece in [text] if isinstance(text, str) else text:
                data = piece.encode("utf-8")
                fh.write(data)
                digest.update(data)
                size += len(data)
                split = piece.splitlines()
                lines += len(split)
                if header is None and split:
                    header = _csv_header(split[0])
        meta = sidecar(record, path, (digest.hexdigest(), size), rows=max(0, lines - 1), columns=header or [])
        tmp_json.write_text(to_json(meta), encoding="utf-8")
    return side


def _csv_header(line: str) -> list[str]:
    import csv

    return next(csv.reader([line]))


# ---------------------------------------------------------------------------- Frictionless

_MEDIATYPES = {"csv": "text/csv", "png": "image/png", "svg": "image/svg+xml", "html": "text/html",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "json": "application/json"}


def _package_name(title: str | None) -> str:
    name = re.sub(r"[^a-z0-9._-]+", "-", (title or "forecast").lower()).strip("-._")
    return (name or "forecast")[:100]


def _field_type(dtype) -> str:
    kind = getattr(dtype, "kind", "O")
    return {"i": "integer", "u": "integer", "f": "number", "b": "boolean"}.get(kind, "string")


def datapackage(record: Mapping[str, Any], resources: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """A Frictionless Data Package descriptor (``datapackage.json``) for files written to a
    folder.  Each resource: ``{path, data (bytes), title?, frame? (a DataFrame, for its
    schema)}``; the provenance record goes under the custom ``forecast`` property."""
    out_resources = []
    used: set[str] = set()
    for r in resources:
        path = str(r["path"])
        fmt = Path(path).suffix.lower().lstrip(".")
        name = _package_name(Path(path).stem)
        while name in used:
            name += "-1"
        used.add(name)
        res: dict[str, Any] = {"name": name, "path": path, "format": fmt, "mediatype": _MEDIATYPES.get(fmt, "application/octet-stream"),
                               "hash": "sha256:" + hashlib.sha256(r["data"]).hexdigest(), "bytes": len(r["data"])}
        if r.get("title"):
            res["title"] = r["title"]
        if fmt in ("csv", "html", "svg", "json"):
            res["encoding"] = "utf-8"
        frame = r.get("frame")
        if frame is not None:
            res["profile"] = "tabular-data-resource"
            res["schema"] = {"fields": [{"name": str(c), "type": _field_type(frame[c].dtype)} for c in frame.columns]}
        out_resources.append(res)
    package = {
        "profile": "data-package",
        "name": _package_name(record.get("title")),
        "title": record.get("title"),
        "created": f"{record.get('date')}T00:00:00Z",
        "version": record.get("forecast_version"),
        "sources": [{"title": c["citation"]} for c in record.get("citations", [])],
        "resources": out_resources,
        "forecast": dict(record),
    }
    return package
