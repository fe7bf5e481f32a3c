"""Defects a demanding user found in the command line and its HTML reports, each through the real command."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SHORT_POLICY = "# Privacy Policy\n\nWe collect your email address.\n\nWe sell your data to advertisers.\n"


def cli_env(home: Path, **extra: str) -> dict[str, str]:
    """An isolated SMALLPRINT_HOME and Python's usual block-buffered standard output (PYTHONUNBUFFERED, which some
    shells and CI runners set, hides what buffering does at exit)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONUNBUFFERED", "NO_COLOR")}
    return {**env, "SMALLPRINT_HOME": str(home), **extra}


def smallprint(env: dict[str, str], *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "smallprint", *args], env=env, input=stdin, capture_output=True,
                          timeout=300)


def smallprint_into_closed_pipe(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """The command with standard output a pipe that nobody reads any more (`... | true`, `... | grep -q x` that has
    already matched)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([sys.executable, "-m", "smallprint", *args], env=env, stdout=write_end,
                              stderr=subprocess.PIPE, timeout=300)
    finally:
        os.close(write_end)


# --- a reader that leaves early ------------------------------------------------------------------------------

@pytest.mark.parametrize("unbuffered", [False, True])
def test_a_short_answer_into_a_closed_pipe_keeps_its_exit_status_and_says_nothing(tmp_path, unbuffered):
    """A short output sat in Python's buffer until exit, where the closed pipe gave exit status 120 and 'Exception
    ignored ... BrokenPipeError' on stderr; `status`'s 3 (not running) became 0 when the pipe broke mid-command."""
    env = cli_env(tmp_path / "sp-home", **({"PYTHONUNBUFFERED": "1"} if unbuffered else {}))
    policy = tmp_path / "policy.md"
    policy.write_text(SHORT_POLICY)
    for args, expected in ((("analyze", str(policy), "--depth", "quick"), 0),
                           (("history", "example.com"), 0),
                           (("status",), 3),
                           (("status", "--json"), 3)):
        done = smallprint_into_closed_pipe(env, *args)
        assert (done.returncode, done.stderr.decode()) == (expected, ""), args
