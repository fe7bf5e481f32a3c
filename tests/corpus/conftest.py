"""Fixtures of the corpus tests: real git repositories built from the shared policy histories, a real local Dask
cluster (a scheduler and two worker processes on loopback, started and stopped here), the real CLI in a subprocess,
and pyarrow to read what it wrote. Quick depth and small corpora keep them to seconds each."""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import IN_CI, ROOT, SHARED_DATA, require

# The `corpus` extra (in `test` too): without it the corpus cannot run at all.
CORPUS_MODULES = ("pyarrow", "distributed", "tqdm", "psutil")


def need_corpus_extra() -> None:
    """At the top of each test module: skip it locally, fail in CI, when the corpus extra is not installed."""
    missing = [m for m in CORPUS_MODULES if importlib.util.find_spec(m) is None]
    if not missing:
        return
    why = f"{', '.join(missing)} not installed (pip install -e '.[test]')"
    if IN_CI:
        pytest.fail(f"required in CI: {why}", pytrace=False)
    pytest.skip(why, allow_module_level=True)


MAKE_OTA_REPO = ROOT / "scripts" / "make_ota_repo.py"
# The histories of the README's worked example: 17 versions of three privacy policies, 2005-2025.
OTA_SERVICES = "facebook,instagram,youtube"


def corpus_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("COLUMNS", None)
    env.update(extra)
    return env


def run_corpus(*args: str, timeout: float = 240, env: dict | None = None, **options) -> subprocess.CompletedProcess:
    """The CLI in a subprocess (`options` for subprocess.run: a preexec_fn)."""
    return subprocess.run([sys.executable, "-m", "smallprint", "corpus", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, env=env or corpus_env(), **options)


def start_corpus(*args: str, env: dict | None = None) -> subprocess.Popen:
    """The CLI in its own process group, so that a test can kill it with all its workers."""
    return subprocess.Popen([sys.executable, "-m", "smallprint", "corpus", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env or corpus_env(), start_new_session=True)


# A small corpus made by the tests themselves: one service with three dated versions of its policy (AI training
# begins, then face geometry), another with one.
ACME = {"2020-01-01_privacy.md": "We collect your email address.\n\nWe do not sell your personal information.\n",
        "2021-01-01_privacy.md": "We collect your email address.\n\nWe may use your posts to train our AI models.\n",
        "2022-01-01_privacy.md": "We collect your email address and your face geometry.\n\n"
                                 "We may use your posts to train our AI models.\n"}
BETA = "We share your location with advertisers.\n"


def small_sources(folder: Path) -> Path:
    """The small corpus's source folder, made in `folder`."""
    src = folder / "src"
    (src / "acme").mkdir(parents=True)
    (src / "beta").mkdir()
    for name, text in ACME.items():
        (src / "acme" / name).write_text(text)
    (src / "beta" / "privacy.md").write_text(BETA)
    return src


def analyze_small(*sources, out: Path, **options) -> subprocess.CompletedProcess:
    # One text a part (--batch 1), so that damaging one part takes one text's reading.
    return run_corpus("analyze", *sources, "--out", out, "--workers", "1", "--batch", "1", **options)


def small_corpus(folder: Path) -> tuple[Path, Path, dict]:
    """The small corpus read into folder/out: its sources, the corpus folder and its tables."""
    src, out = small_sources(folder), folder / "out"
    done = analyze_small(src, out=out)
    assert done.returncode == 0, done.stderr
    return src, out, read_tables(out)


def read_tables(folder: Path) -> dict:
    import pyarrow.parquet as pq

    return {name: pq.read_table(folder / f"{name}.parquet") for name in ("documents", "findings", "changes")}


def assert_same_tables(a: dict, b: dict) -> None:
    for name in ("documents", "findings", "changes"):
        assert a[name].num_rows == b[name].num_rows, name
        assert a[name].equals(b[name]), f"{name} differ"


def part_stamps(folder: Path) -> dict[str, tuple[int, int]]:
    """Each finished part's inode and modification time: a rewritten part changes one of them."""
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (folder / "parts").glob("*.parquet")}


@pytest.fixture(scope="session")
def needs_git() -> None:
    require(shutil.which("git") is not None, "the git command is not installed")


@pytest.fixture(scope="session")
def ota_repo(tmp_path_factory, needs_git) -> Path:
    require((SHARED_DATA / "policies" / "index.jsonl").is_file(), f"shared policies not found at {SHARED_DATA}")
    repo = tmp_path_factory.mktemp("ota") / "versions"
    done = subprocess.run([sys.executable, str(MAKE_OTA_REPO), str(repo), "--services", OTA_SERVICES, "--shared",
                           str(SHARED_DATA.parent)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return repo


@pytest.fixture(scope="session")
def policies_folder() -> Path:
    folder = SHARED_DATA / "policies"
    require(folder.is_dir(), f"shared policies not found at {folder}")
    return folder


@pytest.fixture(scope="session")
def reference(tmp_path_factory, ota_repo, policies_folder) -> tuple[Path, dict]:
    """The repository and the shared policies folder read once on this machine, undisturbed: what every other way
    of running the same job must reproduce row for row."""
    out = tmp_path_factory.mktemp("reference") / "corpus"
    done = run_corpus("analyze", ota_repo, policies_folder, "--out", out, "--workers", "2")
    assert done.returncode == 0, done.stderr
    return out, read_tables(out)


@pytest.fixture
def dask_cluster():
    """A real Dask cluster on loopback: a scheduler and two worker processes with one thread each, no dashboard."""
    try:
        import logging

        from distributed import Client, LocalCluster
    except ImportError:
        require(False, "dask.distributed is not installed (pip install -e '.[test]')")
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=None, silence_logs=logging.ERROR)
    client = Client(cluster)
    try:
        yield cluster, client
    finally:
        client.close()
        cluster.close()
