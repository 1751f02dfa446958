"""England's administrative geography: district → county or unitary → region → England.

Districts (2023 boundaries) are the atoms: every other area is the sum of its districts.
The shipped lookup, ``population/geography/lad23_lookup.csv``, is ONS's
"Local Authority District to County and Unitary Authority (April 2023) Lookup in England"
with regions and country added (see ``population/SOURCES.md``): 296 districts, 153 upper-tier
authorities (21 counties and 132 unitary authorities, metropolitan and London boroughs), 9
regions and England.

GSS code prefixes name an area's type (ONS, "Code history database"): E06 unitary authority,
E07 non-metropolitan district, E08 metropolitan borough, E09 London borough, E10 county, E12
region, E92 country.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

from ..files import data_dir

__all__ = ["Area", "Geography", "geography", "AREA_TYPES", "ENGLAND"]

ENGLAND = "E92000001"

AREA_TYPES = {
    "E06": "unitary authority", "E07": "non-metropolitan district", "E08": "metropolitan borough",
    "E09": "London borough", "E10": "county", "E12": "region", "E92": "country",
}


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    type: str
    county: str | None  # the upper-tier authority (itself for a unitary); None above that
    region: str | None
    country: str | None
    districts: tuple[str, ...]  # the districts it is made of (itself for a district)

    @property
    def is_district(self) -> bool:
        return self.districts == (self.code,)


class Geography:
    """The lookup, indexed by code and by name (case-insensitive)."""

    def __init__(self, rows: list[dict[str, str]]) -> None:
        self.areas: dict[str, Area] = {}
        members: dict[str, list[str]] = {}
        names: dict[str, str] = {}
        for r in rows:
            d, c, g, e = r["LAD23CD"], r["CTYUA23CD"], r["RGN23CD"], r["CTRY23CD"]
            names.update({d: r["LAD23NM"], c: r["CTYUA23NM"], g: r["RGN23NM"], e: r["CTRY23NM"]})
            self.areas[d] = Area(d, r["LAD23NM"], AREA_TYPES.get(d[:3], "district"), c, g, e, (d,))
            for parent in {c, g, e} - {d}:
                members.setdefault(parent, []).append(d)
        region_of = {a.county: a.region for a in self.areas.values()}
        for code, ds in members.items():
            prefix = code[:3]
            county = code if prefix == "E10" else None
            region = region_of.get(code) if prefix == "E10" else (code if prefix == "E12" else None)
            country = ENGLAND if prefix in ("E10", "E12") else code
            self.areas[code] = Area(code, names[code], AREA_TYPES.get(prefix, "area"), county, region, country, tuple(ds))
        self._by_name = {}
        for a in self.areas.values():
            self._by_name.setdefault(a.name.casefold(), []).append(a.code)

    def get(self, key: str) -> Area | None:
        """An area by code or exact name (any case); None if unknown or ambiguous."""
        k = str(key).strip()
        if k.upper() in self.areas:
            return self.areas[k.upper()]
        hits = self._by_name.get(k.casefold(), [])
        return self.areas[hits[0]] if len(hits) == 1 else None

    def find(self, text: str = "") -> list[Area]:
        """Areas whose code or name contains ``text`` (case-insensitive), districts first by type."""
        t = text.strip().casefold()
        found = [a for a in self.areas.values() if not t or t in a.code.casefold() or t in a.name.casefold()]
        order = {"country": 0, "region": 1, "county": 2}
        return sorted(found, key=lambda a: (order.get(a.type, 3), a.code))

    def upper_tier(self) -> list[str]:
        """Codes of the 153 upper-tier authorities (counties and unitaries)."""
        return sorted({a.county for a in self.areas.values() if a.is_district})

    def regions(self) -> list[str]:
        return sorted({a.region for a in self.areas.values() if a.is_district})

    def districts(self) -> list[str]:
        return sorted(a.code for a in self.areas.values() if a.is_district)


@lru_cache(maxsize=1)
def geography() -> Geography:
    """The shipped lookup (2023 boundaries), read once."""
    path = data_dir("population") / "geography" / "lad23_lookup.csv"
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return Geography(list(csv.DictReader(fh)))
