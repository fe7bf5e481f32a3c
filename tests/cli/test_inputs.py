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


@pytest.mark.parametrize("stray, stray_bytes", [(b"\xff", 1), (b"\x92", 1), (b"caf\xe9", 1), (b"\xe2\x80", 2)],
                         ids=["ff", "cp1252-quote", "latin1-e-acute", "truncated-sequence"])
def test_utf8_with_a_stray_byte_keeps_its_utf8_and_says_so(stray, stray_bytes):
    """One byte that is not UTF-8 in a UTF-8 file must not turn every "é" and "’" of it into mojibake ("Ã©",
    "â€™"): that made `diff` report a whole unchanged policy as reworded. Only the stray bytes are read as
    Windows-1252, and the note says how many."""
    data = SAMPLE.encode("utf-8") + b"\n" + stray + b"\n" + SAMPLE.encode("utf-8")
    text, note = decode_bytes(data, "f")
    assert text.startswith(SAMPLE + "\n") and text.endswith("\n" + SAMPLE)
    assert text[len(SAMPLE) + 1:-len(SAMPLE) - 1] == stray.decode("cp1252", errors="replace").replace("\ufffd", "\x81")
    assert "not UTF-8" in note and f" {stray_bytes} byte" in note


def test_utf8_with_a_byte_order_mark_and_a_stray_byte_is_read_as_without_the_mark():
    text, note = decode_bytes(codecs.BOM_UTF8 + "Café".encode("utf-8") + b"\x92s policy", "f")
    assert text == "Café’s policy" and "1 byte" in note


def test_one_utf8_character_and_one_stray_byte_is_utf8():
    text, note = decode_bytes("é".encode("utf-8") + b"\x92", "f")
    assert text == "é’" and "1 byte" in note


def test_a_stray_byte_windows_1252_leaves_undefined_is_read_as_latin_1():
    text, note = decode_bytes("Straße, Größe: ".encode("utf-8") + b"\x81", "f")
    assert text == "Straße, Größe: \x81" and "1 byte" in note


def test_windows_1252_text_with_one_accidental_utf8_pair_is_still_read_as_windows_1252():
    """A legacy file is told from UTF-8 with a stray byte by which there is more of: valid multi-byte UTF-8, or
    bytes that are not UTF-8. "Ã©" written in Windows-1252 is the bytes of UTF-8 "é", once; the rest is not UTF-8."""
    legacy = "Café, naïve, déjà vu, résumé; Ã© as written".encode("cp1252")
    text, note = decode_bytes(legacy, "f")
    assert text == "Café, naïve, déjà vu, résumé; Ã© as written"
    assert "read it as Windows-1252" in note


def test_html_meta_charset_is_honoured_when_not_utf8():
    page = '<html><head><meta charset="iso-8859-7"></head><body><p>Ιδιωτικότητα</p></body></html>'
    decoded, note = decode_bytes(page.encode("iso-8859-7"), "page.html", html_hint=True)
    assert "Ιδιωτικότητα" in decoded
    assert "declares" in note


ASCII = "We collect your email address.\n\nWe do not sell your personal data."


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_mark_in_latin_script_is_not_read_as_utf8(codec):
    """ASCII-range UTF-16 is valid UTF-8 too (every other byte a NUL): its shape is looked at first."""
    text, note = decode_bytes(ASCII.encode(codec), "f")
    assert text == ASCII and note == "f is UTF-16 without a byte-order mark"


@pytest.mark.parametrize("data", [ASCII.encode("utf-32-le"), ASCII.encode("utf-32-be"),
                                  ASCII.encode("utf-16-le")[1:]], ids=["utf32le", "utf32be", "utf16-odd-length"])
def test_utf8_riddled_with_nuls_is_refused_as_binary(data):
    with pytest.raises(CliError, match="looks like a binary file"):
        decode_bytes(data, "f")


