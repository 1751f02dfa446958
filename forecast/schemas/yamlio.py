"""The one YAML reader of the package: safe, bounded, with line numbers.

Every YAML file forecast reads (rate sets, relative risks, mappings, scenarios, derived
measures, area groups, table and indicator specs) goes through :func:`read_yaml`, which

* never builds Python objects: a ``!!python/object`` tag (or any tag other than the plain
  YAML types) is an error naming its line;
* checks every limit of :mod:`forecast.limits` *before* the work it bounds: only regular
  files (a folder, a FIFO or a device is refused from ``os.stat``, without opening it),
  the size from ``stat`` before reading (``MAX_YAML_BYTES``), the nesting depth from
  the parser's event stream before anything is composed (``MAX_YAML_DEPTH``, so a
  100,000-deep file never recurses), and the number of nodes once aliases are expanded,
  counted with memoisation over the composed node graph (``MAX_YAML_NODES``: a
  "billion laughs" file fails in milliseconds);
* refuses duplicate keys, naming the key and both lines;
* parses once, with PyYAML's C loader when it is available: the node graph is composed,
  checked, and the data constructed from that same graph.

It returns the data and a :class:`Lines` index (key path → 1-based line) so that
validation errors can name the line of the offending key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

import yaml

from ..errors import ForecastError, brief
from ..files import read_bytes
from ..limits import MAX_YAML_BYTES, MAX_YAML_DEPTH, MAX_YAML_NODES

__all__ = ["read_yaml", "Lines", "field_path", "LOADER"]

#: The loader used: PyYAML's C (libyaml) safe loader when installed, else the Python one.
LOADER = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader

_Y = "tag:yaml.org,2002:"
#: The only tags a forecast YAML file may hold (all resolved implicitly from plain YAML),
#: each on its kind of node (a merge key ``<<`` is a key).
SCALAR_TAGS = frozenset(_Y + t for t in ("null", "bool", "int", "float", "str", "timestamp"))
ALLOWED_TAGS = SCALAR_TAGS | {_Y + "seq", _Y + "map", _Y + "merge"}

_STR = _Y + "str"
_MERGE = _Y + "merge"
_NODE = {yaml.MappingStartEvent, yaml.SequenceStartEvent, yaml.ScalarEvent}
_END = {yaml.MappingEndEvent, yaml.SequenceEndEvent}


def field_path(keys: Iterable[Any]) -> str:
    """``("rates", "male", 3)`` → ``"rates.male[3]"``."""
    name = ""
    for k in keys:
        name += f"[{k}]" if isinstance(k, int) and not isinstance(k, bool) else (f".{k}" if name else str(k))
    return name


class Lines:
    """Map a key path (``("rates", "male", 3)``) to its 1-based line in the file.

    A mapping key's path gives the key's own line; a list item's path gives the line where
    the item starts.  :func:`read_yaml` builds one as it walks the composed node graph,
    each node once (a node reached again through an alias is not walked again: paths
    through the alias resolve to the line of the key that holds the alias).
    """

    def __init__(self, table: dict[tuple, int] | None = None) -> None:
        self._lines: dict[tuple, int] = table if table is not None else {}

    def get(self, *path: Any) -> int | None:
        """Line of the deepest known prefix of ``path`` (None for an empty index)."""
        p = tuple(path)
        while p:
            if p in self._lines:
                return self._lines[p]
            p = p[:-1]
        return self._lines.get(())

    def __len__(self) -> int:
        return len(self._lines)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Lines) and self._lines == other._lines


def _fail(error, path, message: str, mark=None, line: int | None = None, field: str | None = None) -> ForecastError:
    if mark is not None:
        line = mark.line + 1
    return error(message, file=path, line=line, field=field or None)


def _show_tag(tag: str) -> str:
    return "!!" + tag[len(_Y):] if tag.startswith(_Y) else tag


def _read_bytes(path: Path, error) -> bytes:
    """The file's bytes, after checking from ``stat`` that it is a regular file of
    at most ``MAX_YAML_BYTES`` (a FIFO is never opened)."""
    return read_bytes(path, limit=MAX_YAML_BYTES, error=error, what="YAML file", limit_name="MAX_YAML_BYTES")


def _decode(raw: bytes, path: Path, error) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise error(f"not UTF-8 text ({e.reason} at byte {e.start})", file=path, line=line) from None


def _scan(text: str, path: Path, error) -> bool:
    """Stream the parser's events (libyaml's parser keeps its own stack: no recursion)
    before any node is composed: refuse nesting deeper than ``MAX_YAML_DEPTH``, and more
    than ``MAX_YAML_NODES`` nodes as written.  True if the file uses aliases."""
    depth = nodes = 0
    aliases = False
    loader = None
    try:
        loader = LOADER(text)
        while True:
            event = loader.get_event()
            if event is None:
                break
            kind = type(event)
            if kind in _NODE:
                nodes += 1
                if nodes > MAX_YAML_NODES:
                    raise _fail(error, path, f"more than {MAX_YAML_NODES:,} YAML nodes (forecast.limits.MAX_YAML_NODES)",
                                event.start_mark)
                if kind is not yaml.ScalarEvent:
                    depth += 1
                    if depth > MAX_YAML_DEPTH:
                        raise _depth_error(path, error, event.start_mark.line + 1)
            elif kind in _END:
                depth -= 1
            elif kind is yaml.AliasEvent:
                aliases = True
        return aliases
    except yaml.YAMLError as e:
        if "nesting depth" in str(getattr(e, "problem", "")):  # libyaml's own (higher) limit
            mark = getattr(e, "problem_mark", None)
            raise _depth_error(path, error, mark.line + 1 if mark else None) from None
        raise _yaml_error(e, path, error, text) from None
    finally:
        if loader is not None:
            loader.dispose()


def _depth_error(path, error, line):
    return error(f"nested deeper than {MAX_YAML_DEPTH} levels (forecast.limits.MAX_YAML_DEPTH)", file=path, line=line)


def _yaml_error(e: yaml.YAMLError, path, error, text: str = "") -> ForecastError:
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    problem = getattr(e, "problem", None) or str(e).splitlines()[0]
    context = getattr(e, "context", None)
    if context and "expected a single document" in str(context):
        problem = "holds more than one YAML document (one is allowed)"
    elif context:
        problem = f"{context}, {problem}"
    if isinstance(e, yaml.reader.ReaderError):  # a control character: no mark, a position
        char = f"U+{e.character:04X}" if isinstance(e.character, int) else repr(e.character)
        problem = f"the control character {char} is not allowed"
        return error(f"not valid YAML: {problem}", file=path, line=text.count("\n", 0, e.position) + 1)
    return _fail(error, path, f"not valid YAML: {problem}", mark)


def _key_value(loader, knode, path, error):
    """The constructed value of a mapping key (plain scalars only)."""
    if not isinstance(knode, yaml.ScalarNode):
        what = "a list" if isinstance(knode, yaml.SequenceNode) else "a mapping"
        raise _fail(error, path, f"a key must be a plain value, not {what}", knode.start_mark)
    if knode.tag == _MERGE:
        return "<<"
    return _scalar(loader, knode, path, error)


def _scalar(loader, node, path, error, here: tuple = ()) -> Any:
    """A scalar's value (text as it is; numbers, booleans, null and dates constructed)."""
    if node.tag == _STR:
        return node.value
    try:
        return loader.construct_object(node)
    except (ValueError, KeyError, AttributeError, TypeError, OverflowError):
        raise _fail(error, path, f"cannot read {brief(node.value)} as {_show_tag(node.tag)}", node.start_mark,
                    field=field_path(here)) from None


