"""Areas of a cube: find them by code or name, select them, and areas made of other areas.

A *group* is an area made by summing member areas — a county from its districts, a region
from its counties (:func:`add_groups`).  Memberships are recorded in
``attrs["area_groups"]`` so that a table never totals an area and one of its own members
(:func:`check_disjoint`): the total would count people twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import pandas as pd
import xarray as xr

from ..errors import ForecastError, InputError, SpecError, few, one_line

__all__ = [
    "AreaGroup", "resolve_areas", "select_areas", "find_areas", "load_groups", "area_groups", "leaves",
    "check_disjoint", "add_groups",
]


def resolve_areas(pop: xr.DataArray | xr.Dataset, keys: Iterable[str] | str) -> list[str]:
    """Turn area codes or names (any case) into the cube's GSS codes, in the order given.

    Raises :class:`SpecError` naming the key that matched nothing (with near
    matches), or that matched more than one area.
    """
    if isinstance(keys, str):
        keys = [keys]
    codes = [str(c) for c in pop["area"].values]
    names = [str(n) for n in pop["area_name"].values]
    by_code = {c.upper(): c for c in codes}
    by_name: dict[str, list[str]] = {}
    for c, n in zip(codes, names):
        by_name.setdefault(n.casefold(), []).append(c)
    out = []
    for i, key in enumerate(keys):
        k = str(key).strip()
        if k.upper() in by_code:
            out.append(by_code[k.upper()])
            continue
        hits = by_name.get(k.casefold())
        if hits and len(hits) == 1:
            out.append(hits[0])
            continue
        if hits:
            raise SpecError(f"area name {k!r} matches several areas: {', '.join(hits)}; use the code")
        raise SpecError(_unknown_area(pop, k, by_name, codes, names))
    if len(set(out)) != len(out):
        dup = [c for c in out if out.count(c) > 1][0]
        raise SpecError(f"area {dup} is asked for twice")
    return out


def _unknown_area(pop, key: str, by_name: dict, codes: list[str], names: list[str]) -> str:
    """Why ``key`` is not an area of ``pop``, and what to do: near matches in the population,
    the districts a known county or region lacks, or how to get a population that has it."""
    from ..geography import geography

    area = geography().get(key)
    if area is not None:
        lacking = json.loads(pop.attrs.get("incomplete_areas") or "{}").get(area.code)
        if lacking:
            return (f"{area.code} {area.name} ({area.type}) needs its districts {few(lacking)}, which the "
                    "population lacks")
        have = f"it covers {len(codes)} areas" + (f", {names[0]} … {names[-1]}" if codes else "")
        return (f"{area.code} {area.name} ({area.type}) is not in this population ({have}): for any English area, "
                "download the national projection (forecast population download snpp2022) and use "
                "--population snpp2022 (in a spec: population: snpp2022)")
    near = get_close_matches(key.casefold(), list(by_name), n=3, cutoff=0.6)
    near += [n for n in by_name if key.casefold() in n and n not in near][:3]
    hint = ""
    if near:
        hint = " (did you mean " + ", ".join(f"{by_name[n][0]} {names[codes.index(by_name[n][0])]}" for n in near) + "?)"
    else:  # a near name elsewhere in England
        england = {a.name.casefold(): a for a in geography().areas.values()}
        far = get_close_matches(key.casefold(), list(england), n=3, cutoff=0.75)
        if far:
            hint = (" (did you mean " + ", ".join(f"{england[n].code} {england[n].name}" for n in far)
                    + "? not in this population: download the national projection, forecast population download "
                    "snpp2022, and use --population snpp2022)")
    if key in ("all-districts", "all-upper-tier", "all-regions") or key.startswith("region:"):
        return f"{key!r} selects areas from a whole population: use it alone (--areas {key}, or areas: {key} in a spec)"
    return f"unknown area {key!r}: not a code or name in the population or in England's geography{hint}"


def select_areas(pop: xr.DataArray, areas: Iterable[str] | str | None) -> xr.DataArray:
    """Select areas by code or name, in the order given (``None``: all)."""
    if areas is None:
        return pop
    return pop.sel(area=resolve_areas(pop, areas))


def find_areas(pop: xr.DataArray | xr.Dataset, text: str = "") -> pd.DataFrame:
    """Areas whose code or name contains ``text`` (case-insensitive), as a DataFrame."""
    df = pd.DataFrame(
        {"area_code": [str(c) for c in pop["area"].values], "area_name": [str(n) for n in pop["area_name"].values]}
    )
    t = text.strip().casefold()
    if t:
        mask = df["area_code"].str.casefold().str.contains(t, regex=False) | df[
            "area_name"
        ].str.casefold().str.contains(t, regex=False)
        df = df[mask]
    groups = area_groups(pop)
    df["members"] = [", ".join(groups.get(c, [])) for c in df["area_code"]]
    return df.reset_index(drop=True)


@dataclass(frozen=True)
class AreaGroup:
    """A named area made by summing member areas (e.g. a county from its districts)."""

    code: str
    name: str
    members: tuple[str, ...]
    source: str = ""
    #: Where the group is written (a groups file, its line and field, each member's line),
    #: so that errors found when it is added to a population point there.
    file: str | None = field(default=None, compare=False)
    line: int | None = field(default=None, compare=False)
    where: str | None = field(default=None, compare=False)
    member_lines: tuple[int | None, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if not self.members:
            raise SpecError(f"area group {self.code} has no members")
        if len(set(self.members)) != len(self.members):
            raise SpecError(f"area group {self.code} lists a member twice")


def load_groups(path: str | Path) -> list[AreaGroup]:
    """Read an area-groups YAML file (``forecast.area-groups/1``)::

        schema: forecast.area-groups/1
        groups:
          - code: LLR
            name: Leicester, Leicestershire and Rutland
            members: [E10000018, E06000016, E06000017]
            source: "the three councils of the LLR strategy"

    Counties, regions and England need no file: they come from the shipped geography.
    """
    from ..schemas import validate
    from ..schemas.yamlio import read_yaml

    data, lines = read_yaml(path, error=SpecError)
    m = validate(data, "area-groups", file=path, lines=lines)
    return [AreaGroup(g.code, g.name, tuple(g.members), g.source, file=str(path), line=lines.get("groups", i, "code"),
                      where=f"groups[{i}]", member_lines=tuple(lines.get("groups", i, "members", j)
                                                              for j in range(len(g.members))))
            for i, g in enumerate(m.groups)]


def area_groups(obj: xr.DataArray | xr.Dataset) -> dict[str, list[str]]:
    """The group memberships recorded in ``attrs['area_groups']`` (code → member codes)."""
    raw = obj.attrs.get("area_groups")
    return json.loads(raw) if raw else {}


def leaves(code: str, groups: Mapping[str, Sequence[str]], seen: tuple = ()) -> list[str]:
    """The member areas of ``code`` at the lowest level (itself if it is not a group)."""
    if code not in groups or code in seen:
        return [code]
    out: list[str] = []
    for m in groups[code]:
        out.extend(leaves(m, groups, seen + (code,)))
    return out


def check_disjoint(obj: xr.DataArray | xr.Dataset, codes: Sequence[str]) -> None:
    """Refuse areas that overlap (a group and one of its members, at any depth):
    their total would double-count."""
    groups = area_groups(obj)
    names = dict(zip(map(str, obj["area"].values), map(str, obj["area_name"].values)))

    covered: dict[str, str] = {}
    for c in codes:
        for leaf in set(leaves(c, groups)):
            if leaf in covered:
                a, b = covered[leaf], c
                raise SpecError(
                    f"cannot total areas that overlap: {a} {names.get(a, '')} and {b} {names.get(b, '')} "
                    f"both include {leaf} {names.get(leaf, '')} (drop one, or set totals to false)"
                )
            covered[leaf] = c


def _at(g: AreaGroup, part: str, line: int | None) -> dict:
    """The location of part of a group read from a file (none for one built in code)."""
    if g.file is None:
        return {}
    return {"file": g.file, "line": line if line is not None else g.line, "field": f"{g.where}.{part}"}


def add_groups(pop: xr.DataArray, groups: Iterable[AreaGroup]) -> xr.DataArray:
    """Append group areas, each the sum of its members, to the cube.

    The memberships are recorded in ``attrs['area_groups']`` (tables name them in their
    notes, for the areas shown, and refuse to total a group with one of its own members).
    A group whose code is already an area of the cube is an error.
    """
    groups = list(groups)
    if not groups:
        return pop
    codes = set(str(c) for c in pop["area"].values)
    new = []
    recorded = area_groups(pop)
    for g in groups:
        name = one_line(g.name)
        if g.code in codes:
            raise SpecError(f"area group {g.code} ({name}) is already an area of the population",
                            **_at(g, "code", g.line))
        missing = [j for j, m in enumerate(g.members) if m not in codes]
        if missing:
            j = missing[0]
            raise SpecError(f"area group {g.code} ({name}): member(s) {few(g.members[k] for k in missing)} not in "
                            "the population", **_at(g, f"members[{j}]", (g.member_lines or [None] * (j + 1))[j]))
        summed = pop.sel(area=list(g.members)).sum("area")
        new.append(summed.expand_dims(area=[g.code]).assign_coords(area_name=("area", [g.name])))
        recorded[g.code] = list(g.members)
    out = xr.concat([pop, *new], dim="area", coords="minimal", compat="override", join="exact")
    out = out.transpose(*pop.dims)
    out.name = pop.name
    out.attrs = dict(pop.attrs)
    out.attrs["area_groups"] = json.dumps(recorded)
    return out
