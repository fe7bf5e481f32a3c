"""`smallprint autostart enable|disable`: start the daemon when the user logs in, the way each system does it.

- Linux: a systemd user unit, `$XDG_CONFIG_HOME/systemd/user/smallprint.service` (default `~/.config`), enabled with
  `systemctl --user enable` (which only links it into default.target.wants, so it works even where the user's
  systemd is not running at that moment, e.g. over ssh);
- macOS: a LaunchAgent, `~/Library/LaunchAgents/org.smallprint.daemon.plist`, loaded with `launchctl bootstrap`;
- Windows: a Scheduled Task `smallprint` run at logon (`schtasks`), with `pythonw.exe` so no console window opens.

Every one runs `smallprint serve --log-file-only` of this very installation (its Python, by absolute path), and
carries SMALLPRINT_HOME when it is set. A plan is data (files to write, commands to run) so each platform's output
can be checked anywhere; only the current platform's plan is carried out.
"""
from __future__ import annotations

import os
import plistlib
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

UNIT_NAME = "smallprint.service"
LAUNCH_AGENT_LABEL = "org.smallprint.daemon"
TASK_NAME = "smallprint"
COMMAND_TIMEOUT_SECONDS = 30


class AutostartError(Exception):
    """Autostart could not be set up or removed; one line for the user."""


@dataclass(frozen=True, slots=True)
class Step:
    """A command to run; `required` ones fail the whole change, the others only earn a note."""
    argv: tuple[str, ...]
    required: bool = True
    why_optional: str = ""


@dataclass(frozen=True, slots=True)
class Plan:
    system: str  # what starts the daemon: "systemd", "launchd", "Task Scheduler"
    write: tuple[tuple[Path, str], ...] = ()
    remove: tuple[Path, ...] = ()
    steps: tuple[Step, ...] = ()
    afterwards: str = ""  # what the person should know once it is done
    tool: str = ""  # the program the steps need


@dataclass(frozen=True, slots=True)
class Outcome:
    plan: Plan
    ran: tuple[str, ...] = ()  # the commands that succeeded, as typed
    notes: tuple[str, ...] = ()  # the optional ones that did not, and why that is fine


def serve_command(python: str | None = None) -> list[str]:
    return [python or sys.executable, "-m", "smallprint", "serve", "--log-file-only"]


def _environment() -> dict[str, str]:
    home = os.environ.get("SMALLPRINT_HOME")
    return {"SMALLPRINT_HOME": home} if home else {}


# ---- Linux: systemd --------------------------------------------------------------------------------------------

def systemd_unit_path() -> Path:
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "systemd" / "user" / UNIT_NAME


def _systemd_quote(word: str, *, expands_dollars: bool = True) -> str:
    """A word of a unit file line, quoted where needed. ExecStart= expands $VARIABLES (so a "$" is written "$$");
    Environment= does not, and would keep "$$" as two dollars: `expands_dollars=False` for it."""
    if word and not any(c in word for c in ' \t"\'\\$%;'):
        return word
    dollar = "$$" if expands_dollars else "$"
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"').replace("$", dollar).replace("%", "%%") + '"'


def systemd_unit(python: str | None = None) -> str:
    environment = "".join(f"Environment={_systemd_quote(f'{k}={v}', expands_dollars=False)}\n"
                          for k, v in _environment().items())
    return (
        "[Unit]\n"
        "Description=smallprint: reads privacy policies locally (the daemon the browser extension talks to)\n"
        "\n[Service]\n"
        "Type=simple\n"
        f"ExecStart={' '.join(_systemd_quote(w) for w in serve_command(python))}\n"
        f"{environment}"
        # A second daemon (one started by the bridge first) exits 1 saying so: retry now and then, not in a loop.
        "Restart=on-failure\nRestartSec=30\n"
        "\n[Install]\nWantedBy=default.target\n"
    )


def _linux(enable: bool) -> Plan:
    unit = systemd_unit_path()
    reload = Step(("systemctl", "--user", "daemon-reload"), required=False,
                  why_optional="the user's systemd is not running now")
    if enable:
        return Plan("systemd", write=((unit, systemd_unit()),),
                    steps=(reload, Step(("systemctl", "--user", "enable", UNIT_NAME))), tool="systemctl",
                    afterwards=f"The daemon starts at your next login; to start it now: systemctl --user start {UNIT_NAME}")
    # disable reads the unit's [Install] section, so it runs before the file is removed.
    return Plan("systemd", remove=(unit,),
                steps=(Step(("systemctl", "--user", "disable", UNIT_NAME), required=False,
                            why_optional="it was not enabled"),), tool="systemctl",
                afterwards="A daemon running now keeps running until `smallprint stop`.")


# ---- macOS: launchd --------------------------------------------------------------------------------------------

