"""The API token store: a real file-based keyring backend, the 0600 file fallback, rotation, comparison."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import keyring
import pytest
from keyring.backends import fail, null
from keyrings.alt.file import PlaintextKeyring

from smallprint import auth, paths


@pytest.fixture
def use_keyring(tmp_path, monkeypatch):
    """Install a keyring backend for the test and restore the previous one after. `explicit`: named in
    PYTHON_KEYRING_BACKEND, as a person (or a test) forces one; otherwise as if keyring had found it installed."""
    previous = keyring.get_keyring()

    def use(backend, explicit: bool = True):
        if isinstance(backend, PlaintextKeyring):
            backend.file_path = str(tmp_path / "keyring_pass.cfg")
        if explicit:
            monkeypatch.setenv("PYTHON_KEYRING_BACKEND", f"{type(backend).__module__}.{type(backend).__qualname__}")
        else:
            monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
        keyring.set_keyring(backend)
        return backend

    yield use
    keyring.set_keyring(previous)


class BrokenKeyring(PlaintextKeyring):
    """A backend that exists but fails, like a locked Secret Service without D-Bus."""
    priority = 1

    def get_password(self, service, username):
        raise keyring.errors.KeyringError("no D-Bus session")

    def set_password(self, service, username, password):
        raise keyring.errors.PasswordSetError("no D-Bus session")


def test_keyring_backend_keeps_the_token(smallprint_home, use_keyring):
    backend = use_keyring(PlaintextKeyring())
    token = auth.get_token()
    assert len(token) >= 40
    assert auth.get_token() == token
    assert backend.get_password(auth.SERVICE, auth.USERNAME) == token
    assert auth.token_store_name() == "keyring:keyrings.alt.file.PlaintextKeyring"
    assert not paths.token_file().exists()


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring(), BrokenKeyring()],
                         ids=["fail", "null", "broken"])
def test_file_fallback_is_private(smallprint_home, use_keyring, backend):
    use_keyring(backend)
    token = auth.get_token()
    path = paths.token_file()
    assert auth.token_store_name() == f"file:{path}"
    assert path.read_text().strip() == token
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert auth.get_token() == token
    assert list(path.parent.glob(".token-*")) == []  # no temp files left behind


@pytest.mark.parametrize("backend_factory", [PlaintextKeyring, fail.Keyring], ids=["keyring", "file"])
def test_rotate_replaces_the_token(smallprint_home, use_keyring, backend_factory):
    use_keyring(backend_factory())
    old = auth.get_token()
    new = auth.rotate_token()
    assert new != old and auth.get_token() == new
    if backend_factory is fail.Keyring:
        assert stat.S_IMODE(paths.token_file().stat().st_mode) == 0o600


@pytest.mark.parametrize("backend_factory", [PlaintextKeyring, fail.Keyring], ids=["keyring", "file"])
def test_no_token_without_create(smallprint_home, use_keyring, backend_factory):
    use_keyring(backend_factory())
    with pytest.raises(auth.TokenNotFound, match="smallprint token"):
        auth.get_token(create=False)
    token = auth.get_token()
    assert auth.get_token(create=False) == token


@pytest.mark.parametrize("given, expected, match", [
    ("abc", "abc", True),
    ("abd", "abc", False),
    ("ab", "abc", False),
    ("", "abc", False),
    (None, "abc", False),
    ("é", "é", True),
])
def test_tokens_match(given, expected, match):
    assert auth.tokens_match(given, expected) is match


def test_a_plaintext_keyring_found_installed_is_no_keyring(smallprint_home, use_keyring, monkeypatch):
    """Finding 11 of issue 13: keyrings.alt (a test dependency) made keyring pick its PlaintextKeyring, so the
    token went to a plaintext file outside SMALLPRINT_HOME while status said "keyring"."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(smallprint_home / "xdg-config"))  # no keyringrc there
    backend = use_keyring(PlaintextKeyring(), explicit=False)
    token = auth.get_token()
    assert auth.token_store_name() == f"file:{paths.token_file()}"
    assert paths.token_file().read_text().strip() == token
    assert backend.get_password(auth.SERVICE, auth.USERNAME) is None


