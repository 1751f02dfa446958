"""Field types shared by the file kinds: text, ids, numbers, years, age bands, choices.

Each is an ``Annotated`` type: strict pydantic core type + a check with a plain-words
message + the JSON Schema of what the file may hold.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Callable, Union

from pydantic import AfterValidator, BeforeValidator, Discriminator, Field, PlainSerializer, PlainValidator, Tag, WithJsonSchema

from ..ages import parse_band, parse_bands
from ..errors import ForecastError, SpecError
from ..limits import MAX_YEAR, MIN_YEAR
from ..periods import check_year, financial_year_label, parse_financial_year
from .base import StrictModel, describe, problem, short

__all__ = [
    "Text", "TextList", "Ident", "Name", "Finite", "NonNegative", "Positive", "RoundTo", "Level", "Year", "Period",
    "Band", "Bands", "RateBands", "Files", "Pair", "Source", "choice", "parse_period",
]

_ID = re.compile(r"^[a-z][a-z0-9_]*$")


def _checked(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``fn`` with forecast's own errors (from :mod:`.periods`, :mod:`forecast.ages`) as problems."""

    def run(value: Any) -> Any:
        try:
            return fn(value)
        except ForecastError as e:
            raise problem(e.message) from None

    return run


def _text(value: str) -> str:
    if not value.strip():
        raise problem("must not be empty")
    return value


def _ident(value: str) -> str:
    if not _ID.match(value):
        raise problem(f"{short(value)} must be lower-case letters, digits and _ (starting with a letter)")
    return value


def _name(value: str) -> str:
    if not value.isidentifier():
        raise problem(f"{short(value)} must be a name of letters, digits and _ (not starting with a digit)")
    return value


#: Text that is not blank.
Text = Annotated[str, AfterValidator(_text), WithJsonSchema({"type": "string", "minLength": 1, "pattern": r"\S"})]
#: A non-empty list of such text.
TextList = Annotated[list[Text], Field(min_length=1)]
#: An id: lower-case letters, digits and _, starting with a letter (``cfas_ii_2013``).
Ident = Annotated[str, AfterValidator(_ident), WithJsonSchema({"type": "string", "pattern": _ID.pattern})]
#: A measure's name in a result: a Python identifier (``young_carers``).
Name = Annotated[str, AfterValidator(_name), WithJsonSchema({"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_]*$"})]

#: A number that is not inf or nan (an int is accepted; true/false are not).
Finite = Annotated[float, Field(allow_inf_nan=False)]
NonNegative = Annotated[float, Field(allow_inf_nan=False, ge=0)]
Positive = Annotated[float, Field(allow_inf_nan=False, gt=0)]
#: ``round_to``: a positive step, at most a million (rounding to more would show every count as 0).
RoundTo = Annotated[float, Field(allow_inf_nan=False, gt=0, le=1_000_000)]


def _level(value: float) -> float:
    if not 0 < value < 1:
        raise problem(f"level {value:g} must be between 0 and 1 (e.g. 0.95)")
    return value


#: An interval's level, strictly between 0 and 1.
Level = Annotated[float, Field(allow_inf_nan=False), AfterValidator(_level),
                  WithJsonSchema({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1})]


