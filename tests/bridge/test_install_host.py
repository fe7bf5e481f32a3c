"""`smallprint install-host`: valid host manifests for every browser, the right extension ids, and --uninstall."""
from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from smallprint_bridge import install
from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "extension-bridge" / "extension"
CHROMIUM_FAMILY = ["chrome", "chromium", "brave", "edge", "vivaldi"]


def user_environment(home: Path, **extra: str) -> dict[str, str]:
    """A user whose home folder is home/user, with the XDG folders at their defaults unless `extra` names them
    (an XDG_CONFIG_HOME or CHROME_CONFIG_HOME of the person running the tests must not move where the manifests go)."""
    env = {k: v for k, v in os.environ.items() if k not in ("XDG_CONFIG_HOME", "CHROME_CONFIG_HOME")}
    return {**env, "SMALLPRINT_HOME": str(home), "HOME": str(home / "user"), **extra}


def smallprint(*args: str, home: Path, **extra_env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "smallprint", *args], capture_output=True, text=True,
                          env=user_environment(home, **extra_env), timeout=60)


def extension_manifest() -> dict:
    return json.loads((EXTENSION / "manifest.json").read_text())


def test_the_chromium_id_is_derived_from_the_key_the_way_chromium_does():
    # Chromium's documented rule: sha256 of the DER key, first 128 bits in hex, each digit 0-f written as a-p.
    der = b"\x30\x82 any DER bytes"
    digest = hashlib.sha256(der).hexdigest()[:32]
    expected = digest.translate(str.maketrans("0123456789abcdef", "abcdefghijklmnop"))
    assert install.chromium_extension_id(base64.b64encode(der).decode()) == expected
    assert len(expected) == 32 and set(expected) <= set("abcdefghijklmnop")


def test_the_shipped_extension_has_a_fixed_key_and_gecko_id():
    ids = install.read_extension_ids(EXTENSION)
    manifest = extension_manifest()
    assert ids.chromium == install.chromium_extension_id(manifest["key"])
    assert ids.gecko == manifest["browser_specific_settings"]["gecko"]["id"]


@pytest.mark.parametrize("browser", CHROMIUM_FAMILY + ["firefox"])
def test_install_host_writes_a_valid_manifest_into_the_target_dir(tmp_path, browser):
    target = tmp_path / "hosts"
    result = smallprint("install-host", "--browser", browser, "--target-dir", str(target), home=tmp_path)
    assert result.returncode == 0, result.stderr
    written = json.loads((target / "org.smallprint.bridge.json").read_text())
    ids = install.read_extension_ids(EXTENSION)
    assert written["name"] == "org.smallprint.bridge" and written["type"] == "stdio" and written["description"]
    launcher = Path(written["path"])
    assert launcher.is_absolute() and launcher.is_file() and os.access(launcher, os.X_OK)
    assert launcher.name == "smallprint-bridge"
    if browser == "firefox":
        assert written["allowed_extensions"] == [ids.gecko] and "allowed_origins" not in written
        assert "about:debugging" in result.stdout
        assert "Pin to Toolbar" in result.stdout  # the button that shows the grade starts hidden
    else:
        assert written["allowed_origins"] == [f"chrome-extension://{ids.chromium}/"]
        assert "allowed_extensions" not in written
        assert "Load unpacked" in result.stdout and ids.chromium in result.stdout
        assert "the pin beside smallprint" in result.stdout  # the button that shows the grade starts hidden
    assert str(EXTENSION) in result.stdout


def test_all_browsers_into_one_target_dir_get_a_folder_each_and_uninstall_removes_them(tmp_path):
    target = tmp_path / "hosts"
    assert smallprint("install-host", "--browser", "all", "--target-dir", str(target), home=tmp_path).returncode == 0
    files = sorted(p.relative_to(target).as_posix() for p in target.rglob("*.json"))
    assert files == sorted(f"{b}/org.smallprint.bridge.json" for b in CHROMIUM_FAMILY + ["firefox"])
    result = smallprint("install-host", "--browser", "all", "--target-dir", str(target), "--uninstall", home=tmp_path)
    assert result.returncode == 0 and result.stdout.count("removed") == 6
    assert list(target.iterdir()) == []