def test_two_homes_do_not_share_a_token_through_an_installed_plaintext_keyring(tmp_path):
    """The same through the real CLI, with keyrings.alt installed (it is a test dependency) and no backend named."""
    def cli(home, *args):
        env = {k: v for k, v in os.environ.items() if k != "PYTHON_KEYRING_BACKEND"}
        env.update(SMALLPRINT_HOME=str(home), HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "xdg-data"),
                   XDG_CONFIG_HOME=str(tmp_path / "xdg-config"))
        result = subprocess.run([sys.executable, "-m", "smallprint", *args], env=env, capture_output=True,
                                text=True, timeout=60)
        return result.stdout.strip()

    first, second = tmp_path / "one", tmp_path / "two"
    assert cli(first, "token") != cli(second, "token")
    report = json.loads(cli(first, "status", "--json"))
    assert report["token_store"] == f"file:{first / 'config' / 'token'}"
    assert not (tmp_path / "xdg-data" / "python_keyring").exists()


def _no_space(fd):
    raise OSError(28, "No space left on device")


def test_a_token_that_cannot_be_stored_is_an_error_naming_the_file(smallprint_home, use_keyring, monkeypatch):
    """On a full disk `smallprint token` printed a bare `[Errno 28] No space left on device`."""
    use_keyring(fail.Keyring())
    monkeypatch.setattr(os, "fsync", _no_space)
    with pytest.raises(auth.TokenStoreError) as caught:
        auth.get_token()
    assert str(caught.value) == f"cannot write the API token file {paths.token_file()}: No space left on device"
    assert list(paths.token_file().parent.iterdir()) == []  # no temporary file left


def test_a_token_folder_under_a_file_is_an_error_naming_the_file(tmp_path, use_keyring, monkeypatch):
    use_keyring(fail.Keyring())
    (tmp_path / "not-a-folder").write_text("")
    monkeypatch.setattr(paths, "token_file", lambda: tmp_path / "not-a-folder" / "token")
    with pytest.raises(auth.TokenStoreError, match=r"^cannot (read|write) the API token file .*not-a-folder/token: "
                                                   r"Not a directory$"):
        auth.get_token()


def test_a_damaged_token_file_names_itself_and_the_cure(smallprint_home, use_keyring):
    use_keyring(fail.Keyring())
    paths.ensure(paths.token_file().parent)
    paths.token_file().write_bytes(b"\xff\xfe token")
    with pytest.raises(auth.TokenStoreError) as caught:
        auth.get_token()
    assert str(caught.value) == (f"the API token file {paths.token_file()} is damaged (not UTF-8 text); replace it "
                                 "with `smallprint token --rotate`")
    token = auth.rotate_token()  # the cure it names
    assert auth.get_token() == token


def test_the_token_command_says_which_file_it_cannot_write(smallprint_home, use_keyring, monkeypatch, capsys):
    from smallprint.cli import main
    use_keyring(fail.Keyring())
    monkeypatch.setattr(os, "fsync", _no_space)
    assert main(["token"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (f"smallprint: cannot write the API token file {paths.token_file()}: "
                            "No space left on device\n")


def test_a_token_file_others_may_read_is_made_private_again(smallprint_home, use_keyring):
    """A token file copied or restored from a backup comes 0644: every local user could read the token. Reading it
    makes it 0600 again, and it stays the same token."""
    use_keyring(fail.Keyring())
    paths.ensure(paths.token_file().parent)
    paths.token_file().write_text("a-token-from-a-backup\n")
    paths.token_file().chmod(0o644)
    assert auth.get_token() == "a-token-from-a-backup"
    assert stat.S_IMODE(paths.token_file().stat().st_mode) == 0o600
