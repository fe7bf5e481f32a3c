"""`--out` never replaces a file the same command reads: `analyze X.md --out X.md` would lose the policy."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from . import CliError


def refuse_overwriting_inputs(out: str | None, inputs: Iterable[str]) -> None:
    """Raise before any work when `out` names one of `inputs` (also through a link or another spelling)."""
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
