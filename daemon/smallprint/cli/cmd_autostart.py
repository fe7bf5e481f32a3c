"""`smallprint autostart enable|disable`: start the daemon at login (systemd user unit, LaunchAgent, Scheduled Task)."""
from __future__ import annotations

import argparse

from . import CliError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "autostart", help="start the daemon when you log in (or stop doing so)",
        description="enable: a systemd user unit on Linux, a LaunchAgent on macOS, a Scheduled Task on Windows, "
                    "running `smallprint serve --log-file-only` of this installation. disable: remove it. "
                    "Without autostart, the browser bridge starts the daemon when the extension first needs it.")
    parser.add_argument("action", choices=("enable", "disable"))
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from smallprint import autostart

    enable = args.action == "enable"
    chosen = autostart.plan(enable)
    existed = [path for path in chosen.remove if path.exists()]
    try:
        outcome = autostart.apply(chosen)
    except autostart.AutostartError as exc:
        raise CliError(f"autostart {args.action}: {exc}") from None
    if enable:
        print(f"autostart enabled ({chosen.system})")
        for path, _ in chosen.write:
            print(f"  wrote {path}")
    else:
        print(f"autostart disabled ({chosen.system})")
        for path in chosen.remove:
            print(f"  removed {path}" if path in existed else f"  {path} was not there")
    for command in outcome.ran:
        print(f"  ran: {command}")
    for note in outcome.notes:
        print(f"  note: {note}")
    if chosen.afterwards:
        print(chosen.afterwards)
    return 0
