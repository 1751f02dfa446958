"""Cells of ONS workbooks (read with openpyxl) with their locations: the workbook, a
sheet's rows, the non-blank data rows, labels parsed once each, sexes and numbers.

Errors name the workbook and sheet, the spreadsheet row and column.
"""

from __future__ import annotations

import io

import numpy as np

from ..errors import InputError
from .readers._common import SEX_CODES, parse_sex


def _workbook(data: bytes, name: str):
    import openpyxl

    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a file that is not a workbook
        raise InputError(f"not an Excel workbook ({type(e).__name__})", file=name) from None


def _sheet_rows(wb, sheet: str, name: str) -> list[tuple]:
    if sheet not in wb.sheetnames:
        raise InputError(f"the workbook has no sheet {sheet!r} (it has {', '.join(wb.sheetnames)})", file=name)
    return [tuple(r) for r in wb[sheet].iter_rows(values_only=True)]


def _numbers(block: list[tuple], columns: list[int], header: list[str], lines: np.ndarray, name: str) -> np.ndarray:
    """Cells of ``columns`` → floats; the first cell that is not a number ≥ 0 is an error."""
    out = np.empty((len(block), len(columns)))
    for j, c in enumerate(columns):
        col = [r[c] if c < len(r) else None for r in block]
        try:
            vals = np.array(col, dtype=float)
        except (TypeError, ValueError):
            vals = np.array([_num(v) for v in col])
        bad = ~np.isfinite(vals)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(f"{col[i]!r} is not a number", file=name, field=header[c], line=int(lines[i]))
        neg = vals < 0
        if neg.any():
            i = int(np.flatnonzero(neg)[0])
            raise InputError(f"negative population {col[i]}", file=name, field=header[c], line=int(lines[i]))
        out[:, j] = vals
    return out


def _num(v) -> float:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v)
    try:
        return float(str(v).strip().replace(",", ""))
    except ValueError:
        return float("nan")


def _labels(values: list, parse, *, what: str, name: str, field: str, lines: np.ndarray):
    """Parse each distinct label once; the first unreadable one is an error."""
    uniq = {}
    codes = np.empty(len(values), dtype=np.int64)
    for i, v in enumerate(values):
        k = uniq.setdefault(v, len(uniq))
        codes[i] = k
    parsed = [parse(v) for v in uniq]
    bad = [k for k, p in enumerate(parsed) if p is None]
    if bad:
        i = int(np.flatnonzero(np.isin(codes, bad))[0])
        raise InputError(f"cannot read {what} {values[i]!r}", file=name, field=field, line=int(lines[i]))
    return codes, parsed


def _data_rows(rows: list[tuple], start: int) -> tuple[list[tuple], np.ndarray]:
    """The rows from ``rows[start]`` on that are not blank, and their spreadsheet rows
    (``rows[0]`` is row 1)."""
    keep = [i for i, r in enumerate(rows[start:], start=start)
            if any(c is not None and str(c).strip() != "" for c in r)]
    return [rows[i] for i in keep], np.array([i + 1 for i in keep], dtype=np.int64)


def _sex_cell(v) -> str | None:
    return parse_sex(str(v).strip().removesuffix(".0"))


def _sexes(block: list[tuple], column: int, *, what: str, name: str, field: str, lines: np.ndarray) -> np.ndarray:
    """The sex of each row (0 male, 1 female, 2 persons); the first unreadable one is an error."""
    codes, parsed = _labels([r[column] for r in block], _sex_cell, what=what, name=name, field=field, lines=lines)
    return np.array([SEX_CODES.index(s) for s in parsed], dtype=np.int8)[codes]
