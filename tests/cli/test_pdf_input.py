"""PDF policies: smallprint.pdf.read_pdf_text and `smallprint analyze FILE.pdf` / stdin, on PDFs written by the
tests (tests/pdf_writer.py): text pages, an image-only "scan", a locked, a damaged and a fake PDF."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time

import pytest

from smallprint.cli import main
from smallprint.pdf import PdfError, read_pdf_text
from tests.pdf_writer import AI, COLLECT, HEAVY_PAGES, NO_SALE, POLICY_PAGES, pdf_document, wrapped


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


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in text.split("\n\n")]


# A sentence that the left column starts and the right column ends, as a two-column layout flows.
FLOWING = ("We collect your email address and the precise location of your device when you use the service, and we "
           "may share your personal information with advertising partners to show")
FLOWED = "you targeted ads."


def test_two_columns_are_read_one_after_the_other_not_across():
    """pypdf's layout mode puts a line of each column on one line of text; read across, each line would splice
    the halves of two sentences ("...and the precise We may use the content...")."""
    page = (["Privacy Policy", ""], [wrapped(FLOWING, width=36), wrapped(f"{FLOWED} {AI}", NO_SALE, width=36)])
    text = read_pdf_text(pdf_document(column_pages=[page]))
    assert _paragraphs(text) == ["Privacy Policy", f"{FLOWING} {FLOWED} {AI}", NO_SALE]


def test_a_table_with_a_label_column_is_still_read_row_by_row():
    rows = [("Identifiers", "your name, email address and the phone number you give us"),
            ("Location", "the precise location of your device when the app is open"),
            ("Usage", "the pages you visit and the features you use in the app")]
    page = (["What we collect", ""], [[label for label, _ in rows], [what for _, what in rows]])
    text = read_pdf_text(pdf_document(column_pages=[page]))
    assert [" ".join(line.split()) for line in text.splitlines()[2:]] == [f"{label} {what}" for label, what in rows]


def test_running_headers_and_footers_are_dropped_and_a_sentence_runs_on_over_the_page_break():
    """A line repeated at the top or foot of every page (its numbers aside) is the document's, not the policy's:
    read as text it would fall in the middle of the sentence that a page break cuts, which stays one paragraph."""
    first, rest = COLLECT.split(" to show ")
    pages = [["ACME Privacy Policy", "", *wrapped(NO_SALE), "", *wrapped(first), "", "Confidential - page 1 of 3"],
             ["ACME Privacy Policy", "", *wrapped(f"to show {rest}"), "", *wrapped(AI), "", "Confidential - page 2 of 3"],
             ["ACME Privacy Policy", "", "How to reach us", "", "Write to us.", "", "Confidential - page 3 of 3"]]
    text = read_pdf_text(pdf_document(pages))
    assert _paragraphs(text) == ["ACME Privacy Policy", NO_SALE, COLLECT, AI, "How to reach us", "Write to us."]


def test_reading_a_slow_pdf_stops_at_the_time_limit(tmp_path):
    """pypdf bounds each stream, not the file: a 20 KB PDF whose one slow page is drawn on every page reads for
    hours. The CLI reads a PDF within the analysis time limit and says so, as it does for a slow analysis."""
    path = tmp_path / "slow.pdf"
    # ~10 s a page (50,000 text operations, under pypdf's per-stream limits), 10 pages: minutes without the limit.
    path.write_bytes(pdf_document(repeated_page=(b"BT /F1 10 Tf 72 700 Td (x) Tj ET\n" * 50_000, 10)))
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    (home / "config" / "config.toml").write_text("analysis_timeout_seconds = 1\n")
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "smallprint", "analyze", str(path), "--depth", "quick"],
                            env={**os.environ, "SMALLPRINT_HOME": str(home)}, capture_output=True, text=True,
                            timeout=300)
    elapsed = time.monotonic() - started
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith(f"smallprint: cannot analyse {path}: ") and "took longer than 1 s" in result.stderr
    assert "damaged" not in result.stderr and "Traceback" not in result.stderr
    assert elapsed < 60  # the limit and the interpreter's start; not the minutes the pages would take


def test_a_word_hyphenated_at_a_line_end_is_one_word_again():
    """'third-' at a line's end then 'party': read with the line break's space, it would be "third- party"."""
    lines = ["We may share your personal information with third-", "party advertising partners, and you can opt-",
             "out at any time.", "", "Contact us -", "Privacy Team"]
    text = read_pdf_text(pdf_document([lines]))
    assert ("We may share your personal information with third-party advertising partners, and you can "
            "opt-out at any time.") == " ".join(text.split("\n\n")[0].split())
    assert "Contact us -\nPrivacy Team" in text  # a dash after a space, a capital after it: not a broken word


def test_a_title_case_compound_hyphenated_at_a_line_end_is_one_word_again():
    """"Third-" at a line's end then "Party Services" (amazon's "Interest-Based Ads", tumblr's "Non-Discrimination"
    as real policies wrap them) was left "Third- Party": only a lower-case word after the hyphen was joined."""
    lines = ["You may connect Claude to Third-", "Party Services, and we show Interest-", "Based Ads.", "",
             "See our section on Non-", "Discrimination.", "", "Read the whole policy-", "Then write to us."]
    paragraphs = _paragraphs(read_pdf_text(pdf_document([lines])))
    assert paragraphs[:2] == ["You may connect Claude to Third-Party Services, and we show Interest-Based Ads.",
                              "See our section on Non-Discrimination."]
    assert paragraphs[2] == "Read the whole policy- Then write to us."  # a capital after a word in lower case


def test_a_table_of_prose_is_read_row_by_row_each_cell_whole():
    """A "Purpose" / "Legal basis" table, cells of several words a line: read as two columns, every purpose came
    first, then every legal basis, and no reader could tell which basis was for which purpose."""
    rows = [("We use your contact details to send you the messages the service needs",
             "Performance of our contract with you, as the service cannot run without them"),
            ("We use your browsing history to show you personalised advertising",
             "Your consent, which you may withdraw at any time in the settings"),
            ("We use your location to prevent fraud and to keep accounts secure",
             "Our legitimate interest in keeping the service safe for everyone")]
    left, right = [], []
    for purpose, basis in rows:
        cells = wrapped(purpose, width=36), wrapped(basis, width=36)
        height = max(map(len, cells)) + 1  # a gap under each row
        left += cells[0] + [""] * (height - len(cells[0]))
        right += cells[1] + [""] * (height - len(cells[1]))
    text = read_pdf_text(pdf_document(column_pages=[(["How we use your data", ""], [left, right])]))
    assert _paragraphs(text) == ["How we use your data", *(cell for row in rows for cell in row)]


def test_a_long_left_line_beside_a_short_right_one_stays_in_its_column():
    """The gutter was taken at the first grid column that cut the most lines, just after where shorter left lines
    end: a longer left line beside a right line of a word or two then read as crossing it, and the columns around
    it were read across ("...is collected automatically small data when...")."""
    left = ["Log information is collected automatically", "when your browser asks for a page of the",
            "service, and we keep it for thirty days", "to find faults and keep it safe."]
    right = ["small data", "files that your browser keeps on your", "device and sends back to us each time you",
             "visit, so that we can remember you."]
    text = read_pdf_text(pdf_document(column_pages=[([], [left, right])]))
    assert _paragraphs(text) == [" ".join(left), " ".join(right)]


def test_a_pdf_drawing_more_than_the_bound_is_refused_before_any_page_is_read():
    """pypdf bounds each stream (75 MB), not a file: 8 pages each drawing its own 70 MB of blanks, a 547 KB file,
    once took 650 MB of memory and 92 s. The pages' drawing instructions are bounded for the whole file, and
    measured before any page is read for its text (parsing these 45 MB would take seconds)."""
    from smallprint.engine.blocks import MAX_INPUT_CHARS
    from smallprint.pdf import MAX_DRAWING_BYTES, PdfTooLarge

    import smallprint.pdf
    assert smallprint.pdf.MAX_INPUT_CHARS == MAX_INPUT_CHARS  # the bound follows the engine's own limit
    assert 15_000_000 * 2 < MAX_DRAWING_BYTES < 15_000_000 * 3
    started = time.monotonic()
    with pytest.raises(PdfTooLarge, match=r"^this PDF's pages hold more than 40 MB of drawing instructions"):
        read_pdf_text(pdf_document(heavy_pages=HEAVY_PAGES))
    # One stream alone over the bound: refused as it decompresses, not decompressed whole first.
    with pytest.raises(PdfTooLarge, match="more than 40 MB of drawing instructions"):
        read_pdf_text(pdf_document(heavy_pages=(b" " * (MAX_DRAWING_BYTES + 1), 1)))
    assert time.monotonic() - started < 10
    # Under the bound it is read as before: two of those pages.
    assert read_pdf_text(pdf_document(heavy_pages=(b"BT /F1 10 Tf 72 700 Td (We may sell your data.) Tj ET\n"
                                                   + b" " * 1000, 2))).count("We may sell your data.") == 2


def test_the_cli_refuses_a_pdf_drawing_too_much_in_one_line(tmp_path, capsys, smallprint_home):
    path = tmp_path / "heavy.pdf"
    path.write_bytes(pdf_document(heavy_pages=HEAVY_PAGES))
    assert main(["analyze", str(path), "--depth", "quick"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"smallprint: cannot analyse {path}: this PDF's pages hold more than 40 MB of "
                                   "drawing instructions"), captured.err


def test_section_headings_that_differ_by_number_are_kept_while_numbered_running_lines_are_dropped():
    """Running lines were matched with their numbers ignored, so "Section 2" / "Section 3" at the top of most pages
    read as one running header and every one after the first page was lost. Numbers are ignored only where they
    behave as page numbers do (they follow the page's place in the file) and the line is more than a word and its
    number; a line repeated exactly ("Updated 2024") is running as before."""
    sections = [f"Section {n}" for n in range(1, 5)]
    kept = ["We keep your records for two years.", "We keep your messages until you delete them.",
            "We keep your payment details while your subscription lasts.", "We keep nothing else."]
    pages = [[heading, "", record, "", *wrapped(NO_SALE), "", f"Acme Privacy Policy - {n}", "Updated 2024"]
             for n, (heading, record) in enumerate(zip(sections, kept), 1)]
    assert _paragraphs(read_pdf_text(pdf_document(pages))) == [
        part for heading, record in zip(sections, kept) for part in (heading, record, NO_SALE)]


def test_a_heading_that_ends_a_page_does_not_run_into_the_next_page():
    """A page ending in a heading (no full stop) and a page opening in lower case were joined as one sentence
    broken by the page break: "Your choices you can turn off ...". A heading is a line of its own, short beside the
    page's lines and title-like; a sentence cut by the page break fills its line."""
    opening = "you can turn off personalised advertising at any time in the settings of your account."
    pages = [[*wrapped(NO_SALE, AI), "", "Your Choices"], [*wrapped(opening)]]
    assert _paragraphs(read_pdf_text(pdf_document(pages))) == [NO_SALE, AI, "Your Choices", opening]
    # A sentence broken at the foot of a page still runs on, its last line however short.
    first, rest = COLLECT.split(" to show ")
    pages = [[*wrapped(NO_SALE), "", *wrapped(first)], [*wrapped(f"to show {rest}")]]
    assert _paragraphs(read_pdf_text(pdf_document(pages))) == [NO_SALE, COLLECT]


def test_the_declared_pypdf_floor_can_lower_its_per_stream_limits():
    """The bound on one stream as it decompresses (smallprint.pdf._streams_bounded) is pypdf's apply_configuration,
    first in pypdf 7.0; pyproject allowed pypdf 4.0, where the bound was skipped (and whose missing
    LimitReachedError failed every PDF as damaged)."""
    import tomllib
    from pathlib import Path

    import pypdf

    dependencies = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())["project"]["dependencies"]
    floor = next(dependency for dependency in dependencies if dependency.startswith("pypdf"))
    assert int(floor.removeprefix("pypdf>=").split(".")[0]) >= 7, floor
    assert hasattr(pypdf, "apply_configuration")


def test_a_long_run_of_digits_at_the_top_of_the_pages_is_read_not_refused():
    """Running lines' numbers were all turned into ints to see whether they follow the pages, and int() refuses a
    run of more than 4300 digits: such a line at the top of two pages failed the whole file with a ValueError. A run
    too long for a page number is compared as text: the same on every page, it is a running line as before."""
    account = "1" * 5000
    pages = [[account, "", *wrapped(NO_SALE), "", f"Acme Privacy Policy - {n}"] for n in range(1, 4)]
    assert _paragraphs(read_pdf_text(pdf_document(pages))) == [account, NO_SALE, NO_SALE, NO_SALE]


def test_a_sentence_whose_first_line_a_long_address_cut_short_runs_on_over_the_page_break():
    """A paragraph's only line at the foot of a page is short when the word after it (a long address) did not fit
    on it: that line was taken for a heading and the sentence was split in two at the page break."""
    address = "https://www.example.com/legal/privacy/partners-and-processors-list.html"
    pages = [[*wrapped(NO_SALE), "", "For the details of each partner, see"],
             [f"{address} which we", "update every month."]]
    assert _paragraphs(read_pdf_text(pdf_document(pages))) == [
        NO_SALE, f"For the details of each partner, see {address} which we update every month."]