def test_uninstall_removes_the_manifest_and_is_quiet_when_nothing_is_there(tmp_path):
    target = tmp_path / "hosts"
    smallprint("install-host", "--browser", "chromium", "--target-dir", str(target), home=tmp_path)
    first = smallprint("install-host", "--browser", "chromium", "--target-dir", str(target), "--uninstall", home=tmp_path)
    assert first.returncode == 0 and "removed chromium" in first.stdout
    assert not (target / "org.smallprint.bridge.json").exists()
    again = smallprint("install-host", "--browser", "chromium", "--target-dir", str(target), "--uninstall", home=tmp_path)
    assert again.returncode == 0 and "nothing to remove" in again.stdout


def test_without_target_dir_it_writes_the_per_user_locations(tmp_path):
    user = tmp_path / "user"
    result = smallprint("install-host", "--browser", "chromium", "--browser", "firefox", home=tmp_path)
    assert result.returncode == 0, result.stderr
    if sys.platform == "darwin":
        chromium = user / "Library/Application Support/Chromium/NativeMessagingHosts"
        firefox = user / "Library/Application Support/Mozilla/NativeMessagingHosts"
    else:
        chromium = user / ".config/chromium/NativeMessagingHosts"
        firefox = user / ".mozilla/native-messaging-hosts"
    assert "allowed_origins" in json.loads((chromium / "org.smallprint.bridge.json").read_text())
    assert "allowed_extensions" in json.loads((firefox / "org.smallprint.bridge.json").read_text())
    smallprint("install-host", "--browser", "chromium", "--browser", "firefox", "--uninstall", home=tmp_path)
    assert not (chromium / "org.smallprint.bridge.json").exists() and not (firefox / "org.smallprint.bridge.json").exists()


@pytest.mark.skipif(sys.platform in ("darwin", "win32"), reason="XDG_CONFIG_HOME is where Linux's Chromium looks")
def test_the_chromium_family_manifests_follow_xdg_config_home_and_firefox_stays_in_home(tmp_path):
    """Chromium, Chrome, Brave, Edge and Vivaldi keep their profiles, NativeMessagingHosts included, in
    $XDG_CONFIG_HOME when it is set: a manifest in ~/.config was never read there ("native messaging host not
    found"). Firefox reads ~/.mozilla whatever XDG_CONFIG_HOME says."""
    config = tmp_path / "elsewhere" / "config"
    user = tmp_path / "user"
    result = smallprint("install-host", "--browser", "all", home=tmp_path, XDG_CONFIG_HOME=str(config))
    assert result.returncode == 0, result.stderr
    made = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("org.smallprint.bridge.json"))
    assert made == sorted([f"elsewhere/config/{folder}/org.smallprint.bridge.json" for folder in (
        "google-chrome/NativeMessagingHosts", "chromium/NativeMessagingHosts",
        "BraveSoftware/Brave-Browser/NativeMessagingHosts", "microsoft-edge/NativeMessagingHosts",
        "vivaldi/NativeMessagingHosts")] + ["user/.mozilla/native-messaging-hosts/org.smallprint.bridge.json"])
    assert not (user / ".config").exists()
    shown = smallprint("status", "--json", home=tmp_path, XDG_CONFIG_HOME=str(config)).stdout
    assert sorted(h["browser"] for h in json.loads(shown)["helpers"]) == sorted(CHROMIUM_FAMILY + ["firefox"])
    # A Chromium profile in the XDG folder makes Chromium count as installed, with no command on PATH.
    (config / "chromium" / "Default").mkdir(parents=True)
    detected = smallprint("install-host", home=tmp_path, XDG_CONFIG_HOME=str(config), PATH=str(tmp_path / "none"))
    assert "installed chromium" in detected.stdout, detected.stdout + detected.stderr


def test_uninstall_leaves_the_home_folder_as_install_found_it(tmp_path):
    """Uninstall removed the manifests but left the folders install made for them (~/.config/google-chrome,
    ~/.mozilla, ~/.config/BraveSoftware/...), empty, for browsers that were never there. Folders that hold
    anything else (a browser's profile, another program's host manifest) stay."""
    user = tmp_path / "user"
    (user / ".config" / "chromium" / "Default").mkdir(parents=True)  # Chromium has run
    (user / ".config" / "chromium" / "Default" / "Preferences").write_text("{}")
    other_host = user / ".mozilla" / "native-messaging-hosts" / "org.example.other.json"
    other_host.parent.mkdir(parents=True)
    other_host.write_text("{}")

    def tree() -> list[str]:
        return sorted(p.relative_to(user).as_posix() for p in user.rglob("*"))

    before = tree()
    assert smallprint("install-host", "--browser", "all", home=tmp_path).returncode == 0
    assert len(tree()) > len(before)
    result = smallprint("install-host", "--uninstall", home=tmp_path)
    assert result.returncode == 0 and result.stdout.count("removed") == 6, result.stdout
    assert tree() == before


