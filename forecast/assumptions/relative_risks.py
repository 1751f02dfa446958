"""Ethnic relative risks: rates of one measure by ethnic group, relative to a reference group.

Applied to a population split by ethnicity, in one of two modes (README):

* ``reference`` — the base rates describe the reference group:
  ``rate[g, s, a] = base[s, a] × RR[g, s]``;
* ``standardised`` — the base rates describe the whole study population, whose ethnic mix
  is ``w[g, s]``: ``rate[g, s, a] = base[s, a] × RR[g, s] / Σ_h w[h, s] × RR[h, s]``, so that
  the study population's overall rate is ``base[s, a]``, as published.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from ..files import sha256_file
from ._plain import content_sha256, plain
from .registry import LOADERS, registry

__all__ = ["Source", "RelativeRisks", "load_relative_risks", "get_relative_risks"]


@dataclass(frozen=True)
class Source:
    """Where a rate set's figures come from."""

    citation: str
    url: str = ""
    doi: str = ""
    read_from: str = ""
    table: str = ""
    notes: str = ""
    licence: str = ""

    @classmethod
    def from_model(cls, m) -> "Source":
        return cls(**{k: " ".join(str(getattr(m, k)).split()) for k in cls.__dataclass_fields__})

    def short(self, width: int = 90) -> str:
        c = " ".join(self.citation.split())
        if len(c) <= width:
            return c
        cut = c[: width - 1]
        return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(",;:") + "…"  # at a word's end


@dataclass(frozen=True, eq=False)
class RelativeRisks:
    """Rates of one measure by ethnic group, relative to a reference group, by sex.

    Applied to a population split by ethnicity (:mod:`forecast.ethnicity`), in one of
    two modes (documented in the README):

    * ``reference`` — the base rates describe the reference group:
      ``rate[g, s, a] = base[s, a] × RR[g, s]``.
    * ``standardised`` — the base rates describe the whole study population, whose
      ethnic mix is ``w[g, s]`` (``study_population``):
      ``rate[g, s, a] = base[s, a] × RR[g, s] / Σ_h w[h, s] × RR[h, s]``,
      so that the study population's overall rate ``Σ_g w[g, s] rate[g, s, a]`` is
      ``base[s, a]``, as published.

    Groups without a ratio get 1 (the reference group's rate) and are reported.
    """

    KIND = "relative-risks"

    id: str
    measure: str
    label: str
    reference: str
    mode: str
    ratios: Mapping[str, Mapping[str, float]]  # group -> {"male": rr, "female": rr}, reference included (1.0)
    source: Source
    intervals: Mapping[str, Mapping[str, tuple[float, float]]] | None = None
    interval_level: float = 0.95
    study_population: Mapping[str, Mapping[str, float]] | None = None  # sex -> group -> share (sums to 1)
    study_population_source: str = ""
    derived_from_rates: bool = False
    path: Path | None = None
    sha256: str | None = None

    @property
    def groups(self) -> list[str]:
        return list(self.ratios)

    def __repr__(self) -> str:
        return f"RelativeRisks(id={self.id!r}, measure={self.measure!r}, reference={self.reference!r}, mode={self.mode!r})"

    @classmethod
    def from_dict(cls, data, *, path=None, lines=None) -> "RelativeRisks":
        """Validate a ``forecast.relative-risks/1`` mapping (as read from YAML, or built in
        Python) and build the object."""
        from ..schemas import validate

        m = validate(plain(data), "relative-risks", file=path, lines=lines)
        return cls.from_model(m, id=m.id, measure=m.measure, label=m.label or m.id, path=path,
                              sha256=sha256_file(path) if path else content_sha256(data))

    @classmethod
    def from_model(cls, m, *, id: str, measure: str, label: str, path=None, sha256=None) -> "RelativeRisks":
        """From a validated relative-risks body (:mod:`forecast.schemas.ethnic`)."""
        ratios = m.ratios()
        intervals = None
        if m.intervals is not None:
            intervals = {g: {s: tuple(getattr(p, s)) for s in ("male", "female")} for g, p in m.intervals.groups().items()}
        study = None
        if m.study_population is not None:
            study = {}
            for sex in ("male", "female"):
                w = getattr(m.study_population, sex)
                study[sex] = {g: float(x) / float(sum(w.values())) for g, x in w.items()}
        return cls(id=id, measure=measure, label=label, reference=m.reference, mode=m.mode, ratios=ratios,
                   source=Source.from_model(m.source), intervals=intervals,
                   interval_level=float(m.intervals.level) if m.intervals is not None else 0.95,
                   study_population=study,
                   study_population_source=" ".join(m.study_population.source.split()) if study else "",
                   derived_from_rates=m.rates is not None, path=Path(path) if path else None, sha256=sha256)


def load_relative_risks(path) -> RelativeRisks:
    """Load and validate one ``forecast.relative-risks/1`` file."""
    from ..schemas import load

    path = Path(path)
    m = load(path, "relative-risks")
    return RelativeRisks.from_model(m, id=m.id, measure=m.measure, label=m.label or m.id, path=path,
                                    sha256=sha256_file(path))


def get_relative_risks(key) -> RelativeRisks:
    """Ethnic relative risks by id, by path, or the object itself."""
    if isinstance(key, RelativeRisks):
        return key
    return registry.get(key, "relative-risks")


LOADERS["relative-risks"] = load_relative_risks
