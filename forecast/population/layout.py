"""Layout checks of a downloaded dataset: refuse a file that is not the ONS layout its
reader expects (cheap: zip directories and CSV headers only), before it is parsed or kept.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from ..errors import InputError
from .catalogue import Dataset, DownloadError, dataset
from .readers.snpp import SNPP_COLUMNS as _SNPP_HEADER
from .sources import npp_variants

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
    check = _CHECKS.get(ds.layout)
    if check is None:  # pragma: no cover - the catalogue is fixed
        raise ValueError(ds.layout)
    check(ds, path)


def _check_snpp_zip(ds: Dataset, path: Path) -> None:
    """The males and females CSVs are there, each starting with ONS's columns and years."""
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


def _check_myeb1_xlsx(ds: Dataset, path: Path) -> None:
    """An Excel workbook with a sheet MYEB1."""
    z, names = _zip_names(ds, path)
    with z:
        if "xl/workbook.xml" not in names:
            raise _not_layout(ds, path, "not an Excel workbook")
        book = z.read("xl/workbook.xml").decode("utf-8", errors="replace")
    if not re.search(r"<(?:\w+:)?sheet\b[^>]*\bname=\"MYEB1\"", book):
        raise _not_layout(ds, path, "the workbook has no sheet MYEB1")


def _check_npp_zip(ds: Dataset, path: Path) -> None:
    """A zip holding the principal projection's workbook."""
    try:
        variants = npp_variants(path)
    except InputError:
        raise _not_layout(ds, path, "not a zip file") from None
    if "ppp" not in variants:
        raise _not_layout(ds, path, "the zip holds no en_ppp_machine_readable.xlsx (the principal projection)")


_CHECKS = {"snpp_zip": _check_snpp_zip, "myeb1_xlsx": _check_myeb1_xlsx, "npp_zip": _check_npp_zip}
