"""PDF policies: smallprint.pdf.read_pdf_text and `smallprint analyze FILE.pdf` / stdin, on PDFs written by the
tests (tests/pdf_writer.py): text pages, an image-only "scan", a locked, a damaged and a fake PDF."""
from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from smallprint.cli import main
from smallprint.pdf import PdfError, read_pdf_text
from tests.pdf_writer import AI, COLLECT, NO_SALE, POLICY_PAGES, pdf_document


@pytest.fixture
def policy_pdf(tmp_path):
    path = tmp_path / "policy.pdf"
    path.write_bytes(pdf_document(POLICY_PAGES))
    return path


def test_the_text_comes_back_in_paragraphs_without_page_numbers():
    text = read_pdf_text(pdf_document(POLICY_PAGES))
    paragraphs = [" ".join(p.split()) for p in text.split("\n\n")]
    assert paragraphs == ["Privacy Policy", COLLECT, NO_SALE, "How we use information", AI]


def test_analyze_a_pdf_file(policy_pdf, capsys, smallprint_home):
    assert main(["analyze", str(policy_pdf), "--format", "json"]) == 0
    analysis = json.loads(capsys.readouterr().out)
    assert analysis["kind"] == "privacy_policy"
    assert COLLECT in [b["text"] for b in analysis["blocks"]]  # a wrapped paragraph is one block again
    found = {(h["practice"], h["polarity"]) for h in analysis["highlights"]}
    assert {("sale_of_data", "protective"), ("ai_training", "concern")} <= found, found


def test_a_pdf_on_stdin_is_recognised_by_its_header(smallprint_home):
    result = subprocess.run([sys.executable, "-m", "smallprint", "analyze", "-", "--format", "json", "--depth",
                             "quick"], input=pdf_document(POLICY_PAGES), capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["kind"] == "privacy_policy"


def locked_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_document(POLICY_PAGES))))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("content, message", [
    (lambda: pdf_document(scanned_pages=3), "the PDF has no text to read (3 pages): it looks scanned"),
    (lambda: pdf_document([["Privacy Policy"]], scanned_pages=0)[:200], "cannot read the PDF (damaged"),
    (lambda: b"%PDF-1.7\nthis is not really a PDF at all\n", "cannot read the PDF (damaged"),
    (lambda: b"Just a text file that someone named .pdf\n", "not a PDF"),
    (locked_pdf, "locked with a password"),
], ids=["scanned", "truncated", "garbage", "not-a-pdf", "locked"])
def test_a_pdf_without_text_gets_one_clear_line(tmp_path, capsys, content, message):
    path = tmp_path / "policy.pdf"
    path.write_bytes(content())
    with pytest.raises(PdfError, match="."):
        read_pdf_text(path.read_bytes())
    assert main(["analyze", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith(f"smallprint: cannot analyse {path}: ")
    assert message in captured.err and len(captured.err.strip().splitlines()) == 1 and "Traceback" not in captured.err


def test_a_scanned_pdf_says_what_to_do(tmp_path):
    with pytest.raises(PdfError) as caught:
        read_pdf_text(pdf_document(scanned_pages=1))
    assert "(1 page)" in str(caught.value) and "does no OCR" in str(caught.value)


def test_diff_reads_pdfs_too(tmp_path, capsys, smallprint_home):
    old, new = tmp_path / "old.pdf", tmp_path / "new.pdf"
    old.write_bytes(pdf_document(POLICY_PAGES[:1]))
    new.write_bytes(pdf_document(POLICY_PAGES))
    assert main(["diff", str(old), str(new), "--format", "json"]) == 0
    added = json.loads(capsys.readouterr().out)["added"]
    assert any(c["practice"] == "ai_training" for c in added), added


def test_a_text_pdf_whose_page_draws_a_form_xobject_is_read_not_called_a_scan():
    """A page whose text sits in a Form XObject (pdfpages/pdfjam, stamping and overlay tools, some printers'
    'Save as PDF') is a text PDF: pypdf's layout mode finds no text there, its plain mode does; it is read, not
    called a scan."""
    sentence = "We may sell your personal information to data brokers."
    assert sentence in read_pdf_text(pdf_document(form_pages=[[sentence]]))
