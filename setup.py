"""Puts the browser extension inside the wheel, as package data of `smallprint_bridge`.

The extension's source stays where developers and the README expect it (`extension-bridge/extension/`, loaded
unpacked from a checkout); a built wheel carries a copy at `smallprint_bridge/extension/`, which is where
`smallprint install-host` and the bridge look first (`smallprint_bridge.install.default_extension_dir`).
Everything else about the build is declared in pyproject.toml.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

EXTENSION_SOURCE = Path(__file__).resolve().parent / "extension-bridge" / "extension"
# Only what the browser loads, as in the store packages (scripts/package-extension): no README, no hidden files.
NOT_SHIPPED = {"README.md"}


class BuildPyWithExtension(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the source tree's extension directly
        target = Path(self.build_lib) / "smallprint_bridge" / "extension"
        shutil.rmtree(target, ignore_errors=True)
        for source in sorted(EXTENSION_SOURCE.rglob("*")):
            relative = source.relative_to(EXTENSION_SOURCE)
            if not source.is_file() or source.name in NOT_SHIPPED or any(p.startswith(".") for p in relative.parts):
                continue
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
        if not (target / "manifest.json").is_file():
            raise SystemExit(f"no extension at {EXTENSION_SOURCE}: the wheel would not carry it")


setup(cmdclass={"build_py": BuildPyWithExtension})
