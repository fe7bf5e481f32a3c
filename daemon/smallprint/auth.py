"""The API token: created on first use, kept in the OS keyring, or in a 0600 file where no keyring works.

The daemon checks `Authorization: Bearer <token>` on every route but /v1/health; the CLI and the native-messaging
bridge read the same token through `get_token()`.

Where the token lives:
- `keyring` (service "smallprint", username "api-token") when a usable backend exists;
- otherwise `smallprint.paths.token_file()`, written atomically with mode 0600. "Unusable" means keyring's
  fail/null backends (headless Linux, CI), a chainer with no backends, or any error from the backend; and a
  plaintext keyring (keyrings.alt's PlaintextKeyring) that keyring merely found installed: it keeps the token in
  a readable file outside smallprint's own folders, shared by every SMALLPRINT_HOME, while a status "keyring"
  would suggest a protected store. The 0600 file in the config folder is used instead, and said.

`PYTHON_KEYRING_BACKEND` (read by keyring itself), or keyring's own config file, forces a backend, which is how
the tests pick one: a backend chosen that way is used even if it is a plaintext one.
"""
from __future__ import annotations

import hmac
import os
import secrets
import tempfile
from pathlib import Path

from . import paths

SERVICE = "smallprint"
USERNAME = "api-token"
# 32 random bytes, URL-safe: fits an HTTP header without quoting.
TOKEN_BYTES = 32


class TokenNotFound(LookupError):
    """No token is stored yet and the caller asked not to create one."""


class TokenStoreError(OSError):
    """The token file cannot be read or written (a full or read-only disk, a damaged file): the message names the
    file and the cause in one line."""


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _usable_keyring():
    """The active keyring backend if it can actually store secrets, else None.

    keyring is imported lazily: importing it scans entry points, which costs a few hundred ms that
    commands such as `smallprint analyze` should not pay.
    """
    try:
        import keyring
        from keyring.backends import chainer, fail, null

        backend = keyring.get_keyring()
    except Exception:  # a broken keyring installation is the same as none
        return None
    if isinstance(backend, (fail.Keyring, null.Keyring)):
        return None
    if isinstance(backend, chainer.ChainerBackend):
        if not backend.backends:
            return None
        first = backend.backends[0]  # where the chainer writes
        if _is_plaintext(first) and not _chosen_explicitly():
            return None
    elif _is_plaintext(backend) and not _chosen_explicitly():
        return None
    return backend


def _is_plaintext(backend) -> bool:
    """A backend that writes secrets to a file as they are (keyrings.alt's PlaintextKeyring and its kin)."""
    return any(cls.__name__ == "PlaintextKeyring" for cls in type(backend).__mro__)


def _chosen_explicitly() -> bool:
    """Whether the person (or a test) named the backend: PYTHON_KEYRING_BACKEND or keyring's config file."""
    if os.environ.get("PYTHON_KEYRING_BACKEND"):
        return True
    try:
        from keyring.core import load_config

        return load_config() is not None
    except Exception:
        return False


def _backend_name(backend) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def _new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def _read_file_token() -> str | None:
    path = paths.token_file()
    try:
        with open(path, "rb") as handle:
            paths.keep_private(handle.fileno())
            token = handle.read().decode("utf-8").strip()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise TokenStoreError(f"cannot read the API token file {path}: {_reason(exc)}") from None
    except UnicodeDecodeError:
        raise TokenStoreError(f"the API token file {path} is damaged (not UTF-8 text); replace it with "
                              "`smallprint token --rotate`") from None
    return token or None


def _write_file_token(token: str) -> None:
    """Write atomically (temp file + rename) so a reader never sees a half-written token, mode 0600 from birth."""
    target = paths.token_file()
    try:
        paths.ensure(target.parent)
        fd, tmp = tempfile.mkstemp(prefix=".token-", dir=target.parent)  # mkstemp creates the file 0600
    except OSError as exc:
        raise TokenStoreError(f"cannot write the API token file {target}: {_reason(exc)}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(token + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise TokenStoreError(f"cannot write the API token file {target}: {_reason(exc)}") from None
        raise


def _keyring_get(backend) -> str | None:
    """The token from the keyring; raises when the backend fails (the caller then falls back to the file)."""
    return backend.get_password(SERVICE, USERNAME) or None


def get_token(create: bool = True) -> str:
    """The API token, created and stored on first use (unless `create` is False: then TokenNotFound)."""
    backend = _usable_keyring()
    if backend is not None:
        try:
            token = _keyring_get(backend)
            if token is None and create:
                token = _new_token()
                backend.set_password(SERVICE, USERNAME, token)
            if token is not None:
                return token
            raise TokenNotFound(f"no API token yet in {token_store_name()}; run `smallprint token` to create one")
        except TokenNotFound:
            raise
        except Exception:
            pass  # the backend exists but does not work (locked, no D-Bus...): use the file
    token = _read_file_token()
    if token is None:
        if not create:
            raise TokenNotFound(f"no API token yet in {paths.token_file()}; run `smallprint token` to create one")
        token = _new_token()
        _write_file_token(token)
    return token


def rotate_token() -> str:
    """Replace the token with a fresh one and return it. Clients holding the old one get 401 from then on."""
    token = _new_token()
    backend = _usable_keyring()
    if backend is not None:
        try:
            backend.set_password(SERVICE, USERNAME, token)
            return token
        except Exception:
            pass
    _write_file_token(token)
    return token


def token_store_name() -> str:
    """Where the token lives: "keyring:<backend class>" or "file:<path>" (shown by `smallprint status`)."""
    backend = _usable_keyring()
    if backend is not None:
        try:
            _keyring_get(backend)
            return f"keyring:{_backend_name(backend)}"
        except Exception:
            pass
    return f"file:{paths.token_file()}"


def tokens_match(given: str | None, expected: str) -> bool:
    """Constant-time comparison, so response timing does not leak how much of a guess was right."""
    if not given:
        return False
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass"))
