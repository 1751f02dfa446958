"""The ``forecast`` command group: one-line errors, exit status 2, warnings shown once.

Every bad input ends in one line on stderr (``forecast: error: FILE: line N: FIELD:
message``), exit status 2, and no output file (outputs are written atomically, and SIGTERM
ends the command as Ctrl-C does, removing any temporary file).  This module imports only
click: each command imports the library when it runs, so ``forecast --help`` and
``forecast --version`` start at once.
"""

from __future__ import annotations

import signal
import sys
import warnings
from typing import Sequence

import click

from .._version import __version__
from ..errors import ForecastError, ForecastWarning

__all__ = ["main", "run_main", "fail", "CONTEXT", "EXIT_BAD_INPUT"]

EXIT_BAD_INPUT = 2

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def fail(message: str) -> None:
    click.echo(f"forecast: error: {message}", err=True)
    sys.exit(EXIT_BAD_INPUT)


_warned: set[str] = set()


_pending: list[str] = []


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Library warnings (e.g. the all-age ethnic shares caveat): one plain line, once, shown
    when the command succeeds (a failing command writes its one error line only)."""
    text = " ".join(str(message).split())
    if text not in _warned:
        _warned.add(text)
        _pending.append(text)


def _flush_warnings() -> None:
    for text in _pending:
        click.echo(f"forecast: warning: {text}", err=True)
    _pending.clear()


class Group(click.Group):
    """Turns library errors into one line and exit status 2."""

    def invoke(self, ctx):
        _warned.clear()
        _pending.clear()
        warnings.showwarning = _show_warning
        warnings.filterwarnings("always", category=ForecastWarning)  # our caveats are output, not noise
        try:
            out = super().invoke(ctx)
            _flush_warnings()
            return out
        except ForecastError as e:
            fail(str(e))
        except BrokenPipeError:  # the reader went away (| head): stop quietly
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except MemoryError:
            fail("out of memory: ask for fewer areas, years, draws or dimensions (see forecast.limits)")
        except OSError as e:
            name = getattr(e, "filename", "") or ""
            fail(f"{ForecastError(e.strerror or str(e), file=name or None)}")


@click.group(cls=Group, context_settings=CONTEXT, epilog="""\b
Examples:
  forecast table examples/llr_table1.yaml
  forecast run --areas Leicester --measures cfas_ii_2013 --years 2030
  forecast indicator examples/leicester_indicators.yaml
  forecast assumptions list
  forecast areas leic
Run 'forecast COMMAND --help' for each command's options and examples.""")
@click.version_option(__version__, prog_name="forecast")
def main() -> None:
    """Project demand for health and social care: people with dementia, depression or
    common mental disorders, from ONS population projections and cited prevalence rates."""


def _terminate(signum, frame):  # SIGTERM: unwind like Ctrl-C, so temporary files are removed
    raise KeyboardInterrupt


def _written_before() -> str:
    """" after writing …" when the command had moved outputs into place before it was stopped."""
    files = sys.modules.get("forecast.files")
    done = files.written() if files is not None else []
    if not done:
        return ""
    from ..errors import few

    return f" after writing {few(done, 4)} (complete: each output is moved into place whole)"


def run_main(argv: Sequence[str] | None = None) -> None:
    """Console entry point: click's usage errors become one line and exit status 2 too."""
    signal.signal(signal.SIGTERM, _terminate)
    try:
        code = main.main(args=argv, prog_name="forecast", standalone_mode=False)
    except click.UsageError as e:
        if type(e).__name__ == "NoArgsIsHelpError" and e.ctx is not None:  # bare `forecast`: its help, not an error
            click.echo(e.ctx.get_help())
            sys.exit(0)
        hint = f" (see 'forecast {e.ctx.command_path.split(' ', 1)[1] + ' ' if e.ctx and ' ' in e.ctx.command_path else ''}--help')"
        click.echo(f"forecast: error: {e.format_message()}{hint}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except (click.Abort, KeyboardInterrupt):
        click.echo("forecast: stopped" + _written_before(), err=True)
        sys.exit(130)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    sys.exit(code if isinstance(code, int) else 0)