@pytest.mark.skipif(sys.platform in ("darwin", "win32") or sys.getfilesystemencoding() != "utf-8",
                    reason="a file name that is not UTF-8 needs a bytes file system read as UTF-8")
def test_a_launcher_whose_path_is_not_utf8_is_refused_not_written_as_a_manifest_no_browser_can_use(tmp_path):
    """JSON cannot name the bytes of a Latin-1 folder ("caf\\xe9"): the manifest got a lone surrogate escape
    ("caf\\udce9") that no browser turns back into the file's name, so the host could never start."""
    folder = tmp_path / os.fsdecode(b"caf\xe9")
    folder.mkdir()
    launcher = folder / "smallprint-bridge"
    launcher.write_text("#!/bin/sh\n")
    launcher.chmod(0o755)
    target = tmp_path / "hosts"
    with pytest.raises(install.InstallError, match=r"caf\\xe9/smallprint-bridge is not UTF-8"):
        install.install(("chromium",), target, EXTENSION, launcher=launcher)
    assert not target.exists()


@pytest.mark.parametrize("platform,browser,expected", [
    ("linux", "chrome", ".config/google-chrome/NativeMessagingHosts"),
    ("linux", "brave", ".config/BraveSoftware/Brave-Browser/NativeMessagingHosts"),
    ("linux", "edge", ".config/microsoft-edge/NativeMessagingHosts"),
    ("linux", "vivaldi", ".config/vivaldi/NativeMessagingHosts"),
    ("linux", "firefox", ".mozilla/native-messaging-hosts"),
    ("darwin", "chrome", "Library/Application Support/Google/Chrome/NativeMessagingHosts"),
    ("darwin", "firefox", "Library/Application Support/Mozilla/NativeMessagingHosts"),
])
def test_per_user_locations_on_linux_and_macos(tmp_path, platform, browser, expected):
    (place,) = install.placements((browser,), platform=platform, home=tmp_path)
    assert place.manifest == tmp_path / expected / "org.smallprint.bridge.json"
    assert place.registry_key is None


@pytest.mark.parametrize("browser,key", [
    ("chrome", r"Software\Google\Chrome\NativeMessagingHosts\org.smallprint.bridge"),
    ("edge", r"Software\Microsoft\Edge\NativeMessagingHosts\org.smallprint.bridge"),
    ("firefox", r"Software\Mozilla\NativeMessagingHosts\org.smallprint.bridge"),
])
def test_windows_uses_a_per_user_registry_key(smallprint_home, browser, key):
    (place,) = install.placements((browser,), platform="win32")
    assert place.registry_key == key
    assert place.manifest.is_relative_to(smallprint_home)


