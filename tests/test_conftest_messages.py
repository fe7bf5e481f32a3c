"""The message a test run gives when the shared data is missing names SMALLPRINT_SHARED and what it must name."""
from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT, missing_shared_data_reason


def test_the_reason_names_the_variable_and_the_folder_above_data(tmp_path):
    why = missing_shared_data_reason(tmp_path / "nowhere")
    assert f"shared data not found at {tmp_path / 'nowhere' / 'data'}" in why
    assert "set SMALLPRINT_SHARED to the folder that holds `data`" in why


def test_pointing_at_the_data_folder_itself_is_recognised(tmp_path):
    data = tmp_path / "data"
    (data / "policies").mkdir(parents=True)
    assert f"SMALLPRINT_SHARED={data} names the data folder itself" in missing_shared_data_reason(data)


def test_a_run_without_the_data_says_why_when_it_skips(tmp_path):
    # A test that needs the shared data, run with SMALLPRINT_SHARED pointing at a folder without it (outside CI).
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["SMALLPRINT_SHARED"] = str(tmp_path)
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:randomly", "-p", "no:cacheprovider",
                             "tests/cli/test_cli_eval.py::test_eval_table_is_readable"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert "1 skipped" in result.stdout, result.stdout[-2000:]
    assert "set SMALLPRINT_SHARED to the folder that holds `data`" in result.stdout
