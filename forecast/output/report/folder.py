"""The report as a folder: ``report.html``, each table as CSV, the unrounded values, each
chart as PNG and a Frictionless ``datapackage.json``, written all at once.

Moved from ``forecast/output/report.py`` (its "a folder" section).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from ...errors import ForecastError
from .page import to_html
from .parts import Report


def folder_files(report: Report) -> list[dict]:
    """The files of a report written to a folder: ``report.html``, ``table-N.csv`` (as the
    tables show them), ``data.csv`` (unrounded) and ``chart-N.png``; each ``{path, data,
    title, frame?}`` for :func:`forecast.output.provenance.datapackage`."""
    files = [{"path": "report.html", "data": to_html(report).encode("utf-8"), "title": report.title}]
    for i, s in enumerate(report.sections, start=1):
        frame = s.table.to_frame()
        files.append({"path": f"table-{i}.csv", "title": f"{s.name}: {s.table.title}", "frame": frame,
                      "data": frame.to_csv(index=False, lineterminator="\n").encode("utf-8")})
    files.append({"path": "data.csv", "title": "The unrounded values behind the tables", "frame": report.data,
                  "data": report.data.to_csv(index=False, lineterminator="\n").encode("utf-8")})
    for n, chart in enumerate(report.charts, start=1):
        files.append({"path": f"chart-{n}.png", "title": f"Chart {n}: {chart.title}", "data": chart.image("png")})
    return files


def write_folder(report: Report, path) -> list[str]:
    """Write the report's files and a Frictionless ``datapackage.json`` into the folder
    ``path``, all at once: the files are written to a temporary folder beside it, which then
    takes its place.  The folder must be new, empty, or a report folder written before
    (one holding a forecast ``datapackage.json``); its parent folder must exist."""
    from ..provenance import datapackage, to_json

    dest = Path(path)
    parent = dest.parent if str(dest.parent) else Path(".")
    _check_destination(dest, parent)
    files = folder_files(report)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".part", dir=parent))
    old = None
    try:
        for f in files:
            (tmp / f["path"]).write_bytes(f["data"])
        (tmp / "datapackage.json").write_text(to_json(datapackage(report.provenance, files)), encoding="utf-8")
        _usual_permissions(tmp)
        if dest.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".old", dir=parent))
            os.rmdir(old)
            os.replace(dest, old)
        os.replace(tmp, dest)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and old.exists():
            shutil.rmtree(old, ignore_errors=True)
    return [f["path"] for f in files] + ["datapackage.json"]


def _check_destination(dest: Path, parent: Path) -> None:
    """The parent folder exists, and ``dest`` is new, empty or a forecast report folder."""
    if not parent.is_dir():
        raise ForecastError("output folder does not exist", file=parent)
    if not dest.exists():
        return
    if not dest.is_dir():
        raise ForecastError("is a file, not a folder: give a new folder for the report's files", file=dest)
    entries = list(dest.iterdir())
    ours = False
    if (dest / "datapackage.json").is_file():
        try:
            ours = "forecast" in json.loads((dest / "datapackage.json").read_text(encoding="utf-8"))
        except (ValueError, OSError):
            ours = False
    if entries and not ours:
        raise ForecastError("folder is not empty and holds no forecast report: give a new or empty folder",
                            file=dest)


def _usual_permissions(folder: Path) -> None:
    """The folder and its files as a plain ``mkdir``/``open`` would make them (the umask's),
    not the private ones :func:`tempfile.mkdtemp` gives."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(folder, 0o777 & ~umask)
    for f in folder.iterdir():
        os.chmod(f, 0o666 & ~umask)
