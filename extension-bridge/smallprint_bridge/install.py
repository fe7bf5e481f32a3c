"""Registers `smallprint-bridge` with the browsers as the native-messaging host `org.smallprint.bridge`.

A host manifest names the launcher (`path`, absolute and executable) and which extension may talk to it:
`allowed_origins: ["chrome-extension://<id>/"]` for the Chromium family, `allowed_extensions: ["<gecko id>"]`
for Firefox. Both ids come from the extension's own manifest.json (its fixed `key` and gecko id), so they
cannot drift from what the browser computes.

Where browsers look: a per-user folder on Linux (the Chromium family's in $CHROME_CONFIG_HOME, else $XDG_CONFIG_HOME,
default ~/.config; Firefox's in ~/.mozilla) and macOS; on Windows a per-user registry key whose default
value is the manifest's path (the manifest itself then lives in smallprint's data folder).

A browser installed as a Snap or a Flatpak (Ubuntu's chromium and firefox are snaps) reads its manifests elsewhere and
runs in a sandbox: see `sandboxed_installs`, `refusal` and `notes`, which install-host and `smallprint status` share.
"""
from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

HOST_NAME = "org.smallprint.bridge"
HOST_DESCRIPTION = "smallprint native-messaging bridge (reads privacy policies locally)"
MANIFEST_FILE = f"{HOST_NAME}.json"
CHROMIUM_FAMILY = ("chrome", "chromium", "brave", "edge", "vivaldi")
BROWSERS = CHROMIUM_FAMILY + ("firefox",)

# Per-user manifest folders on Linux. The Chromium family keeps its profiles in the XDG config folder
# ($XDG_CONFIG_HOME, default ~/.config: Chromium's GetDefaultUserDataDirectory), so its folders are relative to that;
# Firefox's is relative to the home folder whatever XDG_CONFIG_HOME says.
_LINUX_CONFIG_DIRS = {
    "chrome": "google-chrome/NativeMessagingHosts",
    "chromium": "chromium/NativeMessagingHosts",
    "brave": "BraveSoftware/Brave-Browser/NativeMessagingHosts",
    "edge": "microsoft-edge/NativeMessagingHosts",
    "vivaldi": "vivaldi/NativeMessagingHosts",
}
_LINUX_FIREFOX_DIR = ".mozilla/native-messaging-hosts"
# macOS, relative to the home folder.
_MAC_DIRS = {
    "chrome": "Library/Application Support/Google/Chrome/NativeMessagingHosts",
    "chromium": "Library/Application Support/Chromium/NativeMessagingHosts",
    "brave": "Library/Application Support/BraveSoftware/Brave-Browser/NativeMessagingHosts",
    "edge": "Library/Application Support/Microsoft Edge/NativeMessagingHosts",
    "vivaldi": "Library/Application Support/Vivaldi/NativeMessagingHosts",
    "firefox": "Library/Application Support/Mozilla/NativeMessagingHosts",
}
# Windows: HKEY_CURRENT_USER\<key>\<host name>, default value = manifest path.
_WINDOWS_KEYS = {
    "chrome": r"Software\Google\Chrome\NativeMessagingHosts",
    "chromium": r"Software\Chromium\NativeMessagingHosts",
    "brave": r"Software\BraveSoftware\Brave-Browser\NativeMessagingHosts",
    "edge": r"Software\Microsoft\Edge\NativeMessagingHosts",
    "vivaldi": r"Software\Vivaldi\NativeMessagingHosts",
    "firefox": r"Software\Mozilla\NativeMessagingHosts",
}


class InstallError(Exception):
    """Something the person running install-host must fix (one line)."""


@dataclass(frozen=True, slots=True)
class ExtensionIds:
    chromium: str  # the 32-letter id, a-p
    gecko: str

    @property
    def chromium_origin(self) -> str:
        return f"chrome-extension://{self.chromium}/"  # the trailing slash is required by Chromium


@dataclass(frozen=True, slots=True)
class Placement:
    """Where one browser's host manifest goes: a file, and on Windows the registry key that points to it."""
    browser: str
    manifest: Path
    registry_key: str | None = None
    # The folder uninstall stops at: the empty folders between it and the manifest were made by install (or are
    # left with nothing in them), so uninstall removes them; it and the folders above are never touched.
    keep: Path | None = None


