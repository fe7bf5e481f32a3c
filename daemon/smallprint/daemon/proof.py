"""The daemon proves it holds the API token before a client sends it the token or any page text.

Clients find the daemon through its runtime file, which outlives a daemon that was killed. Whoever then listens on
the recorded port (another local user, say) would receive the bridge's `Authorization: Bearer <token>` and the page
text, and `smallprint status` would call it running. So a client first asks `/v1/health?challenge=<random>`; the
daemon answers with `proof` = HMAC-SHA256(token, challenge and the port it was reached on), which only a holder of
the token can compute. The port is part of it so that an impostor cannot relay the challenge to a real daemon
elsewhere and pass its answer on. Nothing about the token can be learnt from proofs (HMAC is a PRF).
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

# A challenge is 16-128 URL-safe characters: long enough to be fresh, short enough to be cheap.
CHALLENGE = re.compile(r"[A-Za-z0-9_-]{16,128}")
_CONTEXT = b"smallprint daemon proof v1\n"


def new_challenge() -> str:
    return secrets.token_urlsafe(24)


def daemon_proof(token: str, challenge: str, port: int) -> str:
    message = _CONTEXT + f"{challenge}\n{port}".encode("ascii")
    return hmac.new(token.encode("utf-8"), message, hashlib.sha256).hexdigest()


def proof_is_valid(proof: object, token: str, challenge: str, port: int) -> bool:
    return isinstance(proof, str) and hmac.compare_digest(proof.encode("ascii", "replace"),
                                                          daemon_proof(token, challenge, port).encode("ascii"))


@dataclass(frozen=True, slots=True)
class HealthAnswer:
    """What answered on a daemon's recorded address: `health` (its JSON, or None when nothing answered) and
    whether it `proved` to hold the token."""
    health: dict | None
    proved: bool


def ask_for_proof(base_url: str, port: int, token: str, timeout: float = 2.0) -> HealthAnswer:
    """Ask `base_url`'s /v1/health for a proof under `token` (loopback only, never through a proxy)."""
    import json
    import urllib.request

    challenge = new_challenge()
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"{base_url}/v1/health?challenge={challenge}", timeout=timeout) as response:
            if response.status != 200:
                return HealthAnswer(None, False)
            health = json.loads(response.read().decode("utf-8"))
    except (OSError, ValueError):  # URLError and HTTPError are OSErrors
        return HealthAnswer(None, False)
    if not isinstance(health, dict):
        return HealthAnswer({}, False)
    return HealthAnswer(health, proof_is_valid(health.get("proof"), token, challenge, port))
