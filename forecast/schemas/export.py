"""Write the JSON Schema of every file kind: ``python -m forecast.schemas.export [DIR]``.

Writes ``<kind>.schema.json`` (``rate-set.schema.json``, ``table.schema.json`` …) into
DIR, by default ``forecast/schemas/json/`` beside this module.  Editors that read JSON
Schema (VS Code's YAML extension, PyCharm) can then check files as they are typed, e.g.
with a first line ``# yaml-language-server: $schema=.../rate-set.schema.json``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from . import KINDS, json_schema

__all__ = ["export", "main"]

DEFAULT_DIR = Path(__file__).resolve().parent / "json"


def export(directory: str | Path = DEFAULT_DIR) -> list[Path]:
    """Write one ``<kind>.schema.json`` per kind into ``directory``; return the paths."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in KINDS:
        path = out / f"{kind}.schema.json"
        text = json.dumps(json_schema(kind), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1 or (args and args[0] in ("-h", "--help")):
        print(__doc__.strip().splitlines()[0])
        return 0 if args and args[0] in ("-h", "--help") else 2
    for path in export(args[0] if args else DEFAULT_DIR):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
