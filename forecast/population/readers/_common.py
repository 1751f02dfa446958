"""Shared by the population readers: cell parsing with locations, and records → cube.

A reader turns its file layout into *records*: one per area × year × sex × age cell, with
the file and line it came from.  :func:`build_cube` checks the records (area names,
duplicates, missing single ages, missing sexes or years, an inconsistent open top age,
"All ages" and persons totals) and places them into the cube of :mod:`forecast.population`.
Every problem is an :class:`~forecast.errors.InputError` naming file, line and field.

Records come either as a long :class:`pandas.DataFrame` (one row per cell: the tidy and
mid-year-estimate readers) or as :class:`Records` — the file's rows (area, name, sex,
age, line) once, and their cells (row, year, value) as numpy arrays — which is how the
SNPP reader hands over a wide file without making a row object per cell.  Both go through
the same vectorised checks (no Python loop over rows or cells); when several problems are
present, the one reported is the one the row-by-row order of the file meets first.

The parts, one module each (all importable from here, as before):

* :mod:`._text` — CSV text: decoding, reading with line numbers, columns, sex, age, numbers;
* :mod:`._records` — :class:`Records`;
* :mod:`._checks` — the structural checks;
* :mod:`._build` — :func:`build_cube`.
"""

from __future__ import annotations

from ...ages import parse_band  # noqa: F401  (importable from here, as before)
from ...errors import ForecastError, InputError  # noqa: F401
from ...files import read_bytes, sha256_bytes  # noqa: F401
from ...limits import MAX_AGE  # noqa: F401
from ..cube import make_cube  # noqa: F401
from ._build import build_cube  # noqa: F401
from ._checks import (ALL_AGES_TOLERANCE, _check_duplicates, _check_names, _check_totals, _first,  # noqa: F401
                      _first_by_line, _missing_ages)
from ._records import SEX_CODES, Records  # noqa: F401
from ._text import (_SEX, check_header, decode_text, line_numbers, male_or_female, parse_age, parse_sex,  # noqa: F401
                    provenance, read_csv_text, require_columns, text_encoding, to_numbers)
