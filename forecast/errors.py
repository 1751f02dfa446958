"""Error types that carry the file, line and field they are about.

Every error the library raises on bad input is a :class:`ForecastError` (or a
subclass).  Its ``str()`` is one line of the form::

    FILE: line N: FIELD: message

with the parts that are unknown left out, so that the command-line tool can print
it as it is and exit with status 2, and a script can show it to a user.
"""

from __future__ import annotations

from contextlib import contextmanager
from os import PathLike


def one_line(text: str) -> str:
    """``text`` with line breaks and other control characters escaped (``\\n``), so that
    a file or area name that holds a newline cannot split an error over two lines."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def brief(value, n: int = 40) -> str:
    """``repr(value)``, cut to ``n`` characters (``'99999…'``), so that a 5,000-digit value
    does not fill the error line that quotes it."""
    text = str(value)
    if len(text) <= n:
        return repr(text)
    r = repr(text[:n])
    return r[:-1] + "…" + r[-1]


def few(items, n: int = 8) -> str:
    """``a, b, c`` — or the first ``n`` and "and N more", so that a message stays one short line."""
    items = [str(i) for i in items]
    return ", ".join(items) if len(items) <= n else f"{', '.join(items[:n])} and {len(items) - n} more"


class ForecastError(Exception):
    """Base class: a problem with the user's input, described in one line.

    Parameters
    ----------
    message
        What is wrong, in plain words.
    file
        The file the problem is in, if any.
    field
        The field (column, key, ``rates.male[3]``) the problem is in, if any.
    line
        1-based line number in ``file``, if known.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | PathLike | None = None,
        field: str | None = None,
        line: int | None = None,
    ) -> None:
        self.message = " ".join(str(message).split())
        self.file = one_line(str(file)) if file is not None else None
        self.field = one_line(str(field)) if field is not None else None
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:  # one line, always
        parts = []
        if self.file:
            parts.append(self.file)
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.field:
            parts.append(self.field)
        parts.append(self.message)
        return ": ".join(parts)

    def located(
        self,
        *,
        file: str | PathLike | None = None,
        field: str | None = None,
        line: int | None = None,
    ) -> "ForecastError":
        """Return a copy of this error with missing location parts filled in.

        An error that already names its own file (say, a rate-set YAML named by a
        report spec) is kept as it is: its field belongs to that file.  Otherwise
        fields compose: an error about ``rate_set`` raised while reading a spec's
        ``measures[1]`` becomes ``measures[1].rate_set``.
        """
        if self.file is not None:
            return self
        new_field = self.field
        if field:
            new_field = f"{field}.{self.field}" if self.field else field
        return type(self)(
            self.message,
            file=file,
            field=new_field,
            line=self.line if self.line is not None else line,
        )


class InputError(ForecastError):
    """A data file (population, ethnic mix, observed counts) is missing or malformed."""


class AssumptionError(ForecastError):
    """A rate set (assumption YAML or Python object) is malformed."""


class SpecError(ForecastError):
    """A report spec or a request (areas, years, bands) asks for something that is not there."""


@contextmanager
def at(*, file: str | PathLike | None = None, field: str | None = None, line: int | None = None):
    """Context manager: errors raised inside get this location (where they lack one).

    ::

        with at(field="--areas"):
            resolve_areas(pop, areas)
    """
    try:
        yield
    except ForecastError as e:
        raise e.located(file=file, field=field, line=line) from None


@contextmanager
def renamed(names: dict[str, str], *, default: str | None = None):
    """Context manager: errors naming an argument (``quantiles``, ``year``, with no file)
    name the caller's instead (``--quantiles``, ``--year``); errors naming no field get
    ``default``.  ::

        with renamed({"area": "--area", "year": "--year"}):
            profile_spec(area, year=year)
    """
    try:
        yield
    except ForecastError as e:
        if e.file is None and e.field is not None:
            head, dot, rest = e.field.partition(".")
            if head in names:
                raise type(e)(e.message, field=names[head] + dot + rest, line=e.line) from None
        if e.field is None and default is not None:
            raise e.located(field=default) from None
        raise


class ForecastWarning(UserWarning):
    """A caveat about the user's inputs that the CLI always shows (once), e.g. that an
    all-age ethnic mix overstates minority groups among older people."""
