"""Writing a chart: :func:`save` (PNG or SVG by suffix, atomically) and :func:`to_bytes`,
both without a date in the file, so the same chart gives the same bytes.

Moved from ``forecast/output/plot.py`` (its ``FORMATS``, ``save`` and ``to_bytes``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ...errors import SpecError
from ...files import atomic_path

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

#: File formats :func:`save` writes, by suffix.
FORMATS: tuple[str, ...] = ("png", "svg")


def save(fig: "Figure", path: str | os.PathLike) -> Path:
    """Write a chart as PNG or SVG, chosen by the file's suffix, atomically.

    The figure is written to a temporary file beside ``path`` and renamed into place only
    when complete, so a failure never leaves a partial chart.  SVG keeps its text as text
    (searchable, ``svg.fonttype = "none"``) and carries no date, so the same chart gives the
    same file; PNG is written at 150 dpi.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A chart from this module (or any matplotlib figure).
    path : str or path-like
        Ends in ``.png`` or ``.svg`` (any case).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    forecast.errors.SpecError
        The suffix is not one of :data:`FORMATS`.
    forecast.errors.ForecastError
        The folder does not exist, or the path is a folder (:func:`forecast.files.atomic_path`).
    """
    dest = Path(path)
    fmt = dest.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        what = f"{dest.suffix!r}" if dest.suffix else "a file without a suffix"
        raise SpecError(f"cannot save a chart as {what}: use one of " + ", ".join(f".{f}" for f in FORMATS),
                        file=dest)
    data = to_bytes(fig, fmt)
    with atomic_path(dest) as tmp:
        tmp.write_bytes(data)
    return dest


def to_bytes(fig: "Figure", fmt: str = "png", *, dpi: int = 150) -> bytes:
    """A chart as PNG or SVG bytes (as :func:`save` writes them): SVG keeps its text as text
    and carries no date; PNG at ``dpi`` carries no date either, so the same chart gives the
    same bytes."""
    import io

    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise SpecError(f"cannot draw a chart as {fmt!r}: use one of {', '.join(FORMATS)}")
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    buf = io.BytesIO()
    if fmt == "svg":
        with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "forecast"}):
            fig.savefig(buf, format="svg", metadata={"Date": None})
    else:
        fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