@pytest.mark.parametrize("args,message", [
    (["--target-dir", "x"], "say which --browser"),
    (["--browser", "chromium", "--target-dir", "x", "--extension-dir", "/nonexistent"], "no extension manifest"),
    (["--browser", "chromium", "--target-dir", "a-file"], "cannot write the chromium host manifest in"),
    (["--browser", "firefox", "--target-dir", "a-file/below"], "cannot write the firefox host manifest in"),
])
def test_mistakes_get_one_clear_line(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a-file").write_text("not a folder")
    result = smallprint("install-host", *args, home=tmp_path)
    assert result.returncode != 0 and message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def plain_run(*args: str, home: Path, path: Path) -> subprocess.CompletedProcess:
    """install-host with a PATH that holds only `path` (the browsers' commands a test puts there)."""
    return smallprint(*args, home=home, PATH=str(path))


def test_without_browser_only_installed_browsers_get_a_manifest_and_the_others_are_named(tmp_path):
    commands = tmp_path / "bin"
    commands.mkdir()
    launcher = commands / "chromium"  # Chromium is installed (its command is on PATH) ...
    launcher.write_text("#!/bin/sh\n")
    launcher.chmod(0o755)
    user = tmp_path / "user"
    (user / ".mozilla" / "firefox").mkdir(parents=True)  # ... and Firefox has a profile (it has run)
    result = plain_run("install-host", home=tmp_path, path=commands)
    assert result.returncode == 0, result.stderr
    assert "installed chromium" in result.stdout and "installed firefox" in result.stdout
    assert "skipped (not installed for this user): chrome, brave, edge, vivaldi" in result.stdout
    made = sorted(p.relative_to(user).as_posix() for p in user.rglob("org.smallprint.bridge.json"))
    assert made == [".config/chromium/NativeMessagingHosts/org.smallprint.bridge.json",
                    ".mozilla/native-messaging-hosts/org.smallprint.bridge.json"]
    assert sorted(p.name for p in (user / ".config").iterdir()) == ["chromium"]  # no folders for absent browsers

    # Without the command, the folder install-host made itself does not make Chromium look installed next time.
    launcher.unlink()
    again = plain_run("install-host", home=tmp_path, path=commands)
    assert again.returncode == 0 and "installed chromium" not in again.stdout and "installed firefox" in again.stdout


def test_without_any_browser_nothing_is_written_and_it_says_so(tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    result = plain_run("install-host", home=tmp_path, path=empty)
    assert result.returncode == 1 and "no supported browser found" in result.stderr and "--browser" in result.stderr
    assert not (tmp_path / "user").exists() or not any((tmp_path / "user").rglob("*"))
    # Naming one still works on such a machine (a browser installed elsewhere, a custom profile).
    named = plain_run("install-host", "--browser", "vivaldi", home=tmp_path, path=empty)
    assert named.returncode == 0 and "installed vivaldi" in named.stdout


def test_status_names_the_registered_helpers_and_one_whose_launcher_is_gone(tmp_path):
    """The popup's "could not start" (smallprint moved) sends the reader to `smallprint status`, which said nothing
    about the browsers' registration: it now names each manifest, its launcher, and one that is gone."""
    assert "not registered with any browser" in smallprint("status", home=tmp_path).stdout
    assert smallprint("install-host", "--browser", "firefox", home=tmp_path).returncode == 0
    manifest = tmp_path / "user" / ".mozilla" / "native-messaging-hosts" / "org.smallprint.bridge.json"
    launcher = json.loads(manifest.read_text())["path"]
    shown = smallprint("status", home=tmp_path).stdout
    assert f"helper:      firefox: {manifest} -> {launcher}\n" in shown and "gone" not in shown, shown
    moved = tmp_path / "old-checkout" / ".venv" / "bin" / "smallprint-bridge"
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "path": str(moved)}))
    shown = smallprint("status", home=tmp_path).stdout
    assert f"helper:      firefox: {manifest} -> {moved}\n" in shown
    assert "that launcher is gone" in shown and "run `smallprint install-host --browser firefox`" in shown, shown
    report = json.loads(smallprint("status", "--json", home=tmp_path).stdout)
    assert report["helpers"] == [{"browser": "firefox", "manifest": str(manifest), "launcher": str(moved),
                                  "launcher_ok": False}]


def test_install_host_says_which_smallprint_to_run_when_its_folder_is_not_on_path(tmp_path):
    """The popup's fixes say `smallprint install-host` / `smallprint serve`; after scripts/demo, whose .venv/bin is not
    on PATH, that is "command not found". install-host now says which command to run instead."""
    here = Path(sys.executable).parent / "smallprint"
    require(here.is_file(), f"no smallprint script beside {sys.executable} (pip install -e .)")
    target = ["install-host", "--browser", "firefox", "--target-dir", str(tmp_path / "hosts")]
    env = {**os.environ, "SMALLPRINT_HOME": str(tmp_path), "HOME": str(tmp_path / "user")}
    off_path = subprocess.run([sys.executable, "-m", "smallprint", *target], capture_output=True, text=True,
                              env={**env, "PATH": "/usr/bin:/bin"}, timeout=60)
    assert off_path.returncode == 0, off_path.stderr
    assert f"Where the popup says `smallprint ...`, run {here.absolute()} ..." in off_path.stdout, off_path.stdout
    on_path = subprocess.run([sys.executable, "-m", "smallprint", *target], capture_output=True, text=True,
                             env={**env, "PATH": f"{here.parent}:/usr/bin:/bin"}, timeout=60)
    assert on_path.returncode == 0 and "Where the popup says" not in on_path.stdout, on_path.stdout


def fake_command(folder: Path, name: str, text: str = "#!/bin/sh\n") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    command = folder / name
    command.write_text(text)
    command.chmod(0o755)
    return command


