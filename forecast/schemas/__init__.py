"""forecast's one schema layer: every YAML file kind, read safely and validated strictly.

=================  ===============================  ============================  ===============
kind               ``schema:``                      model                         error class
=================  ===============================  ============================  ===============
rate-set           forecast.rate-set/1              :class:`RateSetFile`          AssumptionError
relative-risks     forecast.relative-risks/1        :class:`RelativeRisksFile`    AssumptionError
ethnic-mapping     forecast.ethnic-mapping/1        :class:`EthnicMappingFile`    AssumptionError
scenario           forecast.scenario/1              :class:`ScenarioFile`         AssumptionError
derived-measures   forecast.derived-measures/1      :class:`DerivedMeasuresFile`  AssumptionError
area-groups        forecast.area-groups/1           :class:`AreaGroupsFile`       InputError
table              forecast.table/1                 :class:`TableSpecFile`        SpecError
indicator          forecast.indicator/1             :class:`IndicatorSpecFile`    SpecError
=================  ===============================  ============================  ===============

::

    from forecast import schemas
    rs = schemas.load("my_rates.yaml", "rate-set")       # read_yaml + validate
    rs = schemas.validate({...}, "rate-set")             # a dict built in Python
    schemas.kind_of_file("spec.yaml")                    # "table"
    schemas.json_schema("rate-set")                      # JSON Schema (dict)

Any problem is ONE :class:`~forecast.errors.ForecastError` of the kind's class, in one
line: ``FILE: line N: FIELD: message`` (e.g. ``rates.female: 3 values for 4 bands``).
This package imports only pydantic, PyYAML and forecast's errors, limits, ages and periods
(and forecast's pure-Python ages and periods).
"""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import AssumptionError, ForecastError, InputError, SpecError
from .base import StrictModel, to_error
from .derived import DerivedMeasuresFile
from .ethnic import EthnicMappingFile, RelativeRisksFile
from .groups import AreaGroupsFile
from .rate_set import RateSetFile
from .scenario import ScenarioFile
from .specs import IndicatorSpecFile, TableSpecFile
from .trend import TrendModel
from .yamlio import Lines, field_path, read_yaml

__all__ = [
    "KINDS", "load", "validate", "kind_of", "kind_of_file", "json_schema", "read_yaml", "Lines", "field_path",
    "RateSetFile", "RelativeRisksFile", "EthnicMappingFile", "ScenarioFile", "DerivedMeasuresFile", "AreaGroupsFile",
    "TableSpecFile", "IndicatorSpecFile", "TrendModel", "StrictModel",
]

#: kind name → (schema id, model, error class)
KINDS: dict[str, tuple[str, type[StrictModel], type[ForecastError]]] = {
    "rate-set": ("forecast.rate-set/1", RateSetFile, AssumptionError),
    "relative-risks": ("forecast.relative-risks/1", RelativeRisksFile, AssumptionError),
    "ethnic-mapping": ("forecast.ethnic-mapping/1", EthnicMappingFile, AssumptionError),
    "scenario": ("forecast.scenario/1", ScenarioFile, AssumptionError),
    "derived-measures": ("forecast.derived-measures/1", DerivedMeasuresFile, AssumptionError),
    "area-groups": ("forecast.area-groups/1", AreaGroupsFile, InputError),
    "table": ("forecast.table/1", TableSpecFile, SpecError),
    "indicator": ("forecast.indicator/1", IndicatorSpecFile, SpecError),
}
_BY_SCHEMA = {schema: kind for kind, (schema, _, _) in KINDS.items()}
_SCHEMA_LINE = re.compile(rb"^schema:[ \t]*['\"]?([\w.\-/]+)", re.MULTILINE)


def _kind(kind: str) -> tuple[str, type[StrictModel], type[ForecastError]]:
    try:
        return KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown kind {kind!r} (known: {', '.join(KINDS)})") from None


def validate(data: Any, kind: str, *, file: str | Path | None = None, lines: Lines | None = None) -> StrictModel:
    """Validate ``data`` (as read from YAML, or built in Python) as a file of ``kind``.

    With ``file``, errors name it and an ``id`` must equal its name without ``.yaml``;
    with ``lines`` (from :func:`read_yaml`), errors name the line.  Validation is strict,
    as for YAML: lists must be lists (not tuples), numbers Python ints or floats, text str.
    """
    _, model, error = _kind(kind)
    try:
        return model.model_validate(data, context={"file": file} if file is not None else None)
    except ValidationError as e:
        raise to_error(e, data=data, error=error, file=file, lines=lines) from None


def load(path: str | Path, kind: str | None = None) -> StrictModel:
    """Read and validate one YAML file of ``kind`` (None: the kind its ``schema:`` names)."""
    error = _kind(kind)[2] if kind is not None else ForecastError
    data, lines = read_yaml(path, error=error)
    if kind is None:
        kind = kind_of(data)
        if kind is None:
            raise ForecastError(f"not a forecast file: no known 'schema:' (known: {', '.join(_BY_SCHEMA)})",
                                file=path, field="schema", line=lines.get("schema"))
    return validate(data, kind, file=path, lines=lines)


def kind_of(data: Any) -> str | None:
    """The kind named by a mapping's ``schema:`` (None if it names none we know)."""
    if isinstance(data, dict):
        schema = data.get("schema")
        return _BY_SCHEMA.get(schema) if isinstance(schema, str) else None
    return None


def kind_of_file(path: str | Path) -> str | None:
    """The kind of a YAML file, from its ``schema:`` line (found in the first 8 KiB
    without parsing), else from the parsed file.  None if it names no known kind;
    a file that cannot be read is a :class:`ForecastError`."""
    from .yamlio import _read_bytes  # the same checks: regular file, size

    raw = _read_bytes(Path(path), ForecastError)
    m = _SCHEMA_LINE.search(raw[:8192])
    if m:
        return _BY_SCHEMA.get(m[1].decode("ascii", "replace"))
    data, _ = read_yaml(path)
    return kind_of(data)


def json_schema(kind: str) -> dict:
    """The JSON Schema (2020-12) of a file kind, with ``$id``, title and description."""
    schema_id, model, _ = _kind(kind)
    body = model.model_json_schema(by_alias=True, mode="validation")
    doc = inspect.getdoc(sys.modules[model.__module__]) or ""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:forecast:schema:{kind}:{schema_id.rsplit('/', 1)[1]}",
        "title": f"forecast {kind} file ({schema_id})",
        "description": doc,
        **{k: v for k, v in body.items() if k not in ("title", "description")},
    }
