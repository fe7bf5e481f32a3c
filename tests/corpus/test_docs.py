"""docs/CORPUS.md stays in step with the tables: every column of every table is described under its table."""
from __future__ import annotations

from .conftest import need_corpus_extra

need_corpus_extra()  # before the imports below, which need the corpus extra

import re

import pytest

from smallprint.corpus.tables import TABLES
from tests.conftest import ROOT

DOC = (ROOT / "docs" / "CORPUS.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("table, column", [(t, f.name) for t, schema in TABLES.items() for f in schema])
def test_every_column_is_documented_under_its_table(table, column):
    section = DOC.split(f"### `{table}.parquet`", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
    assert re.search(rf"^\| [^|]*`{column}`", section, re.MULTILINE), f"{table}.{column} missing from docs/CORPUS.md"


def _corpus_commands():
    """`corpus analyze` and `corpus report`, as the CLI builds them."""
    import argparse

    from smallprint.cli import build_parser

    def subcommands(parser):
        action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        return action.choices

    return subcommands(subcommands(build_parser())["corpus"]).items()


@pytest.mark.parametrize("command, flag", [(name, flag) for name, parser in _corpus_commands()
                                           for action in parser._actions for flag in action.option_strings
                                           if flag.startswith("--") and flag != "--help"])
def test_every_flag_is_in_the_synopsis(command, flag):
    synopsis = DOC.split("```sh", 1)[1].split("```", 1)[0]
    line = next(line for line in synopsis.splitlines() if line.startswith(f"smallprint corpus {command} "))
    assert re.search(rf"\[?{re.escape(flag)}\b", line), f"corpus {command} {flag} missing from docs/CORPUS.md"


def test_the_batch_help_states_the_defaults_the_run_uses():
    from smallprint.corpus.run import BATCH

    analyze = dict(_corpus_commands())["analyze"]
    batch = next(action for action in analyze._actions if "--batch" in action.option_strings)
    assert f"default {BATCH['quick']} quick, {BATCH['full']} full" in batch.help
