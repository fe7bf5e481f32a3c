"""`--out` never replaces a file the same command reads (`analyze X.md --out X.md` would lose the policy), and a
`--out` that cannot be written is refused before the work, not after a long analysis."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from . import CliError


def refuse_unwritable_out(out: str | None) -> None:
    """Raise before any work when `out` is a folder or lies in a folder that does not exist or cannot be written:
    a two-file diff or a long policy's full reading can take many seconds, and the reader should not wait for it
    only to be told the path was wrong. (A disk that fills meanwhile is still reported when writing.)"""
    if not out or out == "-":
        return
    target = Path(out)
    if target.is_dir():
        raise CliError(f"cannot write {out}: it is a folder (give --out a file name)")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise CliError(f"cannot write {out}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise CliError(f"cannot write {out}: no permission to write in {folder}")


def refuse_overwriting_inputs(out: str | None, inputs: Iterable[str]) -> None:
    """Raise before any work when `out` cannot be written (refuse_unwritable_out) or names one of `inputs` (also
    through a link or another spelling)."""
    refuse_unwritable_out(out)
    if not out or out == "-":
        return
    target = Path(out)
    if not target.exists():
        return  # an input must exist to be read, so a new file is never one
    for name in inputs:
        if name == "-":
            continue
        try:
            same = os.path.samefile(name, target)
        except OSError:
            continue  # the input is missing: reading it reports that
        if same:
            raise CliError(f"--out {out} is the input file {name}; writing there would overwrite it "
                           "(choose another --out)", code=2)
