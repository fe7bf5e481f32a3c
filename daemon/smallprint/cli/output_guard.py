"""`--out` never replaces a file the same command reads (`analyze X.md --out X.md` would lose the policy), and a
`--out` that cannot be written is refused before the work, not after a long analysis."""
from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import Iterable

from . import CliError
from .inputs import printable_name


def is_stream(out: str | Path) -> bool:
    """Whether `out` names something written into rather than replaced: a device (/dev/null, a terminal), a FIFO,
    or /dev/stdout through its link. Replacing one by a regular file, as a report file is replaced, would leave the
    reader of the FIFO waiting and, for a user allowed to write /dev, put a file where /dev/null was."""
    try:
        mode = os.stat(out).st_mode
    except (OSError, ValueError):
        return False
    return (not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)) or is_stdout(out)


def is_stdout(out: str | Path) -> bool:
    """Whether `out` is this process's standard output: /dev/stdout (or /dev/fd/1) wherever it goes, or the file the
    shell sent it to. Sent to a regular file (`> log`, `>> log`), /dev/stdout is a link to that file, and writing
    through the link replaced the file: with `>>` what it held before was lost. It is written as `--out -` is."""
    try:
        return os.path.samestat(os.stat(out), os.fstat(sys.stdout.fileno()))
    except (OSError, ValueError, AttributeError):  # no such file, or no descriptor (captured output)
        return False


def refuse_a_read_only_file(target: str | Path) -> None:
    """Raise when `target` is an existing regular file (through a link, the file linked to) that is read-only:
    one this user may not write, or one no one may (no write bit at all, as `chmod 444` leaves it). A report is
    replaced by renaming a new file over it, which only the folder's permission governs, so a report made
    read-only was replaced all the same; `cp` and the shell's `>` refuse such a file, and so does `--out`. Root
    may write any file, so for root only the second counts: a file no one may write was made so on purpose."""
    try:
        mode = os.stat(target).st_mode
    except (OSError, ValueError):
        return  # no such file yet (or a name the system refuses, which writing reports)
    if stat.S_ISREG(mode) and (not mode & 0o222 or not os.access(target, os.W_OK)):
        raise CliError(f"cannot write {printable_name(str(target))}: it is read-only (make it writable, or choose "
                       "another --out)")


def refuse_unwritable_out(out: str | None, *, streams: bool = True) -> None:
    """Raise before any work when `out` is a folder, a read-only file (refuse_a_read_only_file), or lies in a folder
    that does not exist or cannot be written:
    a two-file diff or a long policy's full reading can take many seconds, and the reader should not wait for it
    only to be told the path was wrong. (A disk that fills meanwhile is still reported when writing.) A device or
    FIFO (is_stream) is written into, so it must be writable itself; where `streams` is false (a command that writes
    more files beside `out`) it is refused."""
    if not out:
        return
    if out == "-":  # standard output, which a command writing files beside `out` has no place beside
        if not streams:  # (`corpus report --out -` wrote a page named "-" and "--timeline.csv" beside it)
            raise CliError("cannot write -: standard output is not a regular file (give --out a file name)")
        return
    target = Path(out)
    shown = printable_name(out)  # a name that is not UTF-8 as \xNN, as every other message shows it
    if target.is_dir():
        raise CliError(f"cannot write {shown}: it is a folder (give --out a file name)")
    if is_stream(target):
        if not streams:
            raise CliError(f"cannot write {shown}: it is not a regular file (give --out a file name)")
        if not os.access(target, os.W_OK):
            raise CliError(f"cannot write {shown}: no permission to write it")
        return
    refuse_a_read_only_file(target)
    if target.is_symlink():  # a link to a report is written through (write_atomically): its folder is the one used
        target = Path(os.path.realpath(target))
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise CliError(f"cannot write {shown}: the folder {printable_name(str(folder))} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise CliError(f"cannot write {shown}: no permission to write in {printable_name(str(folder))}")


def refuse_overwriting_inputs(out: str | None, inputs: Iterable[str], *, streams: bool = True) -> None:
    """Raise before any work when `out` cannot be written (refuse_unwritable_out) or names one of `inputs` (also
    through a link or another spelling); an input is said first, the surer mistake (a read-only input too)."""
    if out and out != "-" and Path(out).exists():  # an input must exist to be read, so a new file is never one
        _refuse_an_input(out, inputs)
    refuse_unwritable_out(out, streams=streams)


def _refuse_an_input(out: str, inputs: Iterable[str]) -> None:
    target = Path(out)
    for name in inputs:
        if name == "-":
            continue
        try:
            same = os.path.samefile(name, target)
        except OSError:
            continue  # the input is missing: reading it reports that
        if same:
            raise CliError(f"--out {printable_name(out)} is the input file {printable_name(name)}; writing there would overwrite it "
                           "(choose another --out)", code=2)
