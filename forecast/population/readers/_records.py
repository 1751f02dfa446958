"""Records: the cells a population reader hands over, as numpy arrays.

A reader turns its file layout into *records*: one per area × year × sex × age cell, with
the file and line it came from — either as a long :class:`pandas.DataFrame` (one row per
cell) or as :class:`Records`: the file's rows (area, name, sex, age, line) once, and their
cells (row, year, value) as numpy arrays, which is how the SNPP reader hands over a wide
file without making a row object per cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

#: Sex codes of :class:`Records` (``sex`` holds the index).
SEX_CODES = ("male", "female", "persons")


@dataclass
class Records:
    """Rows of population files and their cells, as numpy arrays.

    Row arrays (length R, in the order the files are read): ``area`` and ``name`` (indices
    into ``area_codes`` and ``area_names``), ``sex`` (index into :data:`SEX_CODES`), ``age``
    (−1 for an "All ages" row), ``open`` (the open top age group), ``total`` ("All ages"),
    ``line`` (1-based line in its file) and ``file`` (index into ``files``).

    Cell arrays (length N): ``row`` (index into the rows), ``year`` and ``value``, in the
    order the file's cells are met (a wide file: column by column, each top to bottom).
    """

    area_codes: np.ndarray
    area_names: np.ndarray
    files: list[str]
    area: np.ndarray
    name: np.ndarray
    sex: np.ndarray
    age: np.ndarray
    open: np.ndarray
    total: np.ndarray
    line: np.ndarray
    file: np.ndarray
    row: np.ndarray
    year: np.ndarray
    value: np.ndarray

    @classmethod
    def wide(cls, *, file: str, codes, names, sex: np.ndarray, age: np.ndarray, open_: np.ndarray,
             total: np.ndarray, line: np.ndarray, years: Sequence[int], values: np.ndarray) -> "Records":
        """One wide file: R rows (``codes``, ``names`` … per row) × one value per year
        (``values`` is R × len(years))."""
        area, area_codes = pd.factorize(np.asarray(codes, dtype=object))
        name, area_names = pd.factorize(np.asarray(names, dtype=object))
        n_rows, n_years = values.shape
        return cls(
            area_codes=np.asarray(area_codes, dtype=object), area_names=np.asarray(area_names, dtype=object),
            files=[file], area=area.astype(np.int64), name=name.astype(np.int64),
            sex=np.asarray(sex, dtype=np.int8), age=np.asarray(age, dtype=np.int64),
            open=np.asarray(open_, dtype=bool), total=np.asarray(total, dtype=bool),
            line=np.asarray(line, dtype=np.int64), file=np.zeros(n_rows, dtype=np.int64),
            row=np.tile(np.arange(n_rows, dtype=np.int64), n_years),
            year=np.repeat(np.asarray(years, dtype=np.int64), n_rows),
            value=np.ascontiguousarray(values.T).reshape(-1).astype(float, copy=False),
        )

    @classmethod
    def from_frame(cls, df: pd.DataFrame) -> "Records":
        """Long records (one row per cell: ``area_code, area_name, year, sex, age, open,
        total, value, line, file``)."""
        area, area_codes = pd.factorize(df["area_code"].to_numpy(dtype=object))
        name, area_names = pd.factorize(df["area_name"].to_numpy(dtype=object))
        sex_idx, sex_u = pd.factorize(df["sex"].to_numpy(dtype=object))
        lookup = np.array([SEX_CODES.index(s) for s in sex_u], dtype=np.int8)
        file_idx, files = pd.factorize(df["file"].astype(str).to_numpy(dtype=object))
        n = len(df)
        return cls(
            area_codes=np.asarray(area_codes, dtype=object), area_names=np.asarray(area_names, dtype=object),
            files=[str(f) for f in files], area=area.astype(np.int64), name=name.astype(np.int64),
            sex=lookup[sex_idx], age=df["age"].to_numpy(dtype=np.int64),
            open=df["open"].to_numpy(dtype=bool), total=df["total"].to_numpy(dtype=bool),
            line=df["line"].to_numpy(dtype=np.int64), file=file_idx.astype(np.int64),
            row=np.arange(n, dtype=np.int64), year=df["year"].to_numpy(dtype=np.int64),
            value=df["value"].to_numpy(dtype=float),
        )

    @classmethod
    def concat(cls, parts: Sequence["Records"]) -> "Records":
        """Records of several files, one after the other."""
        if len(parts) == 1:
            return parts[0]
        codes = pd.Index(pd.unique(np.concatenate([p.area_codes for p in parts])))
        names = pd.Index(pd.unique(np.concatenate([p.area_names for p in parts])))
        files: list[str] = []
        rows_before, out = 0, {k: [] for k in ("area", "name", "sex", "age", "open", "total", "line", "file",
                                              "row", "year", "value")}
        for p in parts:
            out["area"].append(codes.get_indexer(p.area_codes)[p.area])
            out["name"].append(names.get_indexer(p.area_names)[p.name])
            out["file"].append(p.file + len(files))
            out["row"].append(p.row + rows_before)
            for k in ("sex", "age", "open", "total", "line", "year", "value"):
                out[k].append(getattr(p, k))
            files.extend(p.files)
            rows_before += len(p.area)
        return cls(area_codes=np.asarray(codes, dtype=object), area_names=np.asarray(names, dtype=object),
                   files=files, **{k: np.concatenate(v) for k, v in out.items()})
