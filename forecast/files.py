"""Files: the shipped data folders, safe reading with limits, atomic writing, sha256.

**Reading.**  :func:`read_bytes` reads a data file the user named only if it is a regular
file no larger than :data:`forecast.limits.MAX_INPUT_BYTES` — a FIFO, a device or a folder
is refused before it is opened, so forecast never hangs reading one.  Compressed inputs
(:func:`zip_members`, :func:`gunzip`) are read in chunks and stopped at
:data:`forecast.limits.MAX_DECOMPRESSED_BYTES`, whatever their headers claim.

**Writing.**  :func:`atomic_path` writes to a temporary ``.NAME.*.part`` file beside the
destination and renames it into place only when the writer has finished, so an error found
late never leaves a partial output.  The result gets the mode a new file would get under
the user's umask (or keeps the mode of the file it replaces), not ``mkstemp``'s 0600.  The
command-line tool turns SIGTERM into a normal exit, so the temporary file is removed then as
on Ctrl-C.

**Shipped data.**  In an installed wheel the repository's top-level ``assumptions/`` and
``population/`` folders live in ``forecast/_data/``; in a source checkout they are beside
the package (:func:`data_dir`).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import stat
import tempfile
import zipfile
from contextlib import ExitStack, contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from .errors import ForecastError, InputError
from .limits import MAX_DECOMPRESSED_BYTES, MAX_INPUT_BYTES

__all__ = [
    "data_dir", "sha256_file", "sha256_bytes", "check_regular_file", "read_bytes", "read_data", "zip_members", "gunzip",
    "size_text", "check_output_folder", "atomic_path", "atomic_paths", "written", "write_text",
]

_PACKAGE_DIR = Path(__file__).resolve().parent


# ---------------------------------------------------------------------------- shipped data

def data_dir(name: str) -> Path:
    """Folder of shipped data: ``"assumptions"`` or ``"population"``."""
    for candidate in (_PACKAGE_DIR / "_data" / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"the shipped '{name}' folder is missing from this installation of forecast "
        f"(looked in {_PACKAGE_DIR / '_data' / name} and {_PACKAGE_DIR.parent / name})"
    )


@lru_cache(maxsize=256)
def _sha256_cached(path: str, mtime_ns: int, size: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def sha256_file(path: str | Path) -> str:
    """sha256 of a file's bytes (cached on path, size and modification time)."""
    p = Path(path)
    st = p.stat()
    return _sha256_cached(str(p.resolve()), st.st_mtime_ns, st.st_size)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------------------- reading

