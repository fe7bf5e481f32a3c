"""`smallprint install-host`: register the native-messaging bridge with the browsers (or remove it)."""
from __future__ import annotations

import argparse
from pathlib import Path

from smallprint.cli import CliError


def register(subparsers) -> None:
    from smallprint_bridge.install import BROWSERS

    parser = subparsers.add_parser(
        "install-host", help="register the browser bridge (native-messaging host) for the extension",
        description="Write the native-messaging host manifest that lets the smallprint extension start "
                    "smallprint-bridge, then say how to load the extension.")
    parser.add_argument("--browser", choices=BROWSERS + ("all",), action="append", dest="browsers",
                        help="which browser (repeatable); default: every browser installed for this user "
                             "(the others are skipped, and named)")
    parser.add_argument("--target-dir", type=Path, metavar="DIR",
                        help="write the manifest into DIR instead of the browser's folder (custom profiles, tests)")
    parser.add_argument("--extension-dir", type=Path, metavar="DIR",
                        help="the unpacked extension whose ids to allow (default: the one shipped with smallprint)")
    parser.add_argument("--uninstall", action="store_true", help="remove the manifests instead")
    parser.set_defaults(func=run)


def _chosen(args: argparse.Namespace) -> tuple[str, ...]:
    from smallprint_bridge import install

    requested = args.browsers or []
    if "all" in requested:
        return install.BROWSERS
    if requested:
        return tuple(dict.fromkeys(requested))
    if args.target_dir is not None:
        raise CliError("with --target-dir, say which --browser the folder is for")
    if args.uninstall:
        return install.BROWSERS  # remove whatever is there, installed browser or not
    found = install.detected_browsers()
    skipped = [b for b in install.BROWSERS if b not in found]
    if not found:
        raise CliError(f"no supported browser found for this user (looked for {', '.join(install.BROWSERS)}); "
                       "name one with --browser")
    if skipped:
        print(f"skipped (not installed for this user): {', '.join(skipped)}; name one with --browser to add it anyway")
    return found


def run(args: argparse.Namespace) -> int:
    import sys

    from smallprint_bridge import install

    browsers = _chosen(args)
    target = args.target_dir.expanduser().absolute() if args.target_dir else None
    # A browser that is here only as a Snap or Flatpak does not read the per-user folder, or cannot start the helper
    # from it: writing the manifest and saying "installed" would leave the popup's "helper not found" unexplained.
    refused = {} if target or args.uninstall else {b: r for b in browsers if (r := install.refusal(b))}
    for browser, reason in refused.items():
        print(f"smallprint: {browser} not registered: {reason}", file=sys.stderr)
    browsers = tuple(b for b in browsers if b not in refused)
    if not browsers:
        return 1
    try:
        if args.uninstall:
            removed = install.uninstall(browsers, target)
            for place in removed:
                print(f"removed {place.browser}: {place.manifest}")
            if not removed:
                print("nothing to remove: no smallprint host manifest was installed there")
            return 0
        extension_dir = (args.extension_dir or install.default_extension_dir()).expanduser().absolute()
        ids = install.read_extension_ids(extension_dir)
        done = install.install(browsers, target, extension_dir)
    except install.InstallError as exc:
        raise CliError(str(exc)) from None
    for place in done:
        where = f" (registry HKCU\\{place.registry_key})" if place.registry_key else ""
        print(f"installed {place.browser}: {place.manifest}{where}")
        for note in [] if target else install.notes(place.browser):
            print(f"  note: {note}")
    print(f"host {install.HOST_NAME} -> {install.bridge_launcher()}")
    print()
    print(install.load_instructions(extension_dir, ids, browsers))
    _say_where_smallprint_is()
    return 1 if refused and args.browsers else 0  # a browser named with --browser was not registered


def _say_where_smallprint_is() -> None:
    """The popup's fixes say `smallprint install-host`, `smallprint serve`: with smallprint in a virtual environment
    that is not on PATH (scripts/demo's .venv) those words run nothing ("command not found"), so say what does."""
    import os
    import shutil
    import sys

    here = Path(sys.executable).parent / ("smallprint.exe" if os.name == "nt" else "smallprint")
    if not here.is_file():
        return
    found = shutil.which("smallprint")
    if found and Path(found).resolve() == here.resolve():
        return
    print(f"Where the popup says `smallprint ...`, run {here.absolute()} ... : its folder is not on your PATH"
          + (f" (`smallprint` there is {found}, another installation)." if found else "."))
