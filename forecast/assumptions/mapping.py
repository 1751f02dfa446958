"""Ethnic-group mappings: detailed groups → broad groups (``forecast.ethnic-mapping/1``).

Census 2021 has 19 detailed groups; published relative risks (Pham et al. 2018) use 5 broad
ones.  A mapping file says which detailed groups make up each broad group, with a source
(the Census classification)::

    schema: forecast.ethnic-mapping/1
    id: census2021_to_broad5
    groups:
      White: [English, Welsh, …]
      South Asian: [Indian, Pakistani, Bangladeshi]
    source: {citation: "ONS, Ethnic group classification 2021"}
"""

from __future__ import annotations

from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Mapping, Sequence

from ..errors import InputError
from ..schemas import load
from .registry import LOADERS, registry
from .relative_risks import Source

__all__ = ["EthnicMapping", "load_mapping"]


@dataclass(frozen=True)
class EthnicMapping:
    """Detailed ethnic groups → broad groups (schema ``forecast.ethnic-mapping/1``)."""

    KIND = "ethnic-mapping"

    id: str
    label: str
    groups: Mapping[str, tuple[str, ...]]  # broad -> detailed
    source: Source
    path: Path | None = None

    def target_of(self, detailed: Sequence[str], *, file: str = "") -> dict[str, str]:
        inverse = {d: b for b, ds in self.groups.items() for d in ds}
        out = {}
        for g in detailed:
            if g in inverse:
                out[g] = inverse[g]
            elif g in self.groups:  # already a broad group
                out[g] = g
            else:
                raise InputError(
                    f"ethnic group {g!r} has no entry in mapping '{self.id}'" + (f" ({self.path})" if self.path else "")
                    + f"; its groups are: {', '.join(self.groups)}",
                    file=file or None, field="ethnic_group",
                )
        return out


def load_mapping(key: "EthnicMapping | str | PathLike") -> EthnicMapping:
    """An ethnic-group mapping by id (built-in ``assumptions/ethnicity/``), path, or object."""
    return registry.load(key, EthnicMapping, _read_mapping)


def _read_mapping(path: Path) -> EthnicMapping:
    m = load(path, "ethnic-mapping")
    return EthnicMapping(id=m.id, label=m.label or m.id, groups={b: tuple(d) for b, d in m.groups.items()},
                         source=Source.from_model(m.source), path=Path(path))


LOADERS["ethnic-mapping"] = load_mapping