def chromium_extension_id(public_key_b64: str) -> str:
    """Chromium's id for an extension with this `key`: sha256 of the DER public key, first 32 hex digits, 0-f -> a-p."""
    try:
        der = base64.b64decode(public_key_b64, validate=True)
    except ValueError as exc:
        raise InstallError(f"the extension's `key` is not valid base64: {exc}") from None
    digest = hashlib.sha256(der).hexdigest()[:32]
    return "".join(chr(ord("a") + int(digit, 16)) for digit in digest)


def default_extension_dir() -> Path:
    """The unpacked extension that ships with this installation: inside the package when installed from a wheel
    (setup.py copies it there), else the source checkout's extension-bridge/extension (an editable install)."""
    package = Path(__file__).resolve().parent
    packaged = package / "extension"
    if (packaged / "manifest.json").is_file():
        return packaged
    return package.parent / "extension"


def read_extension_ids(extension_dir: Path) -> ExtensionIds:
    manifest_path = extension_dir / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InstallError(f"no extension manifest at {manifest_path}; pass --extension-dir") from None
    except (OSError, ValueError) as exc:
        raise InstallError(f"cannot read {manifest_path}: {exc}") from None
    key = manifest.get("key")
    gecko = ((manifest.get("browser_specific_settings") or {}).get("gecko") or {}).get("id")
    if not isinstance(key, str) or not isinstance(gecko, str):
        raise InstallError(f"{manifest_path} needs a `key` and browser_specific_settings.gecko.id")
    return ExtensionIds(chromium=chromium_extension_id(key), gecko=gecko)


def bridge_launcher() -> Path:
    """The `smallprint-bridge` script of this installation (beside the running Python), else the one on PATH.

    The script's first line names the virtual environment's Python, so the browser can start it without an
    activated environment.
    """
    name = "smallprint-bridge.exe" if os.name == "nt" else "smallprint-bridge"
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside.absolute()
    found = shutil.which("smallprint-bridge")
    if found:
        return Path(found).absolute()
    raise InstallError("the smallprint-bridge launcher was not found; reinstall smallprint (pip install .)")


def host_manifest(browser: str, launcher: Path, ids: ExtensionIds) -> dict:
    manifest = {"name": HOST_NAME, "description": HOST_DESCRIPTION, "path": str(launcher), "type": "stdio"}
    if browser == "firefox":
        manifest["allowed_extensions"] = [ids.gecko]
    else:
        manifest["allowed_origins"] = [ids.chromium_origin]
    return manifest


def linux_config_home(home: Path | None = None) -> Path:
    """The config folder the Chromium family reads on Linux: $CHROME_CONFIG_HOME (Chromium's own override, which it
    reads before XDG_CONFIG_HOME), else $XDG_CONFIG_HOME, each when it is an absolute path (the XDG spec ignores a
    relative one), else ~/.config. With an explicit `home` (tests, another user's folder), that home's ~/.config."""
    if home is None:
        for variable in ("CHROME_CONFIG_HOME", "XDG_CONFIG_HOME"):
            configured = os.environ.get(variable, "")
            if os.path.isabs(configured):
                return Path(configured)
    return (home or Path.home()) / ".config"


def placements(browsers: tuple[str, ...], target_dir: Path | None = None, *, platform: str = sys.platform,
               home: Path | None = None) -> list[Placement]:
    """Where each browser's manifest goes. With `target_dir`: that folder for one browser, a sub-folder per browser
    for several (the Chromium and Firefox manifests differ but share a file name)."""
    if target_dir is not None:
        if len(browsers) == 1:
            return [Placement(browsers[0], target_dir / MANIFEST_FILE, keep=target_dir)]
        return [Placement(b, target_dir / b / MANIFEST_FILE, keep=target_dir) for b in browsers]
    if platform.startswith("win"):
        from smallprint import paths
        base = paths.data_dir() / "native-messaging"
        return [Placement(b, base / b / MANIFEST_FILE, rf"{_WINDOWS_KEYS[b]}\{HOST_NAME}", keep=paths.data_dir())
                for b in browsers]
    if platform == "darwin":
        home = home or Path.home()
        support = home / "Library" / "Application Support"
        return [Placement(b, home / _MAC_DIRS[b] / MANIFEST_FILE, keep=support) for b in browsers]
    config_home = linux_config_home(home)
    home = home or Path.home()
    return [Placement(b, home / _LINUX_FIREFOX_DIR / MANIFEST_FILE, keep=home) if b == "firefox" else
            Placement(b, config_home / _LINUX_CONFIG_DIRS[b] / MANIFEST_FILE, keep=config_home) for b in browsers]


