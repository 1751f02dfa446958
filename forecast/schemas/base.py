"""The base of every schema model, and one error from a pydantic ``ValidationError``.

* :class:`StrictModel` — pydantic, strict (no coercion: a list is not text, text is not a
  number, ``true`` is not a number), unknown keys refused, frozen, aliases (``from``).
* :func:`problem` — the error a validator raises: a message, and optionally the path
  below the model it is raised in (``problem("3 values for 4 bands", "female")`` from the
  ``rates`` model names ``rates.female`` and its line).
* :func:`to_error` — the FIRST problem of a ``ValidationError`` (the one nearest the top
  of the file) as one :class:`~forecast.errors.ForecastError` of the file kind's class,
  with ``file``, ``line`` (of the deepest known key) and ``field`` (``rates.male[3]``),
  and the message in plain words::

      my_rates.yaml: line 12: rates.unit: must be one of percent, proportion, per_1000, per_100000, not a list ['proportion']
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ..errors import ForecastError
from .yamlio import Lines, field_path

__all__ = ["StrictModel", "FileModel", "problem", "describe", "to_error", "SCHEMA_LABELS"]

#: Every schema id, with what a file of that kind is called in messages.
SCHEMA_LABELS = {
    "forecast.rate-set/1": "a rate set",
    "forecast.relative-risks/1": "a relative-risks file",
    "forecast.ethnic-mapping/1": "an ethnic-group mapping",
    "forecast.scenario/1": "a scenario",
    "forecast.derived-measures/1": "a derived-measures file",
    "forecast.area-groups/1": "an area-groups file",
    "forecast.table/1": "a report spec",
    "forecast.indicator/1": "an indicator spec",
}

#: Where a file of each kind is used, for a file given to the wrong command.
USED_BY = {
    "forecast.table/1": "'forecast table', 'forecast chart' or 'forecast report'",
    "forecast.indicator/1": "'forecast indicator'",
    "forecast.rate-set/1": "'forecast run --measures FILE' or a spec's rate_set:",
    "forecast.area-groups/1": "--groups or a spec's groups:",
}

#: A little more to say when a key of this name is missing.
MISSING_HINTS = {
    "citation": "every file must cite where its figures come from",
    "source": "give source.citation: where the figures come from",
    "from": "the measure this one is made from",
    "reference": "the group the base rates describe (e.g. White)",
}


def problem(message: str, *at: Any) -> PydanticCustomError:
    """An error for a validator to raise: ``message``, about ``at`` below the current
    model (nothing: the model itself)."""
    return PydanticCustomError("forecast", "{message}", {"message": message, "at": tuple(at)})


def short(value: Any, width: int = 40) -> str:
    """``repr(value)``, cut to ``width`` characters."""
    text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def describe(value: Any) -> str:
    """What a value is, for ``must be …, not …``: ``a list ['a', 'b']``, ``the number 5``."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {short(value)}"
    if isinstance(value, str):
        return f"the text {short(value)}"
    if isinstance(value, list):
        return f"a list {short(value)}" if value else "an empty list"
    if isinstance(value, dict):
        keys = ", ".join(str(k) for k in value)
        return f"a mapping ({keys if len(keys) <= 40 else keys[:39] + '…'})" if value else "an empty mapping"
    if isinstance(value, (_dt.date, _dt.datetime)):
        return f"the date {value} (quote it to make it text)"
    return f"a {type(value).__name__}"


