"""Python-built dicts as YAML would give them, and a sha256 of their canonical content."""

from __future__ import annotations

import hashlib
import json
from numbers import Integral, Real
from typing import Any

__all__ = ["plain", "content_sha256"]


def plain(data: Any) -> Any:
    """Tuples → lists, numpy numbers → Python numbers (recursively), so that a dict built in
    Python validates as strictly as the same YAML."""
    if isinstance(data, dict):
        return {k: plain(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [plain(v) for v in data]
    if isinstance(data, bool) or data is None or isinstance(data, str):
        return data
    if isinstance(data, Integral):
        return int(data)
    if isinstance(data, Real):
        return float(data)
    if hasattr(data, "tolist"):
        return plain(data.tolist())
    return data


def content_sha256(data: Any) -> str:
    """sha256 of the canonical JSON of ``data`` (sorted keys): the provenance of an
    assumption built in Python, which has no file."""
    text = json.dumps(plain(data), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()
