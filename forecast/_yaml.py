"""The one YAML reader of the package: ``yaml.safe_load`` only, with line numbers.

Every YAML file forecast reads (rate sets, report specs, area groups, ethnic-group
mappings) goes through :func:`read_yaml`.  It never constructs Python objects: a
``!!python/object`` (or any other non-standard) tag is an error naming the file and
line.  It also returns a :class:`Lines` index so that validation errors can name the
line of the offending key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import ForecastError

__all__ = ["read_yaml", "Lines", "field_path", "failer", "check_header"]


def field_path(keys) -> str:
    """``("rates", "male", 3)`` → ``"rates.male[3]"``."""
    name = ""
    for k in keys:
        name += f"[{k}]" if isinstance(k, int) else (f".{k}" if name else str(k))
    return name


def failer(error: type[ForecastError], path, lines: "Lines"):
    """``fail(message, *keys)``: an ``error`` naming the file, the field and its line."""

    def fail(message: str, *keys) -> ForecastError:
        return error(message, file=path, field=field_path(keys) or None, line=lines.get(*keys) if keys else None)

    return fail


class Lines:
    """Map a key path (``("rates", "male", 3)``) to its 1-based line in the file."""

    def __init__(self, node: yaml.Node | None) -> None:
        self._lines: dict[tuple, int] = {}
        if node is not None:
            self._walk(node, ())

    def _walk(self, node: yaml.Node, path: tuple) -> None:
        self._lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                key = k.value if isinstance(k, yaml.ScalarNode) else None
                self._walk(v, path + (key,))
                self._lines[path + (key,)] = k.start_mark.line + 1  # a key's own line, not its value's
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self._walk(item, path + (i,))

    def get(self, *path: Any) -> int | None:
        """Line of the deepest known prefix of ``path``."""
        p = tuple(path)
        while p:
            if p in self._lines:
                return self._lines[p]
            p = p[:-1]
        return self._lines.get(())


def read_yaml(path: str | Path, *, error: type[ForecastError] = ForecastError) -> tuple[Any, Lines]:
    """Read a YAML file safely; raise ``error`` (one line, naming the file) on failure."""
    path = Path(path)
    if not path.exists():
        raise error("file not found", file=path)
    if path.is_dir():
        raise error("is a folder, not a YAML file", file=path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise error(f"not UTF-8 text ({e.reason} at byte {e.start})", file=path) from None
    except OSError as e:
        raise error(f"cannot read: {e.strerror}", file=path) from None
    try:
        data = yaml.safe_load(text)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.constructor.ConstructorError as e:
        mark = e.problem_mark
        tag = ""
        if e.problem and "tag" in e.problem:
            tag = e.problem.split("tag", 1)[1].strip(" '")
        raise error(
            f"YAML tag {tag or '(unknown)'} is not allowed: forecast reads YAML with safe_load and never builds Python objects",
            file=path,
            line=mark.line + 1 if mark else None,
        ) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise error(f"not valid YAML: {problem}", file=path, line=mark.line + 1 if mark else None) from None
    return data, Lines(node)


def check_header(data: Any, fail, path, *, schema: str, kind: str, keys: set[str]) -> dict:
    """The checks every assumption file shares: a mapping with this ``schema``, no unknown
    keys, an ``id`` equal to the file name, and ``source.citation``.  Returns the source."""
    if not isinstance(data, dict) or data.get("schema") != schema:
        raise fail(f"not {kind} (expected 'schema: {schema}')", "schema")
    unknown = sorted(set(data) - keys, key=str)
    if unknown:
        raise fail(f"unknown key (known: {', '.join(sorted(keys))})", unknown[0])
    if data.get("id") != path.stem:
        raise fail(f"id {data.get('id')!r} differs from the file name '{path.name}'", "id")
    src = data.get("source")
    if not isinstance(src, dict) or not src.get("citation"):
        raise fail("needs source.citation", "source")
    return src
