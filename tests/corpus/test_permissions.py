"""A corpus folder, or a part of it, that this user may not read or write: the run stops at once, before it reads
anything, with one line naming the file or folder and what the system said, and leaves every part, table and
report as it was. Permission is not damage: nothing is set aside (docs/CORPUS.md, "Resuming").

File modes do not bind root (CI containers run as root): there the CLI runs as root without the capabilities that
override them (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), bound by them as the owner of the test's files."""
from __future__ import annotations

from .conftest import need_corpus_extra

need_corpus_extra()  # before the imports below, which need the corpus extra

import ctypes
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import require

from .conftest import analyze_small, assert_same_tables, read_tables, run_corpus, small_corpus, small_sources

# linux/prctl.h and linux/capability.h
PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2


def _without_mode_overrides() -> None:
    """In the child, before it runs the CLI: drop the capabilities that let root ignore file modes from its bounding
    set, so that the program it runs has them neither."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


@pytest.fixture
def modes_bind(tmp_path) -> Iterator[dict]:
    """What run_corpus needs to run the CLI as one whom file modes bind: nothing for a user other than root."""
    options = {}
    if os.geteuid() == 0:
        options = {"preexec_fn": _without_mode_overrides}
        probe = tmp_path / "probe"
        probe.write_text("a file no one may read")
        probe.chmod(0o000)
        try:
            read = subprocess.run([sys.executable, "-c", f"open({str(probe)!r})"], capture_output=True, text=True,
                                  **options)
            bound = read.returncode != 0 and "PermissionError" in read.stderr
        except (OSError, subprocess.SubprocessError):  # no prctl (not Linux), or no right to drop capabilities
            bound = False
        probe.unlink()
        require(bound, "root here cannot give up the capabilities that override file modes")
    yield options
    _allow_all(tmp_path)


def _allow_all(folder: Path) -> None:
    """Undo every chmod of a test: it reads what the run left, and pytest can remove the folder."""
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def _stopped(done, line: str) -> None:
    """The run stopped with `line` alone, before it read or wrote anything."""
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[-1] == f"smallprint: {line}", lines
    assert "Traceback" not in done.stderr and "to read" not in done.stderr, done.stderr


def test_a_part_this_user_may_not_read_stops_the_run_naming_it(tmp_path, modes_bind):
    src, out, before = small_corpus(tmp_path)
    part = sorted((out / "parts").glob("analyses-*.parquet"))[0]
    held = part.read_bytes()
    os.chmod(part, 0o000)
    _stopped(analyze_small(src, out=out, **modes_bind), f"cannot read {part}: Permission denied")
    _allow_all(out)
    assert part.read_bytes() == held and not (out / "parts" / "damaged").exists()
    assert_same_tables(read_tables(out), before)


def test_a_parts_folder_this_user_may_not_list_stops_the_run(tmp_path, modes_bind):
    """Listing the parts once failed silently (no part found): the run read every document again and replaced the
    tables with empty ones, exit 0."""
    src, out, before = small_corpus(tmp_path)
    parts = sorted((out / "parts").iterdir())
    os.chmod(out / "parts", 0o300)  # may write and open a file it names, not list
    _stopped(analyze_small(src, out=out, **modes_bind), f"cannot read {out / 'parts'}: Permission denied")
    _allow_all(out)
    assert sorted((out / "parts").iterdir()) == parts
    assert_same_tables(read_tables(out), before)


@pytest.mark.parametrize("folder", [".", "parts"])
def test_a_corpus_folder_this_user_may_not_write_stops_the_run_before_it_reads(tmp_path, modes_bind, folder):
    """The run once read every new document, then failed at the first part or at the tables."""
    src, out, before = small_corpus(tmp_path)
    (src / "acme" / "2023-01-01_privacy.md").write_text("We collect your email address.\n")
    parts = sorted((out / "parts").iterdir())
    os.chmod(out / folder, 0o555)
    _stopped(analyze_small(src, out=out, **modes_bind),
             f"cannot write in {out if folder == '.' else out / folder}: Permission denied")
    _allow_all(out)
    assert sorted((out / "parts").iterdir()) == parts
    assert_same_tables(read_tables(out), before)


def test_a_damaged_part_that_cannot_be_set_aside_stays_where_it_is(tmp_path, modes_bind):
    src, out, before = small_corpus(tmp_path)
    part = sorted((out / "parts").glob("analyses-*.parquet"))[0]
    part.write_bytes(part.read_bytes()[:100])
    damaged = out / "parts" / "damaged"
    damaged.mkdir()
    os.chmod(damaged, 0o555)
    _stopped(analyze_small(src, out=out, **modes_bind),
             f"cannot move the damaged {part} into {damaged}: Permission denied; it stays where it is")
    _allow_all(out)
    assert len(part.read_bytes()) == 100 and not list(damaged.iterdir())
    assert_same_tables(read_tables(out), before)


@pytest.mark.parametrize("command", ["analyze", "report"])
def test_a_manifest_this_user_may_not_read_is_not_called_damaged(tmp_path, modes_bind, command):
    """corpus.json was once "damaged" when it could not be read, and analyze said to use another folder."""
    src, out, _ = small_corpus(tmp_path)
    os.chmod(out / "corpus.json", 0o000)
    done = (analyze_small(src, out=out, **modes_bind) if command == "analyze"
            else run_corpus("report", out, **modes_bind))
    _stopped(done, f"cannot read {out / 'corpus.json'}: Permission denied")


def test_a_report_into_a_folder_this_user_may_not_write_leaves_the_last_one(tmp_path, modes_bind):
    _, out, _ = small_corpus(tmp_path)
    assert run_corpus("report", out).returncode == 0
    last = {path.name: path.read_bytes() for path in out.glob("report*")}
    os.chmod(out, 0o555)
    _stopped(run_corpus("report", out, **modes_bind), f"cannot write in {out}: Permission denied")
    _allow_all(out)
    assert {path.name: path.read_bytes() for path in out.glob("report*")} == last and len(last) == 4


@pytest.mark.parametrize("made", ["out", "out/parts"])
def test_a_corpus_folder_that_cannot_be_made_stops_the_run_naming_it(tmp_path, modes_bind, made):
    """--out in a folder this user may not write (a read-only disk, another's folder) once ended the run with Python's
    "[Errno 13] Permission denied: '...'"; and parts/ of a folder made before it was (an older folder) the same way."""
    src = small_sources(tmp_path)
    readonly = tmp_path / "readonly"
    (readonly / "out").mkdir(parents=True)
    if made == "out/parts":
        (readonly / "out" / "corpus.json").write_text('{"format": 1, "depth": "quick"}\n')
        os.chmod(readonly / "out", 0o555)
    else:
        (readonly / "out").rmdir()
    os.chmod(readonly, 0o555)
    # A folder there already is held (its .lock made) before its parts/ is made: that it cannot be written in is
    # what stops the run.
    why = f"cannot make {readonly / made}" if made == "out" else f"cannot write in {readonly / 'out'}"
    _stopped(analyze_small(src, out=readonly / "out", **modes_bind), f"{why}: Permission denied")
    _allow_all(tmp_path)
    assert sorted(path.relative_to(readonly).as_posix() for path in readonly.rglob("*")) == (
        ["out", "out/corpus.json"] if made == "out/parts" else [])