def manifests_under(user: Path) -> list[str]:
    return sorted(p.relative_to(user).as_posix() for p in user.rglob("org.smallprint.bridge.json"))


linux_only = pytest.mark.skipif(sys.platform != "linux", reason="Snap, Flatpak and CHROME_CONFIG_HOME are Linux's")


@linux_only
@pytest.mark.parametrize("command", ["snap/bin/chromium", "usr/bin/chromium-browser"])
def test_snap_chromium_is_not_reported_as_installed_and_status_says_why(tmp_path, command):
    """Ubuntu's chromium is a snap (/snap/bin/chromium, or the /usr/bin/chromium-browser script left to start it):
    install-host said "installed chromium" for ~/.config/chromium/NativeMessagingHosts, which that Chromium never
    reads (its launcher sets CHROME_CONFIG_HOME=~/snap/chromium/common), and its confinement cannot start the helper
    anyway. It now registers nothing for it and says what to do; status says the same."""
    folder = tmp_path / Path(command).parent
    fake_command(folder, Path(command).name, "#!/bin/sh\nexec /snap/bin/chromium \"$@\"\n")
    user = tmp_path / "user"
    detected = plain_run("install-host", home=tmp_path, path=folder)
    assert "installed chromium" not in detected.stdout, detected.stdout
    assert "chromium not registered: chromium here is the Snap chromium" in detected.stderr
    assert str(user / "snap/chromium/common/chromium/NativeMessagingHosts") in detected.stderr
    assert ".deb" in detected.stderr and detected.returncode == 1  # nothing else here to register
    named = plain_run("install-host", "--browser", "chromium", home=tmp_path, path=folder)
    assert named.returncode == 1 and "installed" not in named.stdout and "Snap chromium" in named.stderr
    assert manifests_under(user) == []
    # A manifest an earlier install-host wrote there is shown, with why this Chromium does not use it.
    assert plain_run("install-host", "--browser", "chromium", "--target-dir",
                     str(user / ".config/chromium/NativeMessagingHosts"), home=tmp_path, path=folder).returncode == 0
    shown = plain_run("status", home=tmp_path, path=folder).stdout
    assert "helper:      chromium: " in shown and "helper:      chromium cannot use it: chromium here is the Snap" in shown
    report = json.loads(plain_run("status", "--json", home=tmp_path, path=folder).stdout)
    assert list(report["unusable_browsers"]) == ["chromium"]


@linux_only
def test_an_ordinary_chromium_beside_the_snap_is_registered_with_a_note(tmp_path):
    commands = tmp_path / "bin"
    fake_command(commands, "chromium")  # a .deb Chromium ...
    (tmp_path / "user" / "snap" / "chromium" / "common").mkdir(parents=True)  # ... and the snap, which has run
    result = plain_run("install-host", "--browser", "chromium", home=tmp_path, path=commands)
    assert result.returncode == 0, result.stderr
    assert manifests_under(tmp_path / "user") == [".config/chromium/NativeMessagingHosts/org.smallprint.bridge.json"]
    assert "installed chromium" in result.stdout and "note: this registration is for the ordinary chromium" in result.stdout


@linux_only
@pytest.mark.parametrize("browser,app,found_at", [
    ("chrome", "com.google.Chrome", ".var/app"),  # the Flatpak has run
    ("chromium", "org.chromium.Chromium", ".var/app"),
    ("brave", "com.brave.Browser", ".local/share/flatpak/app"),  # installed for this user, never run
    ("firefox", "org.mozilla.firefox", ".var/app"),
])
def test_a_flatpak_browser_is_detected_and_refused_with_what_to_do(tmp_path, browser, app, found_at):
    """A Flatpak browser reads manifests in ~/.var/app/<id>, not ~/.config or ~/.mozilla, and its sandbox cannot start
    a program in the user's virtual environment: it was not detected, and `--browser chrome` wrote where Flatpak
    Chrome never reads, reporting success."""
    empty = tmp_path / "bin"
    empty.mkdir()
    user = tmp_path / "user"
    (user / found_at / app).mkdir(parents=True)
    named = plain_run("install-host", "--browser", browser, home=tmp_path, path=empty)
    assert named.returncode == 1 and f"installed {browser}" not in named.stdout
    assert f"{browser} here is the Flatpak {app}" in named.stderr and str(user / ".var/app" / app) in named.stderr
    assert f"flatpak override --user --talk-name=org.freedesktop.Flatpak {app}" in named.stderr
    assert manifests_under(user) == []
    detected = plain_run("install-host", home=tmp_path, path=empty)
    assert detected.returncode == 1 and "no supported browser found" not in detected.stderr
    assert f"{browser} not registered: {browser} here is the Flatpak" in detected.stderr
    assert f"helper:      {browser} cannot use it" in plain_run("status", home=tmp_path, path=empty).stdout