class StrictModel(BaseModel):
    """Strict, frozen, no unknown keys; the input must be a mapping.

    Unknown keys are found here (before the fields), so that the message can list the
    known ones: ``unknown key (known: citation, doi, …)``.
    """

    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, populate_by_name=True, hide_input_in_errors=True,
        defer_build=True,  # each model built when first used: a command pays only for the kinds it reads
    )

    @model_validator(mode="before")
    @classmethod
    def _mapping_and_keys(cls, data: Any) -> Any:
        if isinstance(data, cls):
            return data
        return cls._check_mapping(data)

    @classmethod
    def _known_keys(cls) -> list[str]:
        return [f.alias or name for name, f in cls.model_fields.items()]

    @classmethod
    def _check_mapping(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise problem(f"must be a mapping ({', '.join(cls._known_keys())}), not {describe(data)}")
        if cls.model_config.get("extra") == "forbid":
            known = cls._known_keys()
            allowed = set(known) | set(cls.model_fields)
            for key in data:
                if not isinstance(key, str) or key not in allowed:
                    extra = "" if isinstance(key, str) else f" {short(key)}"
                    raise problem(f"unknown key{extra} (known: {', '.join(sorted(known))})", key)
        return data


class FileModel(StrictModel):
    """A whole file of one kind: its ``schema:`` is checked before anything else."""

    SCHEMA: ClassVar[str] = ""

    @classmethod
    def _check_mapping(cls, data: Any) -> Any:
        label = SCHEMA_LABELS[cls.SCHEMA]
        if not isinstance(data, dict):
            raise problem(f"not {label}: expected a mapping with 'schema: {cls.SCHEMA}', found {describe(data)}")
        if "schema" not in data:
            raise problem(f"not {label}: no 'schema: {cls.SCHEMA}'")
        given = data["schema"]
        if given != cls.SCHEMA:
            if isinstance(given, str) and given in SCHEMA_LABELS:
                use = USED_BY.get(given)
                raise problem(f"this is {SCHEMA_LABELS[given]} ('schema: {given}'), not {label}"
                              + (f": use it with {use}" if use else ""), "schema")
            raise problem(f"unsupported schema {short(given)} (expected {cls.SCHEMA})", "schema")
        return super()._check_mapping(data)


class IdMixin:
    """``id`` must equal the file name without ``.yaml`` when the data came from a file
    (the file is passed in the validation context as ``{"file": path}``)."""

    @field_validator("id", check_fields=False)
    @classmethod
    def _id_is_file_name(cls, value: str, info) -> str:
        file = (info.context or {}).get("file")
        if file is not None and value != Path(file).stem:
            raise problem(f"'{value}' differs from the file name '{Path(file).name}' "
                          "(the id is the file name without .yaml)")
        return value


# ---------------------------------------------------------------------------- errors

def _clean_loc(loc: tuple, data: Any, error_type: str) -> tuple[tuple, bool]:
    """The path of an error in the data: union members' names and ``[key]`` markers
    dropped (pydantic puts them in ``loc``; they are not in the file)."""
    out: list[Any] = []
    cur, present, on_key = data, True, False
    for i, el in enumerate(loc):
        if el == "[key]":
            on_key = True
        elif isinstance(el, str) and el.startswith("<") and el.endswith(">"):
            continue  # a union member's tag (see fields.choice)
        elif not present:
            out.append(el)
        elif isinstance(cur, dict) and el in cur:
            out.append(el)
            cur = cur[el]
        elif isinstance(cur, dict) and i == len(loc) - 1 and error_type == "missing":
            out.append(el)
            present = False
        elif isinstance(cur, list) and isinstance(el, int) and 0 <= el < len(cur):
            out.append(el)
            cur = cur[el]
        # else: the name of a union member, under a mapping, a list or a plain value
    return tuple(out), on_key


def _num(x: Any) -> str:
    return f"{x:g}" if isinstance(x, float) else short(x)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def message(err: dict) -> str:
    """Pydantic's error as a plain-words message."""
    t, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    if t == "forecast":
        return ctx["message"]
    if t == "missing":
        return "missing"
    if t == "extra_forbidden":
        return "unknown key"
    found = describe(value)
    simple = {
        "string_type": "must be text", "int_type": "must be a whole number", "float_type": "must be a number",
        "bool_type": "must be true or false", "list_type": "must be a list", "dict_type": "must be a mapping",
        "model_type": "must be a mapping", "model_attributes_type": "must be a mapping",
        "tuple_type": "must be a list", "int_from_float": "must be a whole number",
    }
    if t in simple:
        return f"{simple[t]}, not {found}"
    if t == "forecast_choice":
        return f"{err['msg']}, not {found}"
    if t == "finite_number":
        return f"must be a finite number, not {short(value)}"
    if t == "literal_error":
        options = [o.strip(" '") for o in str(ctx.get("expected", "")).replace(" or ", ", ").split(", ")]
        what = f"'{options[0]}'" if len(options) == 1 else "one of " + ", ".join(options)
        return f"must be {what}, not {found}"
    if t in ("too_short", "too_long"):
        n, kind = ctx.get("actual_length"), "at least" if t == "too_short" else "at most"
        limit = ctx.get("min_length") if t == "too_short" else ctx.get("max_length")
        return f"needs {kind} {_plural(limit, 'item')}, has {n}"
    if t == "string_too_short":
        return "must not be empty"
    bounds = {"greater_than": ("more than", "gt"), "greater_than_equal": ("at least", "ge"),
              "less_than": ("less than", "lt"), "less_than_equal": ("at most", "le")}
    if t in bounds:
        word, key = bounds[t]
        return f"must be {word} {_num(ctx.get(key))}, not {_num(value)}"
    if t in ("value_error", "assertion_error"):
        return str(ctx.get("error", err["msg"])).removeprefix("Value error, ")
    return err["msg"]


def to_error(
    exc: ValidationError, *, data: Any, error: type[ForecastError] = ForecastError,
    file: Any = None, lines: Lines | None = None,
) -> ForecastError:
    """The first problem of ``exc`` (nearest the top of the file) as one ``error``."""
    lines = lines or Lines()
    best = None
    for n, err in enumerate(exc.errors(include_url=False)):
        loc, on_key = _clean_loc(tuple(err["loc"]), data, err["type"])
        loc += tuple((err.get("ctx") or {}).get("at", ()))
        line = lines.get(*loc) if loc else None
        rank = (line if line is not None else float("inf"), n)
        if best is None or rank < best[0]:
            best = (rank, err, loc, on_key, line)
    _, err, loc, on_key, line = best
    text = message(err)
    if on_key:  # a mapping key of the wrong type: name the mapping, not the key
        text, loc = "the key " + text, loc[:-1]
    if err["type"] == "missing" and loc and loc[-1] in MISSING_HINTS:
        text += f" ({MISSING_HINTS[loc[-1]]})"
    return error(text, file=file, field=field_path(loc) or None, line=line)