def launch_agent_path() -> Path:
    return Path.home() / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT_LABEL}.plist"


def launch_agent(python: str | None = None) -> str:
    agent = {"Label": LAUNCH_AGENT_LABEL, "ProgramArguments": serve_command(python), "RunAtLoad": True,
             # Restart after a crash, not after a clean exit (`smallprint stop`).
             "KeepAlive": {"SuccessfulExit": False}, "ThrottleInterval": 30, "ProcessType": "Background"}
    if _environment():
        agent["EnvironmentVariables"] = _environment()
    return plistlib.dumps(agent).decode("utf-8")


def _macos(enable: bool) -> Plan:
    agent = launch_agent_path()
    domain = f"gui/{os.getuid()}" if hasattr(os, "getuid") else "gui/501"
    if enable:
        return Plan("launchd", write=((agent, launch_agent()),), tool="launchctl",
                    steps=(Step(("launchctl", "bootout", domain, str(agent)), required=False,
                                why_optional="no earlier version was loaded"),
                           Step(("launchctl", "bootstrap", domain, str(agent)))),
                    afterwards="The daemon runs now and at every login.")
    return Plan("launchd", remove=(agent,), tool="launchctl",
                steps=(Step(("launchctl", "bootout", domain, str(agent)), required=False,
                            why_optional="it was not loaded"),),
                afterwards="launchd has stopped the daemon it ran.")


# ---- Windows: Task Scheduler -----------------------------------------------------------------------------------

def _windowless_python() -> str:
    """pythonw.exe beside python.exe: the same interpreter without a console window."""
    beside = Path(sys.executable).with_name("pythonw.exe")
    return str(beside) if beside.is_file() else sys.executable


def scheduled_task_command(python: str | None = None) -> str:
    return subprocess.list2cmdline(serve_command(python or _windowless_python()))


def _windows(enable: bool) -> Plan:
    if enable:
        # schtasks has no per-task environment: SMALLPRINT_HOME must be set for the user, as it is for the browser.
        return Plan("Task Scheduler", tool="schtasks",
                    steps=(Step(("schtasks", "/Create", "/TN", TASK_NAME, "/TR", scheduled_task_command(), "/SC",
                                 "ONLOGON", "/RL", "LIMITED", "/F")),),
                    afterwards=f"The daemon starts at your next logon; to start it now: schtasks /Run /TN {TASK_NAME}")
    return Plan("Task Scheduler", tool="schtasks",
                steps=(Step(("schtasks", "/Delete", "/TN", TASK_NAME, "/F"), required=False,
                            why_optional="there was no such task"),),
                afterwards="A daemon running now keeps running until `smallprint stop`.")


def plan(enable: bool, platform: str = sys.platform) -> Plan:
    if platform.startswith("win"):
        return _windows(enable)
    if platform == "darwin":
        return _macos(enable)
    return _linux(enable)


# ---- carrying a plan out ---------------------------------------------------------------------------------------

def _run(step: Step) -> str | None:
    """None when the command succeeded, else why not (its own last line)."""
    try:
        done = subprocess.run(step.argv, capture_output=True, text=True, timeout=COMMAND_TIMEOUT_SECONDS)
    except OSError as exc:
        return exc.strerror or str(exc)
    except subprocess.TimeoutExpired:
        return f"no answer within {COMMAND_TIMEOUT_SECONDS} s"
    if done.returncode == 0:
        return None
    said = (done.stderr or done.stdout).strip().splitlines()
    return said[-1] if said else f"exit status {done.returncode}"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def apply(chosen: Plan) -> Outcome:
    """Write and remove the plan's files and run its commands. Raises AutostartError when a required command
    fails, after undoing the files it wrote (an enable that did not take leaves nothing behind)."""
    if chosen.tool and shutil.which(chosen.tool) is None:
        raise AutostartError(f"{chosen.tool} was not found: autostart here uses {chosen.system}; start "
                             "`smallprint serve --log-file-only` from your desktop's own autostart settings instead")
    try:
        for path, text in chosen.write:
            _write(path, text)
    except OSError as exc:
        raise AutostartError(f"cannot write {exc.filename}: {exc.strerror or exc}") from None
    ran, notes = [], []
    for step in chosen.steps:
        failure = _run(step)
        if failure is None:
            ran.append(" ".join(step.argv))
            continue
        if step.required:
            for path, _ in chosen.write:
                path.unlink(missing_ok=True)
            raise AutostartError(f"`{' '.join(step.argv)}` failed: {failure}")
        notes.append(f"`{' '.join(step.argv)}` did not run ({step.why_optional}: {failure}); that is fine")
    for path in chosen.remove:
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise AutostartError(f"cannot remove {path}: {exc.strerror or exc}") from None
    return Outcome(chosen, tuple(ran), tuple(notes))
