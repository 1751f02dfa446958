"""Periods: mid-years, financial years, months and strategy ends, as labels (pure Python).

* A **mid-year** ``2025`` is 30 June 2025, the date of ONS estimates and projections.
* A **financial year** ``"2025/26"`` runs April 2025 - March 2026; its value is derived,
  never typed in: ``0.75 × mid-2025 + 0.25 × mid-2026``, the value at its midpoint
  (1 October 2025) under linear interpolation between mid-years.
* A **month** ``"2024-03"`` is valued at its midpoint between the mid-years either side.
* A **strategy end** ``"March 2030"`` is the last financial year of a strategy (2029/30).

Every year is checked against :data:`forecast.limits.MIN_YEAR` and
:data:`~forecast.limits.MAX_YEAR` before a range is built, so ``2025-999999999`` is refused
at once.
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping

from .errors import SpecError, brief
from .limits import MAX_YEAR, MIN_YEAR

__all__ = [
    "check_year", "parse_financial_year", "financial_year_label", "strategy_end", "strategy_end_year",
    "expand_periods", "period_weights", "mid_years", "period_time", "is_financial", "year_span",
]


def check_year(year, *, what: str = "year") -> int:
    """``year`` as an int, if it is a whole number within the limits."""
    if isinstance(year, bool) or not isinstance(year, int):
        text = str(year).strip()
        if not (text.isdigit() and len(text) <= 6):
            raise SpecError(f"{what} {brief(year)} is not a year such as 2030")
        year = int(text)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise SpecError(f"{what} {year} is outside {MIN_YEAR}-{MAX_YEAR} (forecast.limits)")
    return year


_FY = re.compile(r"^(\d{4})/(\d{2})$")


def parse_financial_year(label) -> int:
    """``"2025/26"`` → 2025.  The label must be ``YYYY/YY`` with consecutive years."""
    text = str(label).strip()
    m = _FY.match(text)
    if not m:
        raise SpecError(f"{brief(label)} is not a financial year of the form YYYY/YY (e.g. 2025/26)")
    start = check_year(int(m[1]), what="financial year")
    if (start + 1) % 100 != int(m[2]):
        raise SpecError(f"financial year {label!r}: the two years are not consecutive (expected {start}/{(start + 1) % 100:02d})")
    return start


def financial_year_label(start: int) -> str:
    return f"{start}/{(start + 1) % 100:02d}"


def is_financial(p) -> bool:
    return isinstance(p, str) and "/" in p


_MONTHS = {m: i + 1 for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]
)}
_MONTH_YEAR = re.compile(r"^(?:\d{1,2}\s+)?([a-z]+)\s+(\d{4})$")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def strategy_end(text) -> str:
    """The last financial year of a strategy that runs "to March 2030" → ``"2029/30"``.

    Accepts ``"March 2030"``, ``"31 March 2030"``, ``"2030-03"``, or a financial year
    label itself.  A month of April or later ends in the financial year it opens.
    """
    t = " ".join(str(text).strip().lower().split())
    if "/" in t:
        return financial_year_label(parse_financial_year(t))
    m = _MONTH_YEAR.match(t)
    if m and m[1] in _MONTHS:
        month, year = _MONTHS[m[1]], int(m[2])
    else:
        m = _YEAR_MONTH.match(t)
        if not m or not 1 <= int(m[2]) <= 12:
            raise SpecError(f"cannot read the strategy end {text!r} (use e.g. 'March 2030' or '2029/30')")
        year, month = int(m[1]), int(m[2])
    year = check_year(year, what="strategy end")
    return financial_year_label(year if month >= 4 else year - 1)


def strategy_end_year(text) -> int:
    """The last mid-year a run must reach: ``2050`` → 2050; ``"March 2050"`` (FY 2049/50,
    which needs mid-2049 and mid-2050) → 2050."""
    t = str(text).strip()
    if t.isdigit():
        return check_year(int(t))
    return parse_financial_year(strategy_end(t)) + 1


_RANGE = re.compile(r"\s+to\s+|(?<=\d)-(?=\d{4})")


def expand_periods(value) -> list:
    """Years for a table: a list, a range ``"2025-2040"`` / ``"2022/23-2029/30"``, or
    ``{from: 2022/23, to: "March 2030"}`` (the end may be a strategy end month).

    Mid-years come back as ints, financial years as labels.  An end before the start is
    an error; both ends are checked against the year limits before the range is built.
    """
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return [check_year(value)]
    if isinstance(value, Mapping):
        if set(value) != {"from", "to"}:
            raise SpecError("a range of years needs 'from' and 'to'")
        start, end = str(value["from"]).strip(), str(value["to"]).strip()
    elif isinstance(value, str) and _RANGE.search(value.strip()):
        start, end = _RANGE.split(value.strip(), maxsplit=1)
    elif isinstance(value, str):
        return [value]
    else:
        raise SpecError(f"cannot read years {value!r}")
    if "/" in start:
        s0 = parse_financial_year(start)
        e_label = strategy_end(end) if not end.isdigit() else financial_year_label(check_year(end) - 1)
        e0 = parse_financial_year(e_label)
        if e0 < s0:
            raise SpecError(f"the end {end} (financial year {e_label}) is before the start {start}")
        return [financial_year_label(y) for y in range(s0, e0 + 1)]
    if not (start.isdigit() and end.isdigit()):
        raise SpecError(f"cannot read the range {start!r} to {end!r} (use years such as 2025 or financial years such as 2025/26)")
    s, e = check_year(start), check_year(end)
    if e < s:
        raise SpecError(f"the end {end} is before the start {start}")
    return list(range(s, e + 1))


def period_weights(label) -> dict[int, float]:
    """Mid-years and weights that give a period's value by linear interpolation.

    * a year ``"2024"`` (or 2024): mid-2024 itself;
    * a financial year ``"2024/25"``: 0.75 × mid-2024 + 0.25 × mid-2025 (1 October 2024);
    * a month ``"2024-03"``: its midpoint (2024 + 2.5/12) between the mid-years either side,
      here 3.5/12 × mid-2023 + 8.5/12 × mid-2024.
    Anything else is an error.
    """
    text = str(label).strip()
    if text.isdigit() and len(text) == 4:
        return {check_year(int(text)): 1.0}
    if "/" in text:
        y = parse_financial_year(text)
        return {y: 0.75, y + 1: 0.25}
    m = _YEAR_MONTH.match(text)
    if m and 1 <= int(m[2]) <= 12:
        year, month = check_year(int(m[1])), int(m[2])  # the month's midpoint is (month - 0.5) / 12 into the year
        if month <= 6:
            return {year - 1: (6.5 - month) / 12, year: (month + 5.5) / 12}
        return {year: (18.5 - month) / 12, year + 1: (month - 6.5) / 12}
    raise SpecError(f"period {label!r} is not a year (2024), a financial year (2024/25) or a month (2024-03)")


def mid_years(periods: Iterable) -> list[int]:
    """The mid-years the periods' values need (a financial year needs both of its own), in
    order: ``[2025, "2030/31"]`` → ``[2025, 2030, 2031]``."""
    return sorted({y for p in periods for y in period_weights(p)})


def period_time(label) -> float:
    """A period's midpoint in years (mid-2024 = 2024.5), for ordering and paths."""
    return sum(w * (y + 0.5) for y, w in period_weights(label).items())


def year_span(years: Iterable[int]) -> str:
    """``[2011, 2018, 2022, 2023, …, 2047]`` → ``"2011, 2018, 2022-2047"``."""
    ys = sorted(set(int(y) for y in years))
    if not ys:
        return "none"
    runs, start, prev = [], ys[0], ys[0]
    for y in ys[1:] + [None]:
        if y is not None and y == prev + 1:
            prev = y
            continue
        runs.append(str(start) if start == prev else f"{start}-{prev}")
        if y is not None:
            start = prev = y
    return ", ".join(runs)
