"""`POST /v1/analyze` with {"pdf": base64}: a PDF's text is analysed; a scan, a fake and bad base64 are refused
with the right code. PDFs are written by the tests (tests/pdf_writer.py)."""
from __future__ import annotations

import base64

import pytest

from tests.pdf_writer import HEAVY_PAGES, POLICY_PAGES, pdf_document

from .conftest import assert_error, auth_headers
from .test_openapi import response_schema, validator_for

pytestmark = pytest.mark.asyncio


def encoded(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


async def test_a_pdf_is_analysed_like_its_text(api):
    pdf = await api.post("/v1/analyze", json={"pdf": encoded(pdf_document(POLICY_PAGES))}, headers=auth_headers())
    assert pdf.status == 200, await pdf.text()
    analysis = await pdf.json()
    assert analysis["kind"] == "privacy_policy"
    assert {"sale_of_data", "ai_training"} <= {h["practice"] for h in analysis["highlights"]}
    from smallprint.pdf import read_pdf_text
    text = await api.post("/v1/analyze", json={"text": read_pdf_text(pdf_document(POLICY_PAGES))},
                          headers=auth_headers())
    assert (await text.json())["highlights"] == analysis["highlights"]


@pytest.mark.parametrize("pdf, status, code, words", [
    (encoded(pdf_document(scanned_pages=2)), 422, "unprocessable_input", "looks scanned"),
    (encoded(b"<html>not a pdf</html>"), 422, "unprocessable_input", "not a PDF"),
    ("", 422, "unprocessable_input", "not a PDF"),
    ("%PDF-1.4 not base64!", 400, "invalid_request", "base64"),
    ("QUJD", 422, "unprocessable_input", "not a PDF"),  # valid base64 of "ABC"
    (12, 400, "invalid_request", "must be a string"),
], ids=["scanned", "html", "empty", "not-base64", "abc", "number"])
async def test_what_is_not_a_readable_pdf_is_refused_clearly(api, pdf, status, code, words):
    response = await api.post("/v1/analyze", json={"pdf": pdf}, headers=auth_headers())
    body = await response.json()
    assert response.status == status, body
    assert_error(body, code)
    assert words in body["error"]["message"]


async def test_a_pdf_drawing_more_than_the_bound_is_input_too_large(api):
    """Pages that draw 45 MB of blanks in a 50 KB file: over the engine's limits, as a too-long text is (422)."""
    response = await api.post("/v1/analyze", json={"pdf": encoded(pdf_document(heavy_pages=HEAVY_PAGES))},
                              headers=auth_headers())
    body = await response.json()
    assert response.status == 422, body
    assert_error(body, "input_too_large")
    assert body["error"]["message"].startswith("this PDF's pages hold more than 40 MB of drawing instructions")


async def test_the_openapi_document_describes_pdf_as_the_server_checks_it(api):
    response = await api.post("/v1/analyze", json={"pdf": "QUJD", "text": "x"}, headers=auth_headers())
    assert response.status == 400 and "'pdf'" in (await response.json())["error"]["message"]
    document = await (await api.get("/v1/openapi.json", headers=auth_headers())).json()
    request = validator_for(document, {"$ref": "#/components/schemas/AnalyzeRequest"})
    assert request.is_valid({"pdf": encoded(pdf_document(POLICY_PAGES)), "url": "https://example.com/privacy.pdf"})
    assert request.is_valid({"pdf": "QUJD"})  # schema-valid: refused by the engine (422), never as malformed (400)
    assert not request.is_valid({"pdf": "%PDF-1.4 not base64!"})  # what the server refuses with 400
    assert not request.is_valid({"pdf": "QUJD", "text": "x"})
    refused = await api.post("/v1/analyze", json={"pdf": "QUJD"}, headers=auth_headers())
    validator_for(document, response_schema(document, "/v1/analyze", "POST", 422)).validate(await refused.json())