# The commands that start each browser (Linux and other Unix: on PATH), and the macOS application bundles.
_COMMANDS = {
    "chrome": ("google-chrome", "google-chrome-stable"),
    "chromium": ("chromium", "chromium-browser"),
    "brave": ("brave-browser", "brave"),
    "edge": ("microsoft-edge", "microsoft-edge-stable"),
    "vivaldi": ("vivaldi", "vivaldi-stable"),
    "firefox": ("firefox", "firefox-esr"),
}
_MAC_APPS = {
    "chrome": "Google Chrome.app", "chromium": "Chromium.app", "brave": "Brave Browser.app",
    "edge": "Microsoft Edge.app", "vivaldi": "Vivaldi.app", "firefox": "Firefox.app",
}


def _profile_in_use(profile_root: Path, hosts_folder: str) -> bool:
    """The browser has run for this user: its folder holds more than the host folder install-host itself made
    (an earlier install-host on a machine without the browser must not make it look installed)."""
    try:
        return any(child.name != hosts_folder for child in profile_root.iterdir())
    except OSError:
        return False


def browser_installed(browser: str, *, platform: str = sys.platform, home: Path | None = None) -> bool:
    """Whether `browser` is installed for this user: its command or application exists, or its profile is used
    (on Linux as an ordinary package, a Snap or a Flatpak)."""
    if platform != "darwin":
        return (_native_installed(browser, platform=platform, home=home)
                or bool(sandboxed_installs(browser, platform=platform, home=home)))
    app = _MAC_APPS[browser]
    if (Path("/Applications") / app).is_dir() or ((home or Path.home()) / "Applications" / app).is_dir():
        return True
    hosts = placements((browser,), platform=platform, home=home)[0].manifest.parent
    return _profile_in_use(hosts.parent, hosts.name)


def _native_installed(browser: str, *, platform: str, home: Path | None) -> bool:
    """An ordinary (not Snap, not Flatpak) `browser` on Linux: a command on PATH that does not start a snap, or its
    profile in the folder install-host writes to, the one such a browser reads."""
    snap = _SNAPS.get(browser)
    if any(found and not (snap and _starts_snap(Path(found), snap))
           for found in map(shutil.which, _COMMANDS[browser])):
        return True
    hosts = placements((browser,), platform=platform, home=home)[0].manifest.parent
    return _profile_in_use(hosts.parent, hosts.name)


# Snap and Flatpak packages of the browsers, and where inside their sandbox each reads host manifests. The chromium
# snap's launcher sets CHROME_CONFIG_HOME=~/snap/chromium/common; a recent firefox snap asks the desktop's
# WebExtensions portal, which reads ~/.mozilla/native-messaging-hosts outside the sandbox and starts the host there.
# A Flatpak's XDG_CONFIG_HOME is ~/.var/app/<id>/config, and Firefox's ~/.mozilla is ~/.var/app/<id>/.mozilla.
_SNAPS = {"chromium": "chromium", "firefox": "firefox"}
_SNAP_HOSTS = {"chromium": "snap/chromium/common/chromium/NativeMessagingHosts"}
_FLATPAKS = {
    "chrome": "com.google.Chrome", "chromium": "org.chromium.Chromium", "brave": "com.brave.Browser",
    "edge": "com.microsoft.Edge", "vivaldi": "com.vivaldi.Vivaldi", "firefox": "org.mozilla.firefox",
}
_SYSTEM_FLATPAK_APPS = Path("/var/lib/flatpak/app")


