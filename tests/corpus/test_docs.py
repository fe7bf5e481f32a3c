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
