"""Parts shared by the table and indicator specs: population sources, areas, years,
uncertainty, measures, charts, scenario and variant choices.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, PlainValidator, WithJsonSchema, model_validator

from ..errors import ForecastError
from ..limits import MAX_DRAWS, MAX_YEAR, MIN_YEAR
from ..periods import check_year, expand_periods, strategy_end
from .base import StrictModel, describe, problem
from .fields import (Band, Files, Level, Name, Period, Text, TextList, Year, _period, choice, is_list, is_mapping, is_text,
                     parse_period)

__all__ = [
    "Population", "Areas", "Years", "Uncertainty", "Measure", "RateSetMeasure", "DerivedMeasureRef",
    "ChartSpec", "EthnicitySpec", "Notes", "Choices", "ExtendTo",
]

_DATASET = re.compile(r"^[a-z][a-z0-9_]*$")
_POPULATION_WORDS = ("must be default, history, a dataset name (e.g. snpp2022), {snpp: files}, {tidy: file} "
                     "or {mye: file}")


def _dataset(value: str) -> str:
    if not _DATASET.match(value):
        raise problem(f"{_POPULATION_WORDS}, not {describe(value)}")
    return value


Dataset = Annotated[str, AfterValidator(_dataset), WithJsonSchema({"type": "string", "pattern": _DATASET.pattern})]


class PopulationFiles(StrictModel):
    """``{snpp: files}``, ``{tidy: file}`` or ``{mye: file}``, optionally ``groups: file(s)``."""

    model_config = {"json_schema_extra": {"oneOf": [{"required": ["snpp"]}, {"required": ["tidy"]}, {"required": ["mye"]}]}}

    snpp: Files | None = None
    tidy: Files | None = None
    mye: Files | None = None
    groups: Files | None = None

    @model_validator(mode="after")
    def _one_source(self) -> "PopulationFiles":
        given = [k for k in ("snpp", "tidy", "mye") if getattr(self, k) is not None]
        if len(given) != 1:
            raise problem("give one of snpp, tidy or mye" + (f" (not {' and '.join(given)})" if given else ""))
        for key in ("tidy", "mye"):
            files = getattr(self, key)
            if isinstance(files, list) and len(files) > 1:
                raise problem(f"{key} reads one file, not {len(files)}", key)
        return self


PopulationSource = choice(_POPULATION_WORDS, name=(Dataset, is_text), files=(PopulationFiles, is_mapping))
#: One population source, or several joined by year (``[history, default]``).
Population = choice(_POPULATION_WORDS + ", or a list of them",
                    one=(PopulationSource, lambda v: isinstance(v, (str, dict))),
                    many=(Annotated[list[PopulationSource], Field(min_length=1)], is_list))

AREA_SELECTORS = ("all-districts", "all-upper-tier", "all-regions")
_AREAS_WORDS = ("must be a list of area codes or names, or one of all-districts, all-upper-tier, all-regions, "
                "region:<code or name>")


def _selector(value: str) -> str:
    if value in AREA_SELECTORS or (value.startswith("region:") and value[7:].strip()):
        return value
    raise problem(f"{_AREAS_WORDS}, not {describe(value)}")


AreaSelector = Annotated[str, AfterValidator(_selector),
                         WithJsonSchema({"anyOf": [{"enum": list(AREA_SELECTORS)}, {"type": "string", "pattern": r"^region:\s*\S"}]})]
#: Areas in row order (codes or names), or one selector (``all-districts``, ``region:East Midlands``).
Areas = choice(_AREAS_WORDS, list=(TextList, is_list), selector=(AreaSelector, is_text))

_YEARS_WORDS = "must be a list of years (2025) or financial years (2025/26), a range '2025-2040', or {from, to}"


def _expand_years(value: Any) -> list[int | str]:
    if isinstance(value, list):
        if not value:
            raise problem(f"{_YEARS_WORDS}, not an empty list")
        out = []
        for i, y in enumerate(value):
            try:
                out.append(_period(y, i))
            except ForecastError as e:
                raise problem(e.message, i) from None
            if out[-1] in out[:-1]:
                raise problem(f"{out[-1]} is listed twice", i)
        return out
    if isinstance(value, dict):
        if set(value) != {"from", "to"}:
            bad = next((k for k in value if k not in ("from", "to")), None)
            raise problem("a range of years needs 'from' and 'to' (and nothing else)", *([bad] if bad is not None else []))
    elif isinstance(value, bool) or not isinstance(value, (int, str)):
        raise problem(f"{_YEARS_WORDS}, not {describe(value)}")
    try:
        return [parse_period(y) for y in expand_periods(value)]
    except ForecastError as e:
        raise problem(e.message) from None


_YEARS_SCHEMA = {"anyOf": [
    {"type": "array", "minItems": 1, "items": {"anyOf": [{"type": "integer", "minimum": MIN_YEAR, "maximum": MAX_YEAR},
                                                          {"type": "string"}]}},
    {"type": "integer", "minimum": MIN_YEAR, "maximum": MAX_YEAR},
    {"type": "string", "minLength": 1},
    {"type": "object", "properties": {"from": {"type": ["integer", "string"]}, "to": {"type": ["integer", "string"]}},
     "required": ["from", "to"], "additionalProperties": False},
]}
#: The years of a table, expanded: mid-years as ints, financial years as ``"YYYY/YY"``.
Years = Annotated[list, PlainValidator(_expand_years), WithJsonSchema(_YEARS_SCHEMA)]


def _extend_to(value: Any) -> int | str:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise problem(f"must be a year (2050) or a strategy end ('March 2050', '2049/50'), not {describe(value)}")
    try:
        if isinstance(value, int) or value.strip().isdigit():
            return check_year(value)
        strategy_end(value)
    except ForecastError as e:
        raise problem(e.message) from None
    return value


#: The year (int) or strategy end (text: ``"March 2050"``) to extend the population to.
ExtendTo = Annotated[int | str, PlainValidator(_extend_to), WithJsonSchema(
    {"anyOf": [{"type": "integer", "minimum": MIN_YEAR, "maximum": MAX_YEAR}, {"type": "string", "minLength": 1}]})]


def _draws(value: int) -> int:
    if not 1 <= value <= MAX_DRAWS:
        raise problem(f"the number of draws must be 1 to {MAX_DRAWS:,} (forecast.limits.MAX_DRAWS), not {value:,}")
    return value


class Uncertainty(StrictModel):
    """``{draws, seed, level}``: draws from the rates' published uncertainty."""

    draws: Annotated[int, AfterValidator(_draws), WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_DRAWS})]
    seed: Annotated[int, Field(ge=0)] = 0
    level: Level = 0.95