def _year(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise problem(f"must be a year such as 2025, not {describe(value)}")
    return check_year(value)


def parse_period(value: Any) -> int | str:
    """A mid-year (``2025`` or ``"2025"`` → 2025) or a financial year (→ ``"2025/26"``)."""
    if isinstance(value, str) and "/" in value:
        return financial_year_label(parse_financial_year(value))
    if isinstance(value, str) and not (value.strip().isdigit() and len(value.strip()) == 4):
        raise SpecError(f"{short(value)} is not a year (2025) or a financial year (2025/26)")
    return check_year(value)


#: A mid-year as a whole number (``2025``).
Year = Annotated[int, PlainValidator(_checked(_year)),
                 WithJsonSchema({"type": "integer", "minimum": MIN_YEAR, "maximum": MAX_YEAR})]

_PERIOD_SCHEMA = {"anyOf": [
    {"type": "integer", "minimum": MIN_YEAR, "maximum": MAX_YEAR},
    {"type": "string", "pattern": r"^\s*\d{4}(/\d{2})?\s*$"},
]}


def _period(value: Any, *at: Any) -> int | str:
    """:func:`parse_period` of an int or text (anything else: a problem about ``at``)."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise problem(f"must be a year (2025) or a financial year (2025/26), not {describe(value)}", *at)
    return parse_period(value)


#: A mid-year (int; ``"2025"`` becomes 2025) or a financial year (``"2025/26"``).
Period = Annotated[int | str, PlainValidator(_checked(_period)), WithJsonSchema(_PERIOD_SCHEMA)]


def _band(value: Any):
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise problem(f"must be an age band such as '65-69' or '90+', not {describe(value)}")
    return parse_band(value)


_BAND_SCHEMA = {"anyOf": [{"type": "string", "minLength": 1}, {"type": "integer", "minimum": 0}]}
#: One age band (``"65-69"``, ``"90+"``, ``"All ages"``, ``45``) → an ``AgeBand``
#: (:func:`forecast.ages.parse_band`); written back as its label.
Band = Annotated[Any, PlainValidator(_checked(_band)), WithJsonSchema(_BAND_SCHEMA),
                 PlainSerializer(lambda band: band.label, return_type=str)]


def _bands(value: Any, *, contiguous: bool):
    if isinstance(value, str):
        value = [part for part in value.split(",") if part.strip()]
    if not isinstance(value, list) or not value:
        raise problem("must be a non-empty list of age bands such as '65-69' or '90+'"
                      + (f", not {describe(value)}" if not isinstance(value, list) else ""))
    parsed = []
    for i, label in enumerate(value):
        try:
            parsed.append(_band(label))
        except ForecastError as e:
            raise problem(e.message, i) from None
    try:
        bands = parse_bands(parsed, contiguous=contiguous)
    except ForecastError as e:
        raise problem(e.message) from None
    if contiguous and list(bands) != sorted(bands):
        raise problem("bands must be in increasing order of age")
    return bands


_BANDS_SCHEMA = {"type": "array", "minItems": 1, "items": _BAND_SCHEMA}
_labels = PlainSerializer(lambda bands: [b.label for b in bands], return_type=list[str])
#: A rate set's bands: no overlaps, no gaps, in increasing order (→ ``AgeBand`` objects).
RateBands = Annotated[tuple, PlainValidator(lambda v: _bands(v, contiguous=True)), WithJsonSchema(_BANDS_SCHEMA), _labels]
#: Output bands: a list or one comma-separated text; no overlaps (→ ``AgeBand`` objects).
Bands = Annotated[tuple, PlainValidator(lambda v: _bands(v, contiguous=False)),
                  WithJsonSchema({"anyOf": [_BANDS_SCHEMA, {"type": "string", "minLength": 1}]}), _labels]

def _pair(value: Any) -> Any:
    if not isinstance(value, list) or len(value) != 2:
        raise problem(f"must be a [low, high] pair of numbers, not {describe(value)}")
    return value


#: A [low, high] pair of numbers.
Pair = Annotated[list[Finite], BeforeValidator(_pair), Field(min_length=2, max_length=2)]


def choice(message: str, **options: Any) -> Any:
    """A union picked by the input's shape, one error (``message``) if none fits.

    ``options`` map a tag to ``(type, test)``; the first ``test(value)`` that is true
    picks the type.  (Pydantic would otherwise report one error per member.)
    """
    tests = [(f"<{tag}>", test) for tag, (_, test) in options.items()]
    models = [(f"<{tag}>", t) for tag, (t, _) in options.items() if isinstance(t, type) and issubclass(t, StrictModel)]

    def pick(value: Any) -> str | None:  # a model instance when serialising, else the input
        if isinstance(value, StrictModel):
            return next((tag for tag, t in models if isinstance(value, t)), None)
        return next((tag for tag, test in tests if test(value)), None)

    members = tuple(Annotated[t, Tag(f"<{tag}>")] for tag, (t, _) in options.items())
    return Annotated[Union[members], Discriminator(pick, custom_error_type="forecast_choice",
                                                  custom_error_message=message)]


def is_text(v: Any) -> bool:
    return isinstance(v, str)


def is_list(v: Any) -> bool:
    return isinstance(v, list)


def is_mapping(v: Any) -> bool:
    return isinstance(v, dict)


def is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


#: One file name, or a list of them (paths stay text: the spec's reader resolves them).
Files = choice("must be a file name or a list of file names",
               one=(Text, is_text), many=(TextList, is_list))


class Source(StrictModel):
    """Where the figures come from: ``citation`` (required) and optional details."""

    citation: Text
    url: str = ""
    doi: str = ""
    read_from: str = ""
    table: str = ""
    notes: str = ""
    licence: str = ""
