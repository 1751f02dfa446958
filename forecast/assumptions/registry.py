"""The registry: assumption files and objects by kind and id.

Sources, later overriding earlier: the built-in ``assumptions/`` folder (grouped by
measure), folders or files named by installed packages in the ``forecast.assumptions``
entry-point group (a folder, a file, or a callable returning rate sets or paths), and files
or folders added with :meth:`Registry.add_path`.  Python objects added with
:meth:`Registry.add_object` come first of all.

The registry only finds things; each kind's module loads its own files (so the registry
imports none of them, and none of them is imported by it).
"""

from __future__ import annotations

import re
from importlib import metadata
from os import PathLike
from pathlib import Path
from typing import Any, Callable, Sequence

from ..errors import AssumptionError, one_line
from ..files import data_dir
from ..schemas import KINDS

__all__ = ["SCHEMA_IDS", "KIND_LABELS", "LOADERS", "Registry", "registry", "schema_of", "load_cached", "ENTRY_POINT_GROUP"]

ENTRY_POINT_GROUP = "forecast.assumptions"

#: ``schema:`` value -> kind, for the assumption kinds (those whose errors are AssumptionErrors)
SCHEMA_IDS = {sid: kind for kind, (sid, _, error) in KINDS.items() if error is AssumptionError}
KIND_LABELS = {
    "rate-set": "rate set", "relative-risks": "relative risks", "ethnic-mapping": "ethnic-group mapping",
    "derived-measures": "derived-measures file", "scenario": "scenario",
}
#: kind -> the function that loads a file of that kind; each kind's module adds its own
#: when imported (so this module imports none of them).
LOADERS: dict[str, Callable[[Path], Any]] = {}

_SCHEMA_LINE = re.compile(r"^schema:\s*['\"]?([\w.\-/]+)", re.MULTILINE)


def schema_of(path: Path) -> str | None:
    """The kind of an assumption file, from the ``schema:`` line of its text (None if none)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4000).decode("utf-8", errors="replace")
    except OSError:
        return None
    m = _SCHEMA_LINE.search(head)
    return SCHEMA_IDS.get(m[1]) if m else None


class Registry:
    """Assumption files and objects by ``(kind, id)`` (module docstring)."""

    def __init__(self, *, builtin: bool = True, entry_points: bool = True) -> None:
        self._use_builtin = builtin
        self._use_entry_points = entry_points
        self._paths: list[Path] = []
        self._objects: dict[tuple[str, str], Any] = {}
        self._index: dict[tuple[str, str], Path] | None = None

    def _roots(self) -> list[Path]:
        roots: list[Path] = [data_dir("assumptions")] if self._use_builtin else []
        if self._use_entry_points:
            for item in _entry_point_items():
                if hasattr(item, "KIND"):
                    self._objects.setdefault((item.KIND, item.id), item)
                else:
                    roots.append(Path(item))
        return roots + self._paths

    @property
    def index(self) -> dict[tuple[str, str], Path]:
        if self._index is None:
            index: dict[tuple[str, str], Path] = {}
            for root in self._roots():
                files = [root] if root.is_file() else sorted(root.rglob("*.yaml")) + sorted(root.rglob("*.yml"))
                for f in files:
                    kind = schema_of(f)
                    if kind is not None:
                        index[(kind, f.stem)] = f
            self._index = index
        return self._index

    def add_object(self, item) -> None:
        """Make a RateSet, RelativeRisks … object available by its id."""
        self._objects[(item.KIND, item.id)] = item

    def add_path(self, path: str | PathLike) -> None:
        """Add a YAML file or a folder of them (validated by the caller)."""
        p = Path(path)
        if not p.exists():
            raise AssumptionError("file or folder not found", file=p)
        self._paths.append(p)
        self._index = None

    def add(self, item) -> None:
        """Add an assumption object, or a YAML file (validated now, so a bad file fails where
        it is added) or a folder of them."""
        if hasattr(item, "KIND"):
            self.add_object(item)
            return
        p = Path(item)
        if p.is_file():
            LOADERS[schema_of(p) or "rate-set"](p)
        self.add_path(p)

    def load(self, key, cls: type, read: Callable[[Path], Any], *, also: Sequence[str] = ()):
        """``key`` itself if it is a ``cls``; else the object :meth:`resolve` finds for it,
        or ``read(path)`` of the file it finds (not cached: :meth:`get` caches)."""
        if isinstance(key, cls):
            return key
        found = self.resolve(key, cls.KIND, also=also)
        return found if isinstance(found, cls) else read(found)

    def get(self, key, kind: str = "rate-set"):
        """An assumption object by id or path (loaded once per file version)."""
        found = self.resolve(key, kind)
        return load_cached(found, LOADERS[kind]) if isinstance(found, Path) else found

    def ids(self, kind: str = "rate-set") -> list[str]:
        return sorted({i for k, i in self.index if k == kind} | {i for k, i in self._objects if k == kind})

    def find(self, key: str, kind: str) -> Path | None:
        """Path of the file with this id and kind, if known."""
        return self.index.get((kind, str(key)))

    def resolve(self, key, kind: str, *, also: Sequence[str] = ()):
        """An object, or the path of a file, for an id of this kind — or ``key`` itself if it
        names a YAML file.  An unknown id is an error listing the known ones (and ``also``)."""
        k = str(key)
        if (kind, k) in self._objects:
            return self._objects[(kind, k)]
        path = self.find(k, kind)
        if path is not None:
            return path
        p = Path(k)
        if p.exists():
            return p
        if p.suffix.lower() in (".yaml", ".yml") or "/" in k or "\\" in k:
            # no file: said without naming it as the file at fault, so that the spec or
            # option that names it is the location of the error
            raise AssumptionError(f"{KIND_LABELS[kind]} file {one_line(k)} not found")
        known = ", ".join([*also, *self.ids(kind)]) or "none"
        raise AssumptionError(f"unknown {KIND_LABELS[kind]} '{k}' (known: {known}; or give a path to a YAML file)")


_cache: dict[tuple, Any] = {}


def load_cached(path: Path, loader: Callable[[Path], Any]):
    """``loader(path)``, once per file version (path, modification time, size)."""
    try:
        st = Path(path).stat()
    except OSError:
        return loader(path)  # the loader reports the problem in one line
    key = (str(Path(path).resolve()), st.st_mtime_ns, st.st_size, loader.__module__, loader.__name__)
    if key not in _cache:
        _cache[key] = loader(path)
    return _cache[key]


def _entry_point_items() -> list:
    """Objects and paths named by packages in the ``forecast.assumptions`` entry-point group."""
    out: list = []
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            obj = ep.load()
            value = obj() if callable(obj) else obj
        except Exception as e:  # a broken plug-in must not break the built-ins
            raise AssumptionError(f"entry point '{ep.name}' ({ep.value}) failed to load: {e}") from None
        out.extend(value if isinstance(value, (list, tuple)) else [value])
    return out


#: The default registry used by :func:`forecast.project` and the CLI.
registry = Registry()
