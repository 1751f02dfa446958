"""CSV text of population files: decoding, reading with line numbers, column lookup, and
cells (sex, age, numbers) parsed with their locations.

Every problem is an :class:`~forecast.errors.InputError` naming file, line and field.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from ...ages import parse_band
from ...errors import ForecastError, InputError
from ...files import sha256_bytes

_SEX = {
    "male": "male", "males": "male", "m": "male", "1": "male", "men": "male",
    "female": "female", "females": "female", "f": "female", "2": "female", "women": "female",
    "persons": "persons", "person": "persons", "all": "persons", "all persons": "persons", "p": "persons",
}


def parse_sex(value: str) -> str | None:
    return _SEX.get(str(value).strip().casefold())


def parse_age(label: str) -> tuple[int | None, bool, bool]:
    """An age cell → ``(age, is_open_top, is_total)``; ``(None, False, False)`` if unreadable."""
    s = str(label).strip()
    if s.isdigit():
        return int(s), False, False
    try:
        band = parse_band(s)
    except ForecastError:
        return None, False, False
    if band.lo == 0 and band.hi is None:
        return None, False, True
    if band.hi is None:
        return band.lo, True, False
    if band.hi == band.lo:
        return band.lo, False, False
    return None, False, False


def to_numbers(col: pd.Series, *, file: str, field: str, lines: pd.Series) -> np.ndarray:
    """Parse a text column to floats; the first non-number or negative is an error."""
    text = col.astype(str).str.strip().str.replace(",", "", regex=False)
    num = pd.to_numeric(text, errors="coerce")
    bad = num.isna() | ~np.isfinite(num)
    if bad.any():
        i = np.flatnonzero(bad.to_numpy())[0]
        raise InputError(f"{col.iloc[i]!r} is not a number", file=file, field=field, line=int(lines.iloc[i]))
    neg = num < 0
    if neg.any():
        i = np.flatnonzero(neg.to_numpy())[0]
        raise InputError(f"negative population {col.iloc[i]}", file=file, field=field, line=int(lines.iloc[i]))
    return num.to_numpy(dtype=float)


def _check_header(text: str, file: str) -> None:
    """Refuse a header that repeats a column (pandas would rename the second ``2025.1``)."""
    import csv

    first = text.split("\n", 1)[0]
    try:
        header = [c.strip() for c in next(csv.reader([first]))]
    except (csv.Error, StopIteration):
        return
    seen: set[str] = set()
    for c in header:
        if c and c.casefold() in seen:
            raise InputError(f"column {c!r} appears twice in the header", file=file, line=1, field=c)
        seen.add(c.casefold())


def decode_text(data: bytes, *, file: str) -> str:
    """CSV bytes → text (UTF-8, with or without BOM, else Windows-1252); empty or binary
    files are one-line errors."""
    if not data.strip():
        raise InputError("file is empty", file=file)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as e:  # pragma: no cover - cp1252 decodes almost anything
            raise InputError(f"not a text file ({e.reason})", file=file) from None
    if "\x00" in text[:4096]:
        raise InputError("not a text file (it holds NUL bytes): forecast reads CSV text", file=file)
    return text


def check_header(text: str, file: str) -> None:
    """Refuse a header that repeats a column (pandas would rename the second ``2025.1``)."""
    _check_header(text, file)


def read_csv_text(data: bytes, *, file: str, skip_comments: bool = False) -> pd.DataFrame:
    """Read CSV bytes as text columns; malformed CSV becomes a one-line InputError.

    With ``skip_comments``, lines starting with ``#`` before the header are dropped (their
    text is in ``df.attrs["comments"]``) and line numbers still count them
    (``df.attrs["first_line"]`` is the file line of the first data row).
    """
    import io

    text = decode_text(data, file=file)
    comments: list[str] = []
    if skip_comments:
        text, comments = _strip_comments(text)
    _check_header(text, file)
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.ParserError as e:
        raise _malformed(e, file, len(comments)) from None
    except pd.errors.EmptyDataError:
        raise InputError("file is empty", file=file) from None
    df.columns = [str(c).strip() for c in df.columns]
    df.attrs["comments"] = comments
    df.attrs["first_line"] = len(comments) + 2
    return df


def _strip_comments(text: str) -> tuple[str, list[str]]:
    """The text without the ``#`` lines before the header, and those lines' text."""
    comments: list[str] = []
    lines = text.splitlines(keepends=True)
    while len(comments) < len(lines) and lines[len(comments)].lstrip().startswith("#"):
        comments.append(lines[len(comments)].lstrip("# ").strip())
    return "".join(lines[len(comments):]), comments


def _malformed(e: Exception, file: str, n_comments: int) -> InputError:
    """pandas' parser error as a one-line error with the file's line."""
    msg = str(e).strip().splitlines()[-1]
    m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", msg)
    if m:
        return InputError(f"malformed CSV: expected {m[1]} fields, found {m[3]}", file=file, line=int(m[2]) + n_comments)
    m = re.search(r"EOF inside string starting at row (\d+)", msg)
    if m:  # pandas counts rows from 0 with the header as row 0
        return InputError("malformed CSV: a quoted field is never closed", file=file, line=int(m[1]) + 1 + n_comments)
    return InputError("malformed CSV", file=file)


def line_numbers(df: pd.DataFrame) -> pd.Series:
    """The file line of each row (the header is the line before the first row)."""
    return pd.Series(range(df.attrs.get("first_line", 2), df.attrs.get("first_line", 2) + len(df)), index=df.index)


def require_columns(df: pd.DataFrame, required: Iterable[str], *, file: str, layout: str = "") -> dict[str, str]:
    """Case-insensitive column lookup; a missing column is an error naming it.

    The file's own header is never echoed (it may not be a CSV at all); a header that
    looks split by ``;`` or tabs is named as a delimiter problem.
    """
    lookup = {c.casefold(): c for c in df.columns}
    missing = [n for n in required if n.casefold() not in lookup]
    if missing:
        if len(df.columns) == 1 and any(d in df.columns[0] for d in (";", "\t", "|")):
            d = next(d for d in (";", "\t", "|") if d in df.columns[0])
            raise InputError(f"the columns look separated by {d!r}, not commas: save the file as comma-separated CSV",
                             file=file, line=1)
        if len(missing) == len(list(required)):
            what = f"not {layout}: " if layout else ""
            raise InputError(f"{what}expected the columns {', '.join(required)}", file=file, line=1)
        raise InputError(f"missing column '{missing[0]}'", file=file, line=1, field=missing[0])
    return {n: lookup[n.casefold()] for n in required}


def provenance(files: list[tuple[str, bytes]]) -> dict[str, str]:
    return {
        "source": "; ".join(Path(name).name if ":" not in name else name for name, _ in files),
        "sha256": "; ".join(f"{Path(name).name}={sha256_bytes(data)}" for name, data in files),
    }