@dataclass(frozen=True, slots=True)
class Sandboxed:
    """`browser` installed as a Snap or a Flatpak `package`, reading host manifests in `reads`."""
    browser: str
    packaging: str  # "snap" or "flatpak"
    package: str  # the snap's name or the Flatpak's application id
    reads: Path
    starts_helper: bool  # it can start smallprint-bridge from a manifest there (Firefox's snap, through the portal)

    def problem(self) -> str:
        """Why this package cannot use smallprint's helper, and what to do instead (one line)."""
        label = f"{self.browser} here is the {'Snap' if self.packaging == 'snap' else 'Flatpak'} {self.package}"
        if self.packaging == "snap":
            return (f"{label}, whose confinement does not let it start programs from outside the snap "
                    f"(smallprint-bridge and its Python cannot run there; it reads host manifests only in "
                    f"{self.reads}): install {self.browser} from a .deb or .rpm package instead of the snap, "
                    "or use Firefox")
        return (f"{label}, whose sandbox reads host manifests only in {self.reads} and cannot start "
                f"smallprint-bridge outside the sandbox: install {self.browser} from a .deb or .rpm package "
                "instead of Flathub, or use another browser (a Flatpak can only do it through flatpak-spawn --host "
                f"after `flatpak override --user --talk-name=org.freedesktop.Flatpak {self.package}`, which lets "
                "it run any program outside its sandbox; install-host does not set that up)")


def sandboxed_installs(browser: str, *, platform: str = sys.platform, home: Path | None = None) -> tuple[Sandboxed, ...]:
    """The Snap and Flatpak packages of `browser` installed for this user (Linux only)."""
    if not platform.startswith("linux"):
        return ()
    home = home or Path.home()
    found = []
    snap = _SNAPS.get(browser)
    if snap and ((home / "snap" / snap).is_dir() or any(
            found_at and _starts_snap(Path(found_at), snap) for found_at in map(shutil.which, _COMMANDS[browser]))):
        if browser == "firefox":
            found.append(Sandboxed(browser, "snap", snap, home / _LINUX_FIREFOX_DIR, starts_helper=True))
        else:
            found.append(Sandboxed(browser, "snap", snap, home / _SNAP_HOSTS[browser], starts_helper=False))
    app = _FLATPAKS[browser]
    if any(folder.is_dir() for folder in (home / ".var" / "app" / app, home / ".local/share/flatpak/app" / app,
                                          _SYSTEM_FLATPAK_APPS / app)):
        sandbox = home / ".var" / "app" / app
        reads = (sandbox / _LINUX_FIREFOX_DIR if browser == "firefox" else
                 sandbox / "config" / _LINUX_CONFIG_DIRS[browser])
        found.append(Sandboxed(browser, "flatpak", app, reads, starts_helper=False))
    return tuple(found)


def _starts_snap(command: Path, snap: str) -> bool:
    """`command` runs the snap: it is in a snap/bin folder (/snap/bin, /var/lib/snapd/snap/bin), a link to
    /usr/bin/snap, or a small script that execs /snap/bin/<snap> (Ubuntu's /usr/bin/chromium-browser and
    /usr/bin/firefox, left by the packages that moved to snaps)."""
    if command.parent.name == "bin" and command.parent.parent.name == "snap":
        return True
    try:
        if command.resolve().name == "snap":
            return True
        if command.stat().st_size > 16_384:
            return False  # a browser's own binary, not a shell script
        with command.open("rb") as script:
            head = script.read(16_384)
    except OSError:
        return False
    return head.startswith(b"#!") and f"/snap/bin/{snap}".encode() in head


def refusal(browser: str, *, platform: str = sys.platform, home: Path | None = None) -> str | None:
    """Why install-host does not register `browser` in its per-user folder, or None: the only `browser` here is a Snap
    or Flatpak that would not use that manifest or could not start the helper from it."""
    sandboxes = sandboxed_installs(browser, platform=platform, home=home)
    if (not sandboxes or any(s.starts_helper for s in sandboxes)
            or _native_installed(browser, platform=platform, home=home)):
        return None
    return "; and ".join(s.problem() for s in sandboxes)


def notes(browser: str, *, platform: str = sys.platform, home: Path | None = None) -> list[str]:
    """What to know about `browser`'s registration when install-host does make it: a Snap or Flatpak copy beside
    the ordinary browser that will not use it, and how Firefox's snap starts the helper."""
    if refusal(browser, platform=platform, home=home):
        return []
    said = []
    for sandbox in sandboxed_installs(browser, platform=platform, home=home):
        if sandbox.starts_helper:
            said.append(f"{browser} here is the Snap {sandbox.package}: it starts the helper through the desktop's "
                        "WebExtensions portal (xdg-desktop-portal), which reads this same manifest and may ask you "
                        "once to allow it; if the popup says the helper could not start, install xdg-desktop-portal "
                        "and log in again, or use Firefox from Mozilla's .deb package")
        else:
            said.append(f"this registration is for the ordinary {browser}, not the other one: "
                        + sandbox.problem())
    return said