@linux_only
def test_the_snap_firefox_is_registered_in_mozilla_folder_with_a_note_on_the_portal(tmp_path):
    """Firefox's snap starts native hosts through the desktop's WebExtensions portal, which reads the ordinary
    ~/.mozilla/native-messaging-hosts: registered there, with a note that says so (and what to do if it fails)."""
    folder = tmp_path / "snap" / "bin"
    fake_command(folder, "firefox")
    result = plain_run("install-host", home=tmp_path, path=folder)
    assert result.returncode == 0, result.stderr
    assert manifests_under(tmp_path / "user") == [".mozilla/native-messaging-hosts/org.smallprint.bridge.json"]
    assert "installed firefox" in result.stdout and "WebExtensions portal" in result.stdout
    assert "note: firefox here is the Snap firefox" in plain_run("status", home=tmp_path, path=folder).stdout


@linux_only
def test_chrome_config_home_takes_precedence_over_xdg_config_home(tmp_path):
    """Chromium reads CHROME_CONFIG_HOME, its own override, before XDG_CONFIG_HOME: a manifest in the XDG folder
    was never read there. Firefox stays in ~/.mozilla."""
    chrome_config = tmp_path / "chrome-config"
    env = {"CHROME_CONFIG_HOME": str(chrome_config), "XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    result = smallprint("install-host", "--browser", "chrome", "--browser", "firefox", home=tmp_path, **env)
    assert result.returncode == 0, result.stderr
    assert manifests_under(tmp_path) == ["chrome-config/google-chrome/NativeMessagingHosts/org.smallprint.bridge.json",
                                         "user/.mozilla/native-messaging-hosts/org.smallprint.bridge.json"]
    report = json.loads(smallprint("status", "--json", home=tmp_path, **env).stdout)
    assert sorted(h["browser"] for h in report["helpers"]) == ["chrome", "firefox"]


@linux_only
@pytest.mark.parametrize("variable", ["XDG_CONFIG_HOME", "CHROME_CONFIG_HOME"])
def test_uninstall_removes_the_manifests_written_under_another_config_home(tmp_path, variable):
    """The Chromium family's manifests follow $XDG_CONFIG_HOME (or $CHROME_CONFIG_HOME): installed under one value
    and uninstalled under another (another terminal, a desktop session), they stayed, and the browser went on
    starting a helper the person had removed. Install records where it wrote them; uninstall removes those too, but
    only a file that is still smallprint's manifest."""
    first, second = tmp_path / "first-config", tmp_path / "second-config"
    installed = smallprint("install-host", "--browser", "chromium", "--browser", "chrome", "--browser", "firefox",
                           home=tmp_path, **{variable: str(first)})
    assert installed.returncode == 0, installed.stderr
    assert manifests_under(first) == ["chromium/NativeMessagingHosts/org.smallprint.bridge.json",
                                      "google-chrome/NativeMessagingHosts/org.smallprint.bridge.json"]
    # the Chrome folder is another program's by now: a file of that name that is not smallprint's stays
    not_ours = first / "google-chrome" / "NativeMessagingHosts" / "org.smallprint.bridge.json"
    not_ours.write_text(json.dumps({"name": "org.example.other", "type": "stdio"}))
    removed = smallprint("install-host", "--uninstall", home=tmp_path, **{variable: str(second)})
    assert removed.returncode == 0, removed.stderr
    assert f"removed chromium: {first / 'chromium/NativeMessagingHosts/org.smallprint.bridge.json'}" in removed.stdout
    assert manifests_under(first) == ["google-chrome/NativeMessagingHosts/org.smallprint.bridge.json"]
    assert not (first / "chromium").exists()  # the folders install made, left empty, go as well
    assert manifests_under(tmp_path / "user") == []
    again = smallprint("install-host", "--uninstall", home=tmp_path, **{variable: str(second)})
    assert "nothing to remove" in again.stdout
