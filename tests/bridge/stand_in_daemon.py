"""A stand-in for the daemon: it proves it holds the API token as the real one does (smallprint.daemon.proof), writes
the runtime file, and answers `POST /v1/analyze` after ANALYZE_DELAY seconds and `DELETE /v1/sites[/...]` after
FORGET_DELAY seconds, so that tests can hold requests in flight for as long as they need without a real reader.
Run with SMALLPRINT_HOME set, as `python stand_in_daemon.py`; prints its port once it listens, then serves until
killed."""
from __future__ import annotations

import json
import os
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from smallprint import auth
from smallprint.daemon.discovery import RuntimeInfo, now_iso, write_runtime_info
from smallprint.daemon.proof import daemon_proof

TOKEN = auth.get_token()
ANALYZE_DELAY = float(os.environ.get("ANALYZE_DELAY", "0"))
FORGET_DELAY = float(os.environ.get("FORGET_DELAY", "0"))
IDLE_EXIT_MINUTES = 30.0


class StandIn(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _send(self, status: int, answer: dict) -> None:
        body = json.dumps(answer).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the bridge gave up waiting (its request timeout)
            pass

    def _authorized(self) -> bool:
        if self.headers.get("Authorization") == f"Bearer {TOKEN}":
            return True
        self._send(401, {"error": {"code": "unauthorized", "message": "missing or wrong API token"}})
        return False

    def do_GET(self) -> None:
        url = urllib.parse.urlparse(self.path)
        if url.path != "/v1/health":
            self._send(404, {"error": {"code": "not_found", "message": "no such route"}})
            return
        challenge = urllib.parse.parse_qs(url.query).get("challenge", [""])[0]
        self._send(200, {"status": "ok", "version": "stand-in", "api": "v1",
                         "proof": daemon_proof(TOKEN, challenge, self.server.server_address[1])})

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self._authorized():
            time.sleep(ANALYZE_DELAY)
            self._send(200, {"schema_version": 1, "kind": "other", "highlights": [], "stand_in": True})

    def do_DELETE(self) -> None:
        if self._authorized():
            time.sleep(FORGET_DELAY)
            site = urllib.parse.unquote(self.path.rpartition("/v1/sites")[2].lstrip("/"))
            self._send(200, {"site": site or None, "deleted_versions": 0, "memory_forgotten": True,
                             "forgotten_analyses": 0})

    def log_message(self, *args) -> None:
        pass


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    server.daemon_threads = True
    port = server.server_address[1]
    write_runtime_info(RuntimeInfo(pid=os.getpid(), host="127.0.0.1", port=port, version="stand-in",
                                   started=now_iso(), idle_exit_minutes=IDLE_EXIT_MINUTES))
    print(port, flush=True)
    server.serve_forever()
