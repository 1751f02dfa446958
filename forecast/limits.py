"""Documented limits on what forecast accepts, checked before anything is allocated.

Every input that could make forecast allocate, read or loop without bound is checked
against one of these limits first; going over one is a one-line error naming the file or
option and the limit.  They are generous for real work (every English district, 10,000
draws, a century of years) and small enough that a hostile or careless input fails in
seconds and well under a gigabyte.
"""

from __future__ import annotations

#: Most draws per run (``--draws``, ``uncertainty.draws``).
MAX_DRAWS = 100_000

#: Years must lie in this range (mid-years, financial-year starts, strategy ends,
#: ``--extend-to``): ONS national projections run a century ahead.
MIN_YEAR = 1900
MAX_YEAR = 2200

#: Oldest age a population file may give (its open top group, say ``90+``, at most this):
#: the oldest person on record was 122.
MAX_AGE = 130

#: Largest YAML file (rate sets, specs, scenarios …), in bytes, checked before reading.
MAX_YAML_BYTES = 1 << 20  # 1 MiB

#: Deepest nesting of mappings and lists in a YAML file.
MAX_YAML_DEPTH = 50

#: Most YAML nodes once aliases are expanded (a "billion laughs" file stops here).
MAX_YAML_NODES = 100_000

#: Largest data file read (population CSV, ethnic mix, observed counts), in bytes.  ONS's
#: largest table we read (the national SNPP, every district by single year of age) is
#: about 30 MB a sex; parsing a file takes a few times its size in memory.
MAX_INPUT_BYTES = 128 << 20  # 128 MiB: a file this size is read in about 0.7 GB

#: Largest total size of the members read from one zip or gzip file, once decompressed
#: (counted as the bytes are read, in chunks, so a "zip bomb" stops at this size).
MAX_DECOMPRESSED_BYTES = 128 << 20  # 128 MiB

#: Most quantiles one run may ask for (each is a column of the output).
MAX_QUANTILES = 100

#: Most values one run may produce before summarising (draws × output cells), so that
#: ``--keep-draws`` cannot ask for more memory than a laptop has: 50 million values are
#: 400 MB as numbers (a NetCDF file of that size), and as many rows of a table.
MAX_DRAW_VALUES = 50_000_000
