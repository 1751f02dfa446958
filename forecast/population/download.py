"""ONS population datasets by short name: the catalogue, download into the cache, and status.

The full national ONS files cannot ship with forecast; a user fetches them once::

    forecast population list                 # the datasets, and which are downloaded
    forecast population download snpp2022    # into the cache folder, once

and then names them (``--population snpp2022``, ``population: snpp2022``,
:func:`read_population` ``("snpp2022")``).  :func:`read_population` also reads files (as
:func:`forecast.read_snpp` does), and keeps every parsed cube in the cache keyed by the files'
sha256 (:mod:`forecast.population.cache`), so a second read does not parse again.

**Download.**  :func:`download` fetches the file with `pooch
<https://www.fatiando.org/pooch/>`_ (which streams it to a temporary file beside the
destination and moves it into place only when complete, so an interrupted download leaves
nothing), checks that it is the ONS layout expected (an SNPP zip holds the males and
females CSVs with ONS's columns, …), and records the address, date, size and sha256 in a
small JSON file beside it (``<file>.json``).  A file already downloaded is never fetched
again; its sha256 is checked against the record each time it is used, and a file that has
changed is refused.  The ONS addresses are those of ``ONS_DOWNLOADS.md`` in the shared data
(as used in public code that downloads them): ONS has not published checksums, so the
sha256 recorded is the first download's (``sha256_known`` is false in the record).

**Offline, or the file moved.**  The error is one line with the address to fetch by hand
and the command to use the file (``forecast population download NAME --file PATH``, or
``--population PATH`` directly).

The cache folder: :func:`forecast.population.cache.cache_dir` (``$FORECAST_CACHE_DIR``, else
the user's cache folder).  Downloads go to ``<cache>/downloads/<dataset>/``.

The parts, one module each (every name is importable from here, as before):

* :mod:`forecast.population.catalogue` — the datasets (:class:`Dataset`, :data:`CATALOGUE`, :func:`dataset`);
* :mod:`forecast.population.downloaded` — the cached files and their records, status, removal;
* :mod:`forecast.population.layout` — the layout checks;
* :mod:`forecast.population.fetch` — :func:`download`;
* :mod:`forecast.population.named` — :func:`read_population`.
"""

from __future__ import annotations

# the names below were all defined or imported here before the split: keep them importable
from .._version import __version__  # noqa: F401
from ..errors import ForecastError, InputError  # noqa: F401
from ..files import atomic_path, check_regular_file, write_text  # noqa: F401
from .cache import CACHE_ENV, cache_dir, cached_cube, cube_key, save_cube  # noqa: F401
from .catalogue import _Z1, CATALOGUE, OGL, ONS, Dataset, DownloadError, _hint, dataset, split_name  # noqa: F401
from .downloaded import (  # noqa: F401
    _folder,
    _paths,
    _refuse_changed,
    _write_record,
    cached_file,
    record,
    remove,
    sha256_now,
    status,
)
from .fetch import _clean_stale, _fetch, _why, download  # noqa: F401
from .layout import _SNPP_HEADER, _SNPP_MEMBER, _not_layout, _zip_names, check_layout  # noqa: F401
from .named import (  # noqa: F401
    _NAME,
    FORMATS,
    _files,
    _finish,
    _parse_dataset,
    _parse_named,
    _provenance,
    _read_dataset,
    _read_files,
    is_dataset_name,
    read_population,
)
from .sources import npp_variants, read_myeb1_workbook, read_npp_zip  # noqa: F401

__all__ = [
    "Dataset", "CATALOGUE", "dataset", "split_name", "download", "status", "cached_file", "record",
    "check_layout", "npp_variants", "remove", "read_population", "is_dataset_name", "DownloadError",
]
