"""The ``forecast`` command: thin click commands that parse, call the library and render.

Layer: the top; uses everything below, and nothing imports it.  Importing it loads only
click: each command imports what it needs when it runs.
"""

from . import areas, assumptions, chart, indicator, population, report, run, schema, table  # noqa: F401  (register the commands)
from .main import main, run_main

__all__ = ["main", "run_main"]