def detected_browsers(*, platform: str = sys.platform, home: Path | None = None) -> tuple[str, ...]:
    """The browsers installed for this user (used when no --browser is given); all of them on Windows, where a
    registry key for a browser that is absent does nothing."""
    if platform.startswith("win"):
        return BROWSERS
    return tuple(b for b in BROWSERS if browser_installed(b, platform=platform, home=home))


def _write_json_whole(path: Path, value) -> None:
    """Write `value` as JSON to `path` through a temporary file renamed over it, so that no reader (a browser, the
    next uninstall) ever finds half of it; the temporary file does not outlive a failure."""
    tmp = path.with_suffix(".json.tmp")
    try:
        tmp.write_text(json.dumps(value, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise


def install(browsers: tuple[str, ...], target_dir: Path | None = None, extension_dir: Path | None = None,
            launcher: Path | None = None) -> list[Placement]:
    ids = read_extension_ids(extension_dir or default_extension_dir())
    launcher = launcher or bridge_launcher()
    _require_utf8_path(launcher)
    done = []
    for place in placements(browsers, target_dir):
        try:
            place.manifest.parent.mkdir(parents=True, exist_ok=True)
            _write_json_whole(place.manifest, host_manifest(place.browser, launcher, ids))
        except OSError as exc:  # a bad --target-dir, a read-only profile: say which browser and which folder
            raise InstallError(f"cannot write the {place.browser} host manifest in {place.manifest.parent}: "
                               f"{exc.strerror or exc}") from None
        if place.registry_key:
            _set_registry(place.registry_key, str(place.manifest))
        done.append(place)
    if target_dir is None:
        _remember_placements(done)
    return done


# Where install wrote its manifests (the per-user locations only: a --target-dir is named again to uninstall), in
# smallprint's own state folder: those locations follow $CHROME_CONFIG_HOME and $XDG_CONFIG_HOME, and a manifest
# written under one value was left behind by an uninstall run under another (another terminal, a desktop session).
PLACEMENTS_RECORD = "host-manifests.json"


def _placements_record() -> Path:
    from smallprint import paths
    return paths.state_dir() / PLACEMENTS_RECORD


def _remembered_placements() -> list[Placement]:
    """What earlier installs recorded; nothing where the record is missing or unreadable (installs before it)."""
    try:
        entries = json.loads(_placements_record().read_text(encoding="utf-8"))
        return [Placement(e["browser"], Path(e["manifest"]), e.get("registry_key"),
                          Path(e["keep"]) if e.get("keep") else None)
                for e in entries if e.get("browser") in BROWSERS and os.path.isabs(e.get("manifest", ""))]
    except (OSError, ValueError, TypeError, AttributeError, KeyError):
        return []


def _write_placements_record(places: list[Placement]) -> None:
    """Best effort: a state folder that cannot be written costs only the cleanup of a manifest whose folder moved,
    never the install or uninstall itself."""
    from smallprint import paths
    record = _placements_record()
    with contextlib.suppress(OSError):
        if not places:
            record.unlink(missing_ok=True)
            return
        paths.ensure(record.parent)
        _write_json_whole(record, [{"browser": p.browser, "manifest": str(p.manifest), "registry_key": p.registry_key,
                                    "keep": str(p.keep) if p.keep else None} for p in places])


def _remember_placements(written: list[Placement]) -> None:
    """Add what this install wrote to the record; what earlier installs wrote elsewhere stays in it."""
    kept = [p for p in _remembered_placements() if p.manifest not in {w.manifest for w in written}]
    _write_placements_record(kept + written)


def _is_our_manifest(manifest: Path) -> bool:
    """A file at a recorded place is removed only if it is still a smallprint host manifest: the folder may since be
    another config's, and the file anything."""
    if manifest.name != MANIFEST_FILE:
        return False
    try:
        written = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(written, dict) and written.get("name") == HOST_NAME and written.get("type") == "stdio"


def _require_utf8_path(launcher: Path) -> None:
    """A host manifest is JSON, which holds text, not bytes: a launcher whose path is not UTF-8 (a Latin-1 folder
    name from an old system) would be written as a lone surrogate escape that no browser turns back into the file's
    name, and the browser would say only that the host could not start. Refuse instead, naming the path."""
    try:
        str(launcher).encode("utf-8")
    except UnicodeEncodeError:
        from smallprint.cli.inputs import printable_name
        raise InstallError(f"the launcher's path {printable_name(str(launcher))} is not UTF-8, and a browser's host "
                           "manifest can name only a UTF-8 path: move smallprint to a folder whose name is UTF-8 "
                           "(or rename that folder) and run install-host again") from None


def uninstall(browsers: tuple[str, ...], target_dir: Path | None = None) -> list[Placement]:
    """Remove what `install` wrote; returns what was actually there. Without `target_dir`, also the manifests of
    these browsers that an earlier install recorded at other places (written under another $XDG_CONFIG_HOME or
    $CHROME_CONFIG_HOME), where they are still smallprint's."""
    current = placements(browsers, target_dir)
    remembered = [] if target_dir is not None else _remembered_placements()
    elsewhere = [p for p in remembered
                 if p.browser in browsers and p.manifest not in {c.manifest for c in current}]
    removed = []
    for place in current + [p for p in elsewhere if _is_our_manifest(p.manifest)]:
        existed = place.manifest.is_file()
        try:
            place.manifest.unlink(missing_ok=True)
        except OSError as exc:
            raise InstallError(f"cannot remove {place.manifest}: {exc.strerror or exc}") from None
        if place.registry_key and _delete_registry(place.registry_key):
            existed = True
        _remove_empty_folders(place.manifest.parent, place.keep)
        if existed:
            removed.append(place)
    if remembered:
        _write_placements_record([p for p in remembered if p.browser not in browsers])
    return removed


def _remove_empty_folders(folder: Path, keep: Path | None) -> None:
    """Remove `folder` and the folders above it, up to `keep` (exclusive), while they are empty: install made them
    (~/.config/chromium/NativeMessagingHosts on a machine where Chromium never ran), so uninstall takes them away."""
    if keep is None:
        return
    while folder != keep and folder.is_relative_to(keep):
        try:
            folder.rmdir()
        except OSError:
            return  # not empty (the browser's own files, another host's manifest), or not ours to remove
        folder = folder.parent


def _set_registry(key_path: str, value: str) -> None:
    import winreg  # Windows only; placements() only names registry keys there
    with winreg.CreateKey(winreg.HKEY_CURRENT_USER, key_path) as key:
        winreg.SetValueEx(key, "", 0, winreg.REG_SZ, value)


def _delete_registry(key_path: str) -> bool:
    import winreg
    try:
        winreg.DeleteKey(winreg.HKEY_CURRENT_USER, key_path)
    except FileNotFoundError:
        return False
    return True


def load_instructions(extension_dir: Path, ids: ExtensionIds, browsers: tuple[str, ...]) -> str:
    lines = []
    if any(b in CHROMIUM_FAMILY for b in browsers):
        lines += [
            "Chrome / Chromium / Brave / Edge / Vivaldi: open the extensions page (chrome://extensions),",
            "  turn on Developer mode, click \"Load unpacked\" and choose:",
            f"    {extension_dir}",
            f"  The extension's id will be {ids.chromium}.",
            "  Its button, which shows the grade, starts hidden: click the Extensions (puzzle-piece) button,",
            "  then the pin beside smallprint.",
        ]
    if "firefox" in browsers:
        lines += [
            "Firefox: open about:debugging#/runtime/this-firefox, click \"Load Temporary Add-on...\" and choose:",
            f"    {extension_dir / 'manifest.json'}",
            f"  (add-on id {ids.gecko}; a temporary add-on stays until Firefox restarts).",
            "  Its button, which shows the grade, starts hidden: click the Extensions (puzzle-piece) button,",
            "  then the gear beside smallprint and \"Pin to Toolbar\".",
        ]
    lines.append("Then open a privacy policy: its clauses are highlighted and the pinned smallprint button shows its "
                 "grade. `smallprint status` checks the daemon.")
    return "\n".join(lines)