def _describe_mode(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def size_text(n: int) -> str:
    """``52428800`` → ``"50.0 MiB"``."""
    for unit, k in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= k:
            return f"{n / k:.1f} {unit}"
    return f"{n} bytes"


def _too_big(limit: int, what: str, limit_name: str) -> str:
    return f"larger than the {size_text(limit)} a {what} may be (forecast.limits.{limit_name})"


def check_regular_file(path: str | Path, *, limit: int = MAX_INPUT_BYTES, error: type[ForecastError] = InputError,
                       what: str = "data file", limit_name: str = "MAX_INPUT_BYTES") -> int:
    """The size of ``path`` if it is a regular file within ``limit`` bytes; else one-line ``error``.

    Uses ``stat`` only: a folder, FIFO or device is refused without being opened.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise error("file not found", file=path) from None
    except PermissionError:
        raise error("permission denied", file=path) from None
    except OSError as e:
        raise error(f"cannot read: {e.strerror or e}", file=path) from None
    if not stat.S_ISREG(st.st_mode):
        raise error(f"is {_describe_mode(st.st_mode)}, not a {what}", file=path)
    if st.st_size > limit:
        raise error(f"is {size_text(st.st_size)}, {_too_big(limit, what, limit_name)}", file=path)
    return st.st_size


def read_bytes(path: str | Path, *, limit: int = MAX_INPUT_BYTES, error: type[ForecastError] = InputError,
               what: str = "data file", limit_name: str = "MAX_INPUT_BYTES") -> bytes:
    """A regular file's bytes (see :func:`check_regular_file`), opened without blocking and
    checked again on the open file (it may have been replaced since ``stat``)."""
    check_regular_file(path, limit=limit, error=error, what=what, limit_name=limit_name)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as e:
        raise error(f"cannot read: {e.strerror or e}", file=path) from None
    with os.fdopen(fd, "rb") as f:
        mode = os.fstat(f.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise error(f"is {_describe_mode(mode)}, not a {what}", file=path)
        try:
            data = f.read(limit + 1)
        except OSError as e:
            raise error(f"cannot read: {e.strerror or e}", file=path) from None
    if len(data) > limit:  # the file grew since stat
        raise error(f"is {_too_big(limit, what, limit_name)}", file=path)
    return data


def read_data(path: str | Path) -> bytes:
    """A data file's bytes, decompressed if its name ends in ``.gz`` (within the limits)."""
    data = read_bytes(path)
    return gunzip(data, name=str(path)) if str(path).lower().endswith(".gz") else data


_CHUNK = 8 << 20


def _read_capped(fh, name: str, budget: int) -> bytes:
    """Read a decompressing stream in chunks, stopping as soon as it passes ``budget``."""
    chunks, total = [], 0
    while chunk := fh.read(min(_CHUNK, budget - total + 1)):
        total += len(chunk)
        if total > budget:
            chunks.clear()
            raise InputError(
                f"decompresses to more than {MAX_DECOMPRESSED_BYTES:,} bytes (forecast.limits): refused", file=name
            )
        chunks.append(chunk)
    return b"".join(chunks)


def zip_members(path: str | Path, suffix: str = ".csv") -> list[tuple[str, bytes]]:
    """``(path:member, bytes)`` for the members of a zip ending in ``suffix``, within the
    decompressed-size limit (counted as read, not as the zip claims)."""
    p = Path(path)
    check_regular_file(p)
    out, budget = [], MAX_DECOMPRESSED_BYTES
    try:
        with zipfile.ZipFile(p) as z:
            names = [n for n in z.namelist() if n.lower().endswith(suffix) and not n.startswith("__MACOSX")]
            if not names:
                raise InputError(f"zip holds no {suffix} files", file=p)
            for n in sorted(names):
                with z.open(n) as fh:
                    data = _read_capped(fh, f"{p}:{n}", budget)
                budget -= len(data)
                out.append((f"{p}:{n}", data))
    except zipfile.BadZipFile:
        raise InputError("not a valid zip file", file=p) from None
    return out


def gunzip(data: bytes, *, name: str) -> bytes:
    """Decompress gzip bytes within the decompressed-size limit."""
    import io

    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
            return _read_capped(fh, name, MAX_DECOMPRESSED_BYTES)
    except (OSError, EOFError) as e:
        raise InputError(f"not a valid gzip file ({e})", file=name) from None


# ---------------------------------------------------------------------------- writing

def _mode_for(dest: Path) -> int:
    try:
        return stat.S_IMODE(dest.stat().st_mode)  # keep the mode of the file replaced
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def check_output_folder(path: str | os.PathLike) -> Path:
    """The folder an output file goes in, refused (one line) if it does not exist."""
    dest = Path(path)
    folder = dest.parent if str(dest.parent) else Path(".")
    if not folder.is_dir():
        if folder.exists():
            raise ForecastError("is a file, not a folder: an output cannot go inside it", file=folder)
        raise ForecastError("output folder does not exist", file=folder)
    return folder


#: Outputs moved into place by this process, in order (a command stopped after writing some
#: says which: see :func:`written`).
_WRITTEN: list[Path] = []


def written() -> list[Path]:
    """The outputs this process has moved into place so far."""
    return list(_WRITTEN)


@contextmanager
def atomic_path(path: str | os.PathLike, *, internal: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it into place on success (see
    :func:`atomic_paths`)."""
    with atomic_paths(path, internal=internal) as (tmp,):
        yield tmp


@contextmanager
def atomic_paths(*paths: str | os.PathLike, internal: bool = False) -> Iterator[list[Path]]:
    """Yield a temporary path beside each of ``paths``; move them all into place on success.

    Each temporary file lives in its own hidden folder (``.NAME.xxxx.part/NAME``), removed
    whole on failure or interruption: a writer that reopens its file by name after the
    error (xarray's file manager does, when it is garbage-collected) then finds no folder
    and cannot leave a file behind.  SIGINT and SIGTERM are held while a folder is made
    (released inside the block that removes it, so an interruption cannot fall between) and
    while the files are moved into place, so that outputs written together (a CSV and its
    sidecar) are replaced together or not at all.  Outputs are listed by :func:`written`,
    unless ``internal`` (the cache, a download's staging file).
    """
    with ExitStack() as stack:
        staged = [stack.enter_context(_staged(p)) for p in paths]
        yield [tmp for _, tmp in staged]
        held = _hold_signals()
        try:
            for dest, tmp in staged:
                os.chmod(tmp, _mode_for(dest))
                os.replace(tmp, dest)
                if not internal:
                    _WRITTEN.append(dest)
        finally:
            _release_signals(held)  # a signal that came meanwhile is raised here, all files in place


@contextmanager
def _staged(path: str | os.PathLike) -> Iterator[tuple[Path, Path]]:
    """``(destination, temporary path)`` in a hidden folder beside it, removed on the way out."""
    dest = Path(path)
    folder = check_output_folder(dest)
    if dest.is_dir():
        raise ForecastError("is a folder: give a file name for the output", file=dest)
    held = _hold_signals()
    try:
        box = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".part", dir=folder))
    except BaseException:
        _release_signals(held)
        raise
    try:
        _release_signals(held)  # a signal that came meanwhile is raised here, inside the cleanup
        yield dest, box / dest.name
    finally:
        shutil.rmtree(box, ignore_errors=True)


def _hold_signals():
    """Hold SIGINT and SIGTERM: their Python handlers are swapped for one that notes the
    signal, to be handled when released (:func:`_release_signals`).  Python runs signal
    handlers in the main thread whichever thread the signal reaches, so this holds them in a
    process with BLAS or worker threads too (a thread's signal mask would not).  Only in the
    main thread (elsewhere ``None``: nothing held)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None
    came: list = []
    old = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    for s in old:
        signal.signal(s, lambda signum, frame: came.append((signum, frame)))
    return old, came


def _release_signals(held) -> None:
    """Put the handlers back, then handle the first signal that came while held."""
    if held is None:
        return
    import signal

    old, came = held
    for s, handler in old.items():
        signal.signal(s, handler if handler is not None else signal.SIG_DFL)
    if not came:
        return
    signum, frame = came[0]
    handler = old[signum]
    if callable(handler):
        handler(signum, frame)  # Python's default for SIGINT raises KeyboardInterrupt; forecast's SIGTERM too
    elif handler != signal.SIG_IGN:
        os.kill(os.getpid(), signum)  # the default action, now that it is restored


def write_text(path: str | os.PathLike, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
