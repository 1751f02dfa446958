"""Where the shipped data lives, and file provenance (sha256).

In an installed wheel the top-level ``assumptions/`` and ``population/`` folders of
the repository are shipped as ``forecast/_data/assumptions`` and
``forecast/_data/population`` (see ``pyproject.toml``).  Run from a source checkout
(or an editable install) they are found beside the package.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Folder of shipped data: ``"assumptions"`` or ``"population"``."""
    for candidate in (_PACKAGE_DIR / "_data" / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"the shipped '{name}' folder is missing from this installation of forecast "
        f"(looked in {_PACKAGE_DIR / '_data' / name} and {_PACKAGE_DIR.parent / name})"
    )


@lru_cache(maxsize=256)
def _sha256_cached(path: str, mtime_ns: int, size: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def sha256_file(path: str | Path) -> str:
    """sha256 of a file's bytes (cached on path, size and modification time)."""
    p = Path(path)
    st = p.stat()
    return _sha256_cached(str(p.resolve()), st.st_mtime_ns, st.st_size)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
