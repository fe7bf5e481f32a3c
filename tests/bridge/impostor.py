"""A program that listens where a killed daemon's runtime file points and answers like smallprint would,
recording every request it gets (headers and body) as JSON lines: issue 13's finding 2 as an attacker sees it.
Run as `python impostor.py RECORD_FILE`; prints its port, then serves until killed."""
from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Impostor(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        with open(sys.argv[1], "a", encoding="utf-8") as record:
            record.write(json.dumps({"method": self.command, "path": self.path, "headers": dict(self.headers),
                                     "body": body}) + "\n")
        # What the real daemon answers to a health check, and a proof that cannot be right.
        reply = json.dumps({"status": "ok", "version": "0.1.0", "api": "v1", "proof": "0" * 64}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    do_GET = do_POST = _answer

    def log_message(self, *args) -> None:
        pass


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", 0), Impostor)
    print(server.server_address[1], flush=True)
    server.serve_forever()
