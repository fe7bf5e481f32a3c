#!/usr/bin/env python3
"""Build an Open Terms Archive-style git repository from the shared policy histories (the README's worked example).

    scripts/make_ota_repo.py DEST [--services facebook,instagram,youtube] [--shared ../shared]

DEST gets `<Service>/Privacy Policy.md` and one commit per recorded version, oldest first, each dated (author and
committer) on the version's date at noon UTC, as Open Terms Archive records a version by its commit. A README at the
top, as OTA's repositories have, is not a document. Only git and the standard library are needed; nothing is fetched.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVICES = ("facebook", "instagram", "youtube")


def shared_folder(given: str | None) -> Path:
    return Path(given or os.environ.get("SMALLPRINT_SHARED") or ROOT.parent / "shared").resolve()


def git(repo: Path, *args: str, date: str | None = None) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=smallprint example", "-c",
                    "user.email=example@smallprint.invalid", "-c", "commit.gpgsign=false", *args],
                   check=True, env=env, stdout=subprocess.DEVNULL)


def build(dest: Path, policies: Path, services: list[str]) -> int:
    """Write the repository; returns the number of version commits."""
    rows = [json.loads(line) for line in (policies / "index.jsonl").read_text(encoding="utf-8").splitlines() if line]
    chosen = sorted((r for r in rows if r["file"].split("/")[0] in services),
                    key=lambda r: (r["version_date"], r["file"]))
    if not chosen:
        raise SystemExit(f"no versions of {', '.join(services)} in {policies / 'index.jsonl'}")
    if dest.exists() and any(dest.iterdir()):
        raise SystemExit(f"{dest} exists and is not empty")
    dest.mkdir(parents=True, exist_ok=True)
    git(dest, "init", "-q", "-b", "main")
    (dest / "README.md").write_text("Versions of the privacy policies of a few services, one commit per version "
                                    "(built by smallprint's scripts/make_ota_repo.py from its shared data).\n",
                                    encoding="utf-8")
    git(dest, "add", "README.md")
    git(dest, "commit", "-q", "-m", "README", date=f"{chosen[0]['version_date']}T00:00:00Z")
    for row in chosen:
        target = dest / row["service"] / f"{row['doc_type']}.md"
        target.parent.mkdir(exist_ok=True)
        target.write_bytes((policies / row["file"]).read_bytes())
        git(dest, "add", str(target.relative_to(dest)))
        git(dest, "commit", "-q", "--allow-empty", "-m", f"Record {row['service']} {row['doc_type']}",
            date=f"{row['version_date']}T12:00:00Z")
    return len(chosen)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path, help="the folder for the new repository (missing or empty)")
    parser.add_argument("--services", default=",".join(DEFAULT_SERVICES),
                        help="folders of SHARED/data/policies to take (default: facebook,instagram,youtube)")
    parser.add_argument("--shared", help="the shared folder (default: $SMALLPRINT_SHARED or ../shared)")
    args = parser.parse_args(argv)
    policies = shared_folder(args.shared) / "data" / "policies"
    if not (policies / "index.jsonl").is_file():
        print(f"make_ota_repo: no policy index at {policies / 'index.jsonl'}", file=sys.stderr)
        return 1
    count = build(args.dest, policies, [s.strip() for s in args.services.split(",") if s.strip()])
    print(f"{args.dest}: {count} versions committed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
