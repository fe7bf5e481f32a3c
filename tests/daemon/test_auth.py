"""The API token store: a real file-based keyring backend, the 0600 file fallback, rotation, comparison."""
from __future__ import annotations

import stat

import keyring
import pytest
from keyring.backends import fail, null
from keyrings.alt.file import PlaintextKeyring

from smallprint import auth, paths


@pytest.fixture
def use_keyring(tmp_path):
    """Install a keyring backend for the test and restore the previous one after."""
    previous = keyring.get_keyring()

    def use(backend):
        if isinstance(backend, PlaintextKeyring):
            backend.file_path = str(tmp_path / "keyring_pass.cfg")
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
