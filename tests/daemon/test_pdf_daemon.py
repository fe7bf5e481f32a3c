"""A real `smallprint serve` reads a PDF in its worker processes (the thread-mode app tests share the code path)."""
from __future__ import annotations

import base64

import pytest

from tests.pdf_writer import POLICY_PAGES, pdf_document

pytestmark = pytest.mark.slow


def test_a_real_daemon_analyses_a_pdf_and_refuses_a_scan(daemon_factory):
    daemon = daemon_factory("--port", "0")
    token = daemon.token()
    status, body = daemon.request("POST", "/v1/analyze", {"pdf": base64.b64encode(pdf_document(POLICY_PAGES)).decode()},
                                  token=token)
    assert status == 200 and body["kind"] == "privacy_policy", body
    status, body = daemon.request("POST", "/v1/analyze", {"pdf": base64.b64encode(pdf_document(scanned_pages=1)).decode()},
                                  token=token)
    assert status == 422 and body["error"]["code"] == "unprocessable_input" and "scanned" in body["error"]["message"]