def _check_tag(node, path, error) -> None:
    kind = "scalar" if isinstance(node, yaml.ScalarNode) else "seq" if isinstance(node, yaml.SequenceNode) else "map"
    ok = node.tag in SCALAR_TAGS if kind == "scalar" else node.tag == _Y + kind
    if not ok:
        why = " here" if node.tag in ALLOWED_TAGS else ": forecast reads plain YAML only and never builds Python objects"
        raise _fail(error, path, f"YAML tag {_show_tag(node.tag)} is not allowed{why}", node.start_mark)


def _enter(loader, node, here: tuple, table: dict, path, error) -> tuple[Any, list]:
    """One node met for the first time: check its tag, and for a mapping its keys (plain,
    hashable, no duplicates); record its lines.  Returns its (empty) value and its
    children as ``(node, path, container, slot)``."""
    _check_tag(node, path, error)
    table.setdefault(here, node.start_mark.line + 1)
    if isinstance(node, yaml.ScalarNode):
        return _scalar(loader, node, path, error, here), []
    if isinstance(node, yaml.SequenceNode):
        items = node.value
        value = [None] * len(items)
        return value, [(item, here + (i,), value, i) for i, item in enumerate(items)]
    value: dict = {}
    children = []
    for knode, vnode in node.value:
        if knode.tag != _MERGE:
            _check_tag(knode, path, error)
        key = _key_value(loader, knode, path, error)
        line = knode.start_mark.line + 1
        try:
            first = table.get(here + (key,)) if key in value else None
        except TypeError:
            raise _fail(error, path, "a key must be a plain value", line=line) from None
        if first is not None:
            raise error(f"duplicate key {str(key)[:40]!r} (lines {first} and {line}): give each key once",
                        file=path, field=field_path(here) or None, line=line)
        value[key] = None
        table[here + (key,)] = line
        children.append((vnode, here + (key,), value, key))
    return value, children


