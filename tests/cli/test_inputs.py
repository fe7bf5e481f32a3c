"""Reading documents for the command line: encodings, text vs HTML, and clear failures."""
from __future__ import annotations

import codecs
import io

import pytest

from smallprint.cli import CliError
from smallprint.cli.inputs import decode_bytes, looks_like_html, read_document

SAMPLE = "Café policy: we do not sell your personal information — ever. “Naïve” 😀"


@pytest.mark.parametrize("encoded, note_part", [
    (SAMPLE.encode("utf-8"), None),
    (codecs.BOM_UTF8 + SAMPLE.encode("utf-8"), None),
    (codecs.BOM_UTF16_LE + SAMPLE.encode("utf-16-le"), "UTF-16"),
    (codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"), "UTF-16"),
    (codecs.BOM_UTF32_LE + SAMPLE.encode("utf-32-le"), "UTF-32"),
    (SAMPLE.encode("utf-16-le"), "without a byte-order mark"),
    (SAMPLE.encode("utf-16-be"), "without a byte-order mark"),
], ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "utf32le-bom", "utf16le-nobom", "utf16be-nobom"])
def test_unicode_encodings_decode_exactly(encoded, note_part):
    text, note = decode_bytes(encoded, "f")
    assert text == SAMPLE
    assert (note is None) if note_part is None else (note_part in note)


@pytest.mark.parametrize("text, codec, note_part", [
    ("Café “policy” – we do not sell", "cp1252", "Windows-1252"),
    ("Straße \x81 (a byte Windows-1252 leaves undefined)", "latin-1", "Latin-1"),
])
def test_legacy_single_byte_text_is_read_with_a_note(text, codec, note_part):
    decoded, note = decode_bytes(text.encode(codec), "f")
    assert decoded == text
    assert note_part in note


def test_html_meta_charset_is_honoured_when_not_utf8():
    page = '<html><head><meta charset="iso-8859-7"></head><body><p>Ιδιωτικότητα</p></body></html>'
    decoded, note = decode_bytes(page.encode("iso-8859-7"), "page.html", html_hint=True)
    assert "Ιδιωτικότητα" in decoded
    assert "declares" in note


def test_binary_data_is_refused_clearly():
    with pytest.raises(CliError, match="binary"):
        decode_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\xff\xfe\x00\x01", "image.png")


@pytest.mark.parametrize("content, expected", [
    ("<!DOCTYPE html><html><body><p>Hi</p></body></html>", True),
    ("  \n<html lang=en><p>Hi", True),
    ("<p>We collect your email.</p><p>We do not sell it.</p>", True),
    ("<div class=x>policy</div>", True),
    ("# Privacy Policy\n\nWe collect your email <b>address</b>.", False),
    ("We collect data when x < y and y > z.", False),
    ("Plain text policy.\n\nSecond paragraph.", False),
])
def test_stdin_html_detection(content, expected):
    assert looks_like_html(content) is expected


@pytest.mark.parametrize("name, is_html", [
    ("p.html", True), ("p.HTM", True), ("p.xhtml", True), ("p.md", False), ("p.txt", False), ("policy", False),
])
def test_file_kind_follows_the_suffix(tmp_path, name, is_html):
    path = tmp_path / name
    path.write_text("<p>We collect your email.</p>", encoding="utf-8")
    assert read_document(str(path)).is_html is is_html


def test_stdin_is_read_from_the_given_stream():
    doc = read_document("-", stdin=io.BytesIO("<html><body><p>Hi</p></body></html>".encode()))
    assert doc.is_html and doc.name == "stdin"


@pytest.mark.parametrize("make, message", [
    (lambda d: d / "missing.txt", "no such file"),
    (lambda d: d, "is a folder"),
    (lambda d: (d / "empty.txt", (d / "empty.txt").write_text("  \n"))[0], "empty"),
], ids=["missing", "folder", "empty"])
def test_unreadable_inputs_are_one_clear_error(tmp_path, make, message):
    with pytest.raises(CliError, match=message):
        read_document(str(make(tmp_path)))


def test_a_declared_charset_that_decodes_nothing_falls_back_to_windows_1252():
    """README: a page is read by its declared charset "or as Windows-1252, with a note"; `<meta
    charset="undefined">` names a codec that exists and raises UnicodeError on every byte."""
    from smallprint.cli.inputs import decode_bytes
    text, note = decode_bytes(b'<html><head><meta charset="undefined"></head><body><p>Caf\xe9.</p></body></html>',
                              "page.html", html_hint=True)
    assert "Café" in text and "Windows-1252" in note