def test_a_stray_nul_in_utf8_text_is_still_read():
    text = "\n\n".join([ASCII] * 3) + "\x00"
    assert decode_bytes(text.encode(), "f") == (text, None)


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


# --- bounded reading: endless, huge and writerless inputs -------------------------------------------------------

@pytest.fixture
def small_limit(monkeypatch):
    """A 1 MiB limit, so that refusing past it is quick to show (the real one is 64 MiB)."""
    from smallprint.cli import inputs
    monkeypatch.setattr(inputs, "MAX_INPUT_BYTES", 1024 * 1024)
    return 1024 * 1024


class _Endless(io.RawIOBase):
    """`yes | smallprint analyze -`: a stream that never ends (and fails the test if read whole)."""

    def readable(self):
        return True

    def read(self, size=-1):
        if size is None or size < 0:
            raise AssertionError("stdin was read without a limit")
        return b"y\n" * (size // 2) + b"y" * (size % 2)


def test_endless_stdin_is_refused_at_the_limit_naming_it(small_limit):
    with pytest.raises(CliError, match=r"^stdin is larger than 1 MiB, the most smallprint reads"):
        read_document("-", stdin=_Endless())


def test_an_endless_device_is_refused_at_the_limit(small_limit):
    with pytest.raises(CliError, match=r"^/dev/zero is larger than 1 MiB"):
        read_document("/dev/zero")


def test_a_huge_sparse_file_is_refused_by_its_size_before_it_is_read(tmp_path, small_limit, monkeypatch):
    from smallprint.cli import inputs
    huge = tmp_path / "huge.txt"
    with open(huge, "wb") as handle:
        handle.truncate(1200 * 1024 * 1024)  # 1.2 GB, sparse: no disk used
    monkeypatch.setattr(inputs, "_read_up_to", lambda *a: pytest.fail("read a file its size already refuses"))
    with pytest.raises(CliError, match="huge.txt is larger than 1 MiB"):
        read_document(str(huge))


def test_a_file_just_under_the_limit_is_read(tmp_path, small_limit):
    path = tmp_path / "p.txt"
    path.write_bytes(b"We collect your email. " * (small_limit // 23))
    assert read_document(str(path)).content.startswith("We collect your email.")


def test_a_fifo_no_program_writes_to_is_an_error_not_a_hang(tmp_path, monkeypatch):
    import os
    import threading
    from smallprint.cli import inputs
    monkeypatch.setattr(inputs, "PIPE_WAIT_SECONDS", 0.5)
    fifo = tmp_path / "policy.fifo"
    os.mkfifo(fifo)
    outcome = {}

    def read() -> None:
        try:
            read_document(str(fifo))
        except CliError as exc:
            outcome["error"] = str(exc)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=10)
    hung = reader.is_alive()
    if hung:  # before the fix: blocked in open(); a writer opening it lets the thread end
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    assert not hung, "reading a FIFO with no writer hung"
    assert "policy.fifo" in outcome["error"] and "no program writes to it" in outcome["error"]


def test_pipes_given_as_paths_are_read(tmp_path):
    """`smallprint analyze <(curl ...)` names a pipe (/dev/fd/N); a named FIFO whose writer comes a moment later
    is read too."""
    import os
    import threading
    read_end, write_end = os.pipe()
    os.write(write_end, b"We collect your email address.")
    os.close(write_end)
    try:
        assert read_document(f"/dev/fd/{read_end}").content == "We collect your email address."
    finally:
        os.close(read_end)

    fifo = tmp_path / "later.fifo"
    os.mkfifo(fifo)

    def write_later() -> None:
        import time
        time.sleep(0.3)
        with open(fifo, "wb") as handle:
            handle.write(b"We do not sell your data.")

    writer = threading.Thread(target=write_later, daemon=True)
    writer.start()
    assert read_document(str(fifo)).content == "We do not sell your data."
    writer.join(timeout=5)
