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


def male_or_female(col: pd.Series, *, file, field: str, lines: pd.Series) -> np.ndarray:
    """A column of sexes as ``male``/``female`` (any form :func:`parse_sex` reads); anything
    else, ``persons`` included, is an error naming its line."""
    sex = col.map(parse_sex)
    bad = sex.isna() | (sex == "persons")
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(f"sex {col.iloc[i]!r} must be male or female", file=file, field=field, line=int(lines.iloc[i]))
    return sex.to_numpy()


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
    num = pd.to_numeric(col, errors="coerce")  # most cells are plain numbers: parsed as they are
    odd = num.isna().to_numpy()
    if odd.any():  # the rest once more without spaces and thousands separators ("1,234 ")
        fixed = col[odd].astype(str).str.strip().str.replace(",", "", regex=False)
        num = num.copy()
        num[odd] = pd.to_numeric(fixed, errors="coerce").to_numpy()
    bad = num.isna() | ~np.isfinite(num)
    if bad.any():
        i = np.flatnonzero(bad.to_numpy())[0]
        raise InputError(f"{col.iloc[i]!r} is not a number", file=file, field=field, line=int(lines.iloc[i]))
    neg = num < 0
    if neg.any():
        i = np.flatnonzero(neg.to_numpy())[0]
        raise InputError(f"negative population {col.iloc[i]}", file=file, field=field, line=int(lines.iloc[i]))
    return num.to_numpy(dtype=float)


def check_header(text: str, file: str) -> None:
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


def read_csv_text(data: bytes, *, file: str, skip_comments: bool = False) -> pd.DataFrame:
    """Read CSV bytes as text columns; malformed CSV becomes a one-line InputError.

    With ``skip_comments``, lines starting with ``#`` before the header are dropped (their
    text is in ``df.attrs["comments"]``) and line numbers still count them
    (``df.attrs["first_line"]`` is the file line of the first data row).  The bytes are
    parsed as they are (no decoded copy of the whole file is made), so that reading a
    file takes little more memory than its table.
    """
    import io

    encoding = text_encoding(data, file=file)
    comments, start = _leading_comments(data, encoding) if skip_comments else ([], 0)
    end = data.find(b"\n", start)
    check_header(data[start:end if end >= 0 else len(data)].decode(encoding, errors="replace"), file)
    try:
        df = pd.read_csv(io.BytesIO(data), encoding=encoding, skiprows=len(comments), dtype=str,
                         keep_default_na=False, skipinitialspace=True)
    except pd.errors.ParserError as e:
        raise _malformed(e, file, len(comments)) from None
    except pd.errors.EmptyDataError:
        raise InputError("file is empty", file=file) from None
    df.columns = [str(c).strip() for c in df.columns]
    df.attrs["comments"] = comments
    df.attrs["first_line"] = len(comments) + 2
    return df


def text_encoding(data: bytes, *, file: str) -> str:
    """``"utf-8-sig"`` or ``"cp1252"`` (what :func:`decode_text` would decode with), checked
    a megabyte at a time; empty or binary files are one-line errors."""
    import codecs

    if not data or data.isspace():
        raise InputError("file is empty", file=file)
    if b"\x00" in data[:4096]:
        raise InputError("not a text file (it holds NUL bytes): forecast reads CSV text", file=file)
    view, step = memoryview(data), 1 << 20
    for encoding in ("utf-8-sig", "cp1252"):
        dec = codecs.getincrementaldecoder(encoding)()
        try:
            for i in range(0, len(data), step):
                dec.decode(view[i:i + step])
            dec.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError as e:
            reason = e.reason
    raise InputError(f"not a text file ({reason})", file=file)  # pragma: no cover - cp1252 decodes almost anything


def _leading_comments(data: bytes, encoding: str) -> tuple[list[str], int]:
    """The text of the ``#`` lines before the header, and where the header starts."""
    comments, pos = [], 0
    while pos < len(data):
        end = data.find(b"\n", pos)
        end = len(data) if end < 0 else end + 1
        line = data[pos:end].decode(encoding, errors="replace").lstrip("\ufeff")
        if not line.lstrip().startswith("#"):
            break
        comments.append(line.lstrip().lstrip("# ").strip())
        pos = end
    return comments, pos


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
