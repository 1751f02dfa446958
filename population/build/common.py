"""Small helpers shared by the build scripts (paths, checksums, deterministic gzip)."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

POPULATION = Path(__file__).resolve().parents[1]  # the repository's population/ folder

# gzip with a fixed header time, so that re-running a build gives the same bytes
# (with the same zlib); pandas writes the member name from the file name.
GZIP = {"method": "gzip", "mtime": 0}


def shared_dir() -> Path:
    """The shared data folder given on the command line (e.g. /work/shared/data)."""
    if len(sys.argv) != 2:
        sys.exit(f"usage: python {Path(sys.argv[0]).name} /path/to/shared/data")
    path = Path(sys.argv[1]).resolve()
    if not (path / "README.md").is_file():
        sys.exit(f"{path} does not look like the shared data folder (no README.md)")
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def report(path: Path, rows: int | None = None) -> None:
    extra = f", {rows:,} data rows" if rows is not None else ""
    print(f"wrote {path.relative_to(POPULATION.parent)} ({path.stat().st_size:,} bytes{extra})"
          f"\n  sha256 {sha256(path)}")
