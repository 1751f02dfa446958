"""Ethnic mix: split a population by ethnic group; apply ethnic relative risks.

An :class:`EthnicMix` holds, for each area, the share of each ethnic group — for all
ages, or by age band (and by sex where known).  It is read from a CSV in one of three
forms (:func:`read_ethnic_mix`):

1. all-age shares per area (``area_code, ethnic_group, percent``), e.g. Table 2 of the
   2007 LLR strategy (``examples/llr_ethnic_mix_2007.csv``);
2. shares by age band, and by sex where known (``… age_band, [sex], …``), e.g. Census
   2011 White / Non-White by age band (``census2011_white_by_age_llr``);
3. counts by area × ethnic group (× age band × sex where known), e.g. Census 2021 TS021
   (``census2021_ts021_llr``).

:func:`split_by_ethnicity` multiplies the population cube by the shares, giving a cube
with an ``ethnicity`` dim whose sum over ethnicity equals the original (to floating
point): every age gets its band's shares, shares are held at their census values for
every year, and a group area (Leicestershire) is the sum of its members' splits unless
the mix has a row of its own for it.

Detailed groups map to broad ones with a mapping (:class:`forecast.assumptions.EthnicMapping`,
:meth:`EthnicMix.map_groups`).

Relative risks are applied by :mod:`forecast.model.ethnic`.

A caveat the library states whenever it applies: minority ethnic populations are
younger, so all-age shares overstate them among older people.  Use shares by age band
where they exist.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace
from functools import lru_cache
from os import PathLike
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from ..ages import AgeBand, parse_band, parse_bands
from ..errors import ForecastError, ForecastWarning, InputError, SpecError, few
from ..files import data_dir, gunzip, read_bytes, sha256_bytes
from .areas import area_groups, leaves, resolve_areas
from .cube import DIMS
from .readers._common import line_numbers, parse_sex, read_csv_text, require_columns

__all__ = [
    "EthnicMix",
    "AllAgeSharesWarning",
    "ALL_AGE_WARNING",
    "read_ethnic_mix",
    "get_ethnic_mix",
    "split_by_ethnicity",
    "rake",
    "builtin_mixes",
    "DEFAULT_MIX",
    "warn_all_age_shares",
]

#: How far shares may be from 100% (or 1) before they are an error.  Published tables
#: round each group to 0.1%, so nine groups can miss 100 by up to 0.45.
PERCENT_TOLERANCE = 0.5
SHARE_TOLERANCE = 0.005

_VALUE_COLUMNS = ("percent", "share", "count")
_NIL = {"-", "–", "—", ".."}

ALL_AGE_WARNING = (
    "the ethnic mix has all-age shares only: minority ethnic populations are younger, so "
    "all-age shares overstate them among older people (use shares by age band where they exist)"
)


class AllAgeSharesWarning(ForecastWarning):
    """An all-age ethnic mix was applied to an age-specific measure."""


# ---------------------------------------------------------------------------- mixes

@dataclass(frozen=True, eq=False)
class EthnicMix:
    """Shares of each ethnic group, dims ``(area, [sex], [age_band], ethnicity)``.

    Shares sum to 1 over ``ethnicity`` in every cell.  ``counts`` is kept when the mix
    came from counts (so it can be collapsed to all ages with the right weights).
    """

    shares: xr.DataArray
    form: str
    bands: tuple[AgeBand, ...] | None = None
    counts: xr.DataArray | None = None
    area_names: Mapping[str, str] = field(default_factory=dict)
    source: str = ""
    file: str = ""
    sha256: str = ""
    mapping: str = ""

    @property
    def groups(self) -> list[str]:
        return [str(g) for g in self.shares["ethnicity"].values]

    @property
    def areas(self) -> list[str]:
        return [str(a) for a in self.shares["area"].values]

    @property
    def by_age(self) -> bool:
        return self.bands is not None

    @property
    def by_sex(self) -> bool:
        return "sex" in self.shares.dims

    def __repr__(self) -> str:
        return f"EthnicMix({self.form}, areas={len(self.areas)}, groups={self.groups})"

    def to_frame(self) -> pd.DataFrame:
        """Shares as a tidy table (percent)."""
        df = (self.shares * 100).to_dataframe(name="percent").reset_index()
        return df

    def all_ages(self) -> "EthnicMix":
        """Collapse a by-age mix to all-age shares, weighting bands by their counts.

        Only a mix read from counts can be collapsed (shares by band need the band
        populations as weights).
        """
        if not self.by_age:
            return self
        if self.counts is None:
            raise SpecError("this mix has shares by age band but no counts, so it cannot be collapsed to all ages")
        dims = [d for d in ("age_band", "sex") if d in self.counts.dims]
        counts = self.counts.sum(dims)
        return replace(self, shares=_shares_from_counts(counts, self.file), form="all-age shares (collapsed from counts by age band)",
                       bands=None, counts=counts)

    def map_groups(self, mapping) -> "EthnicMix":
        """Sum detailed groups into broad ones with a mapping
        (:class:`forecast.assumptions.EthnicMapping`: ``groups`` broad → detailed, ``target_of``)."""
        m = mapping
        target = m.target_of(self.groups, file=self.file)
        labels = xr.DataArray([target[g] for g in self.groups], dims="ethnicity", coords={"ethnicity": self.shares["ethnicity"].values})

        def regroup(da):
            out = da.groupby(labels.rename("broad")).sum()
            out = out.rename(broad="ethnicity")
            order = [g for g in m.groups if g in out["ethnicity"].values]
            return out.sel(ethnicity=order).transpose(*[d for d in da.dims])

        return replace(
            self,
            shares=regroup(self.shares),
            counts=regroup(self.counts) if self.counts is not None else None,
            mapping=m.id,
        )

    def shares_by_age(self, ages: Sequence[int], top: int) -> xr.DataArray:
        """Shares on single years of age: dims ``(area, [sex], age, ethnicity)``."""
        if not self.by_age:
            return self.shares
        idx = []
        for a in ages:
            hit = [i for i, b in enumerate(self.bands) if (b.contains(int(a)) if a < top else (b.hi is None and b.lo <= top))]
            if not hit:
                what = f"{a}+" if a == top else str(a)
                raise SpecError(
                    f"the ethnic mix's age bands ({', '.join(b.label for b in self.bands)}) do not cover age {what} "
                    f"of the population{' (the open top group needs an open band such as 85+)' if a == top else ''}",
                    file=self.file or None, field="age_band",
                )
            idx.append(hit[0])
        out = self.shares.isel(age_band=xr.DataArray(idx, dims="age", coords={"age": np.asarray(ages)}))
        return out.drop_vars("age_band")


def _shares_from_counts(counts: xr.DataArray, file: str) -> xr.DataArray:
    total = counts.sum("ethnicity")
    if (total <= 0).any():
        bad = total.where(total <= 0, drop=True)
        where = ", ".join(f"{d} {bad[d].values[0]}" for d in bad.dims)
        raise InputError(f"no people in {where}: shares cannot be formed", file=file or None)
    return counts / total


#: The built-in mix for any English area: Census 2011 DC2101EW, ethnic group by sex by age.
DEFAULT_MIX = "census2011_dc2101ew"
_BUILTIN = {
    "census2011_dc2101ew": "census2011_dc2101ew_lad23.csv.gz",
    "census2021_ts021_llr": "census2021_ts021_llr.csv",
    "census2011_white_by_age_llr": "census2011_white_by_age_llr.csv",
}


def builtin_mixes() -> dict[str, Path]:
    """Built-in mix id → file (``population/ethnicity/``)."""
    folder = data_dir("population") / "ethnicity"
    return {k: folder / v for k, v in _BUILTIN.items()}


@lru_cache(maxsize=8)
def _read_builtin(path: Path) -> "EthnicMix":
    return read_ethnic_mix(path)


def get_ethnic_mix(key: "EthnicMix | str | PathLike") -> EthnicMix:
    """A mix by built-in id (:func:`builtin_mixes`; ``census2011_dc2101ew`` covers every
    English district, region and England by sex and age), by path, or the object."""
    if isinstance(key, EthnicMix):
        return key
    builtin = builtin_mixes()
    if str(key) in builtin:
        return _read_builtin(builtin[str(key)])
    p = Path(key)
    if not p.name.lower().endswith((".csv", ".csv.gz")) and not p.exists():
        raise InputError(f"unknown ethnic mix '{key}' (built-in: {', '.join(builtin)}; or give a CSV file)")
    return read_ethnic_mix(p)


def read_ethnic_mix(path: str | PathLike) -> EthnicMix:
    """Read an ethnic mix CSV (see the module docstring for the three forms).

    Columns: ``area_code``, ``ethnic_group``, one value column — ``percent`` (of the
    area, 0-100), ``share`` (0-1) or ``count`` — and optionally ``area_name``,
    ``age_band`` and ``sex``.  Lines starting with ``#`` before the header are the
    file's source note.  ``-``/``–`` (nil) reads as 0.

    Shares of each area (× band × sex) must sum to 100% within ±0.5 (or 1 within
    ±0.005) and are then rescaled to sum exactly to 1.

    Raises :class:`InputError` naming file, line and field: a missing file or column,
    a value that is not a number, a negative share or count, shares that do not sum to
    100%, a duplicate row, a group missing from one area, overlapping age bands.
    """
    path = Path(path)
    name = str(path)
    raw = read_bytes(path)
    df = read_csv_text(gunzip(raw, name=name) if name.lower().endswith(".gz") else raw, file=name, skip_comments=True)
    # the first two comment lines are the title and the publisher/licence (used in table notes)
    source = " ".join(df.attrs["comments"][:2])
    line_no = line_numbers(df)
    cols = require_columns(df, ["area_code"], file=name)
    lookup = {c.casefold(): c for c in df.columns}
    group_col = lookup.get("ethnic_group") or lookup.get("ethnicity")
    if group_col is None:
        raise InputError("missing column 'ethnic_group'", file=name, field="ethnic_group")
    values = [lookup[v] for v in _VALUE_COLUMNS if v in lookup]
    if len(values) != 1:
        raise InputError(
            "needs exactly one value column: percent (0-100), share (0-1) or count"
            + (f" (found {', '.join(values)})" if values else ""),
            file=name,
        )
    vcol = values[0]
    kind = vcol.casefold()
    band_col, sex_col = lookup.get("age_band"), lookup.get("sex")

    v = df[vcol].astype(str).str.strip()
    v = v.mask(v.isin(_NIL), "0").str.replace(",", "", regex=False)
    num = pd.to_numeric(v, errors="coerce")
    bad = num.isna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(f"{df[vcol].iloc[i]!r} is not a number", file=name, field=vcol, line=int(line_no.iloc[i]))
    if (num < 0).any():
        i = int(np.flatnonzero((num < 0).to_numpy())[0])
        raise InputError(f"negative {kind} {num.iloc[i]:g}", file=name, field=vcol, line=int(line_no.iloc[i]))
    if kind == "share" and (num > 1).any():
        i = int(np.flatnonzero((num > 1).to_numpy())[0])
        raise InputError(f"share {num.iloc[i]:g} is above 1 (use a 'percent' column for 0-100)", file=name, field=vcol, line=int(line_no.iloc[i]))

    tidy = pd.DataFrame({
        "area": df[cols["area_code"]].str.strip(),
        "ethnicity": df[group_col].str.strip(),
        "value": num.to_numpy(dtype=float),
        "line": line_no.to_numpy(),
    })
    empty = (tidy["area"] == "") | (tidy["ethnicity"] == "")
    if empty.any():
        i = int(np.flatnonzero(empty.to_numpy())[0])
        raise InputError("empty area_code or ethnic_group", file=name, line=int(tidy["line"].iloc[i]))
    keys = ["area", "ethnicity"]
    bands = None
    if band_col is not None:
        labels = df[band_col].str.strip()
        try:
            parsed = {lab: parse_band(lab) for lab in labels.unique()}
        except ForecastError as e:
            raise InputError(e.message, file=name, field=band_col) from None
        try:
            bands = tuple(sorted(parse_bands(list(parsed.values()))))
        except ForecastError as e:
            raise InputError(e.message, file=name, field=band_col) from None
        tidy["age_band"] = [parsed[x].label for x in labels]
        keys.insert(1, "age_band")
    if sex_col is not None:
        sex = df[sex_col].map(parse_sex)
        badsex = sex.isna() | (sex == "persons")
        if badsex.any():
            i = int(np.flatnonzero(badsex.to_numpy())[0])
            raise InputError(f"sex {df[sex_col].iloc[i]!r} must be male or female", file=name, field=sex_col, line=int(line_no.iloc[i]))
        tidy["sex"] = sex.to_numpy()
        keys.insert(1, "sex")

    dup = tidy.duplicated(keys, keep=False)
    if dup.any():
        r = tidy[dup].iloc[0]
        raise InputError(f"duplicate row for {', '.join(str(r[k]) for k in keys)}", file=name, line=int(r.line))

    # every cell must list every group
    groups = list(dict.fromkeys(tidy["ethnicity"]))
    cell_keys = [k for k in keys if k != "ethnicity"]
    full = pd.MultiIndex.from_product([list(dict.fromkeys(tidy[k])) for k in cell_keys] + [groups], names=cell_keys + ["ethnicity"])
    present = pd.MultiIndex.from_frame(tidy[cell_keys + ["ethnicity"]])
    missing = full.difference(present)
    if len(missing):
        m = dict(zip(full.names, missing[0]))
        where = ", ".join(f"{k} {m[k]}" for k in cell_keys)
        raise InputError(f"no row for ethnic group {m['ethnicity']!r} in {where} (give 0 if there is none)", file=name)

    arr = tidy.set_index(cell_keys + ["ethnicity"])["value"].reindex(full).to_xarray()
    dims = ["area"] + (["sex"] if sex_col is not None else []) + (["age_band"] if band_col is not None else []) + ["ethnicity"]
    arr = arr.transpose(*dims)
    if band_col is not None:
        arr = arr.sel(age_band=[b.label for b in bands])
    # to_xarray sorts labels: put groups and areas back in the file's order (select, never relabel)
    arr = arr.sel(ethnicity=groups, area=list(dict.fromkeys(tidy["area"])))
    arr = arr.assign_coords(ethnicity=arr["ethnicity"].values.astype(object), area=arr["area"].values.astype(object))

    counts = None
    if kind == "count":
        counts = arr
        shares = _shares_from_counts(arr, name)
        form = ("counts by age band" if bands else "all-age counts") + (" and sex" if sex_col else "")
    else:
        scale = 100.0 if kind == "percent" else 1.0
        tol = PERCENT_TOLERANCE if kind == "percent" else SHARE_TOLERANCE
        total = arr.sum("ethnicity")
        off = abs(total - scale) > tol
        if off.any():
            bad = total.where(off, drop=True)
            first = {d: bad[d].values[0] for d in bad.dims}
            got = float(total.sel(first))
            where = ", ".join(f"{d} {v}" for d, v in first.items())
            unit = "%" if kind == "percent" else ""
            raise InputError(
                f"shares for {where} add up to {got:g}{unit}, not {scale:g}{unit} (tolerance ±{tol:g})",
                file=name, field=vcol,
            )
        shares = arr / total
        form = ("shares by age band" if bands else "all-age shares") + (" and sex" if sex_col else "")

    names = {}
    if "area_name" in lookup:
        names = dict(zip(df[cols["area_code"]].str.strip(), df[lookup["area_name"]].str.strip()))
    return EthnicMix(
        shares=shares.rename("share"), form=form, bands=bands, counts=counts, area_names=names,
        source=source, file=name, sha256=sha256_bytes(raw),
    )


# ---------------------------------------------------------------------------- split

def split_by_ethnicity(
    population: xr.DataArray, mix: "EthnicMix | str | PathLike", *, areas: Sequence[str] | None = None
) -> xr.DataArray:
    """The population cube with an ``ethnicity`` dim: population × the mix's shares.

    Each area with a row in the mix gets its own shares; a group area without one (a
    county) is the sum of its members' splits.  An area of the population (of ``areas``, if
    given: codes or names) with no mix is an error.  The sum over ethnicity equals the original cube (to
    floating point).
    """
    mix = get_ethnic_mix(mix)
    if "ethnicity" in population.dims:
        raise SpecError("the population is already split by ethnicity")
    whole = population
    if areas is not None:
        population = population.sel(area=resolve_areas(population, areas))
    pop_areas = [str(a) for a in population["area"].values]
    groups = area_groups(population)
    own = [a for a in pop_areas if a in mix.areas]
    derived = []
    for a in pop_areas:
        if a in own:
            continue
        leaves_ = leaves(a, groups)
        if a in groups and all(x in mix.areas for x in leaves_):
            derived.append(a)
            continue
        name = str(population.sel(area=a)["area_name"].item())
        raise InputError(f"area {a} {name} of the population has no ethnic mix", file=mix.file or None, field="area_code")

    top = int(population.attrs["open_top_age"])
    shares = mix.shares_by_age(population["age"].values, top)
    parts = []
    if own:
        parts.append((population.sel(area=own) * shares.sel(area=own)).transpose(*DIMS, "ethnicity"))
    for g in derived:
        members = leaves(g, groups)
        full = _full_population(whole, members)
        summed = (full * shares.sel(area=members)).sum("area").transpose(*DIMS[1:], "ethnicity")
        summed = summed.expand_dims(area=[g]).assign_coords(area_name=("area", [str(population.sel(area=g)["area_name"].item())]))
        parts.append(summed)
    out = xr.concat(parts, dim="area", coords="minimal", compat="override") if len(parts) > 1 else parts[0]
    out = out.sel(area=pop_areas).transpose(*DIMS, "ethnicity")
    out = out.assign_coords(area_name=("area", population["area_name"].values), ethnicity=out["ethnicity"].values.astype(object))
    out.name = population.name
    out.attrs = dict(population.attrs)
    out.attrs.update(
        ethnic_mix_form=mix.form,
        ethnic_mix_by_age="yes" if mix.by_age else "no",
        ethnic_mix_file=Path(mix.file).name if mix.file else "",
        ethnic_mix_sha256=mix.sha256,
        ethnic_mix_source=mix.source,
        ethnic_groups=", ".join(mix.groups),
    )
    if mix.mapping:
        out.attrs["ethnic_mapping"] = mix.mapping
    if derived:
        out.attrs["ethnic_mix_derived_areas"] = ", ".join(derived)
    return out


def _full_population(population: xr.DataArray, leaves: Sequence[str]) -> xr.DataArray:
    """The member areas of a group (they may have been left out of an area selection)."""
    have = [str(a) for a in population["area"].values]
    missing = [a for a in leaves if a not in have]
    if missing:
        raise SpecError(f"area(s) {', '.join(missing)} are needed to split a group area but are not in the population")
    return population.sel(area=list(leaves))


# ---------------------------------------------------------------------------- raking

def rake(mix: EthnicMix, target: EthnicMix, population: xr.DataArray, *, year: int | None = None,
         areas: Sequence[str] | None = None, tol: float = 1e-10, max_iter: int = 1000) -> EthnicMix:
    """The mix raked to a later all-age ethnic total by iterative proportional fitting
    (Deming & Stephan 1940), keeping the population's own age × sex totals.

    For each area, the table ``population[sex, age] × share[sex, age, group]`` (in ``year``,
    default the population's first) is scaled alternately so that its group totals are the
    target's all-age shares × the area's population, and its (sex, age) totals are the
    population's.  The raked shares are by single year of age and sex, held constant over
    the years like the census shares.  ``mix`` and ``target`` must have the same groups (map
    both first); an area of ``areas`` (default: the mix's areas in the population) with no
    target row, or a group the target counts but the mix has none of in an area, is an error.
    """
    if sorted(mix.groups) != sorted(target.groups):
        raise SpecError(f"the raking target's groups ({', '.join(target.groups)}) differ from the mix's "
                        f"({', '.join(mix.groups)}): map both to the same groups", file=target.file or None)
    top = int(population.attrs["open_top_age"])
    year = int(population["year"].values[0]) if year is None else int(year)
    groups = area_groups(population)
    asked = resolve_areas(population, areas) if areas is not None else mix.areas
    members = [m for a in asked for m in (leaves(a, groups) if a not in mix.areas else [a])]  # a county: its districts
    wanted = [a for a in dict.fromkeys(members) if a in mix.areas and a in population["area"].values]
    lacking = [a for a in wanted if a not in target.areas]
    if lacking:
        raise SpecError(f"the raking target has no row for area(s) {few(lacking)}", file=target.file or None)
    goal = target.all_ages().shares.sel(area=wanted, ethnicity=mix.groups)
    pop = population.sel(area=wanted, year=year).transpose("area", "sex", "age")
    seed = mix.shares_by_age(population["age"].values, top).sel(area=wanted)
    if "sex" not in seed.dims:
        seed = seed.expand_dims(sex=pop["sex"].values)
    seed = seed.transpose("area", "sex", "age", "ethnicity").sel(ethnicity=mix.groups)
    out = np.empty(seed.shape)
    for i, a in enumerate(wanted):
        out[i] = _ipf(pop.values[i], seed.values[i], goal.values[i], a, mix.groups, tol, max_iter)
    shares = xr.DataArray(out, dims=seed.dims, coords={"area": wanted, "sex": pop["sex"].values,
                                                       "age": np.arange(top + 1), "ethnicity": mix.groups})
    shares = shares.rename(age="age_band").assign_coords(
        age_band=[str(a) if a < top else f"{top}+" for a in range(top + 1)])
    bands = tuple(AgeBand(a, a) for a in range(top)) + (AgeBand(top, None),)
    return replace(mix, shares=shares.rename("share"), bands=bands, counts=None,
                   form=f"{mix.form}, raked to {target.form} ({Path(target.file).name if target.file else 'given'}) "
                        f"by iterative proportional fitting on the {year} population")


def _ipf(pop: np.ndarray, seed: np.ndarray, goal: np.ndarray, area: str, groups, tol: float, max_iter: int) -> np.ndarray:
    """Shares ``[sex, age, group]`` whose table with ``pop[sex, age]`` has group totals
    ``goal × Σ pop`` and row totals ``pop``."""
    table = pop[..., None] * seed
    col_target = goal * pop.sum()
    for g, name in enumerate(groups):
        if col_target[g] > 0 and table[..., g].sum() <= 0:
            raise SpecError(f"area {area}: the target counts people of group {name!r}, but the mix has none in any "
                            "age or sex to scale")
    for _ in range(max_iter):
        cols = table.sum(axis=(0, 1))
        table *= np.divide(col_target, cols, out=np.zeros_like(cols), where=cols > 0)
        rows = table.sum(axis=2)
        table *= np.divide(pop, rows, out=np.ones_like(rows), where=rows > 0)[..., None]
        if np.abs(table.sum(axis=(0, 1)) - col_target).max() <= tol * max(pop.sum(), 1.0):
            break
    else:
        raise SpecError(f"area {area}: raking did not converge in {max_iter} iterations")
    rows = table.sum(axis=2, keepdims=True)
    return np.divide(table, rows, out=seed.copy(), where=rows > 0)


def warn_all_age_shares() -> None:
    warnings.warn(ALL_AGE_WARNING, AllAgeSharesWarning, stacklevel=3)