def _build(root: yaml.Node, loader, path, error) -> tuple[Any, dict, bool]:
    """Visit each node of the graph once, depth first in document order: check it,
    record its lines and build its value (a node reached again through an alias gives
    the same object, and is not walked again).  Returns the data, the lines and whether
    a merge key (``<<``) was met (then the loader's constructor must build the data)."""
    table: dict[tuple, int] = {}
    made: dict[int, Any] = {}
    top: list = [None]
    stack: list[tuple] = [(root, (), top, 0)]
    merges = False
    while stack:
        node, here, parent, slot = stack.pop()
        nid = id(node)
        if nid not in made:
            made[nid], kids = _enter(loader, node, here, table, path, error)
            stack.extend(reversed(kids))
            merges = merges or (isinstance(node, yaml.MappingNode) and any(k.tag == _MERGE for k, _ in node.value))
        parent[slot] = made[nid]
    return top[0], table, merges


def _expanded_size(root: yaml.Node, path, error) -> None:
    """The number of nodes once aliases are expanded, counted with memoisation (each
    node once), stopping as soon as it passes ``MAX_YAML_NODES``; an alias to a node
    that contains it (a recursive structure) is refused."""
    size: dict[int, int] = {}  # id(node) -> expanded size; -1 while on the current path
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        nid = id(node)
        kids = _nodes_below(node)
        if not done:
            if nid in size:
                if size[nid] == -1:
                    raise _fail(error, path, "an alias refers to a node that contains it (a recursive structure)",
                                node.start_mark)
                continue
            size[nid] = -1
            stack.append((node, True))
            stack.extend((k, False) for k in reversed(kids))
            continue
        total = 1 + sum(size[id(k)] for k in kids)
        if total > MAX_YAML_NODES:
            raise _fail(error, path, f"more than {MAX_YAML_NODES:,} YAML nodes once aliases are expanded "
                        "(forecast.limits.MAX_YAML_NODES)", node.start_mark)
        size[nid] = total


def _nodes_below(node: yaml.Node) -> list:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def read_yaml(path: str | Path, *, error: type[ForecastError] = ForecastError) -> tuple[Any, Lines]:
    """Read one YAML file safely; raise ``error`` (one line, naming the file and line).

    Returns the data (plain dicts, lists, strings, numbers, booleans, None and dates) and
    its :class:`Lines` index.  An empty file gives ``(None, Lines())``.
    """
    path = Path(path)
    text = _decode(_read_bytes(path, error), path, error)
    aliases = _scan(text, path, error)
    loader = LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, Lines()
        if aliases:
            _expanded_size(node, path, error)
        data, table, merges = _build(node, loader, path, error)
        if merges:  # YAML merge keys: let the loader's own (safe) constructor apply them
            data = loader.construct_document(node)
    except yaml.YAMLError as e:
        raise _yaml_error(e, path, error, text) from None
    finally:
        loader.dispose()
    return data, Lines(table)