class RateSetMeasure(StrictModel):
    """``{rate_set, label, name, relative_risks, ages}``."""

    rate_set: Text
    label: str | None = None
    name: Name | None = None
    relative_risks: Text | None = None
    ages: Band | None = None


class DerivedMeasureRef(StrictModel):
    """``{derived: name, label}``: a measure of the spec's derived-measures file(s)."""

    derived: Text
    label: str | None = None


def _has(key: str, other: str):
    return lambda v: isinstance(v, dict) and key in v and other not in v


#: A rate set's id (or path) as text, ``{rate_set: …}`` or ``{derived: …}``.
Measure = choice("each measure needs 'rate_set' (an id or a YAML path) or 'derived' (a derived measure's name), "
                 "one of them", id=(Text, is_text), rate_set=(RateSetMeasure, _has("rate_set", "derived")),
                 derived=(DerivedMeasureRef, _has("derived", "rate_set")))


class ChartSpec(StrictModel):
    """One chart: ``{kind, measure, area, year, compare_year, by_sex, title}``."""

    kind: Literal["line", "compare", "bands", "pyramid", "ethnicity"]
    measure: Text | None = None
    area: Text | None = None
    year: Period | None = None
    compare_year: Year | None = None
    by_sex: bool | None = None
    title: str | None = None


class EthnicitySpec(StrictModel):
    """``{mix, mapping, mode, compare, rake_to}``: split by ethnic group."""

    mix: Text
    mapping: Text | None = None
    mode: Literal["reference", "standardised"] | None = None
    compare: bool = False
    rake_to: Text | None = None


#: One line of notes, or a list of them.
Notes = choice("must be text or a list of texts", one=(str, is_text), many=(list[str], is_list))
#: Side by side: a list of ids, or ``{column label: id}``.
Choices = choice("must be a list of ids, or {column label: id}",
                 list=(TextList, is_list),
                 labelled=(Annotated[dict[Text, Text], Field(min_length=1)], is_mapping))
