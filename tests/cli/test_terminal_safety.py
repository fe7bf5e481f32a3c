"""Text from a page never drives the terminal: control sequences in a policy's sentences, a page's title (Firefox
keeps ESC and BEL in `document.title`) or a remembered version are shown as U+FFFD by every text view."""
from __future__ import annotations

import html
import re

from smallprint import analyze
from smallprint.cli import main
from smallprint.cli.terminal import for_terminal, terminal_safe
from smallprint.history.store import Store

# retitle the window, conceal what follows, write the clipboard, overwrite the line, reorder by bidi override
HOSTILE = "\x1b]0;OWNED\x07\x1b[8m\x1b]52;c;aGk=\x07\r\u202e\x9b2J\ue000"
POLICY = ("# Privacy Policy\n\nWe collect your email address.\n\n"
          f"We may sell your personal information to data brokers.{HOSTILE} Hidden.\n")
# the only escape sequences a text view may print are its own colours
OWN_SGR = re.compile(r"\x1b\[[0-9;]*m")


def assert_harmless(text: str) -> None:
    rest = OWN_SGR.sub("", text)
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\ue000\ue001]", rest), repr(rest)


def test_terminal_safe_keeps_length_tabs_and_line_breaks():
    assert terminal_safe("a\tb\nc\x1bd\x07") == "a\tb\nc\ufffdd\ufffd"
    assert len(terminal_safe(HOSTILE)) == len(HOSTILE)
    analysis = analyze(text=POLICY, title=f"Policy{HOSTILE}")
    safe = for_terminal(analysis)
    assert_harmless(safe.title)
    assert all(h.start == g.start and h.end == g.end for h, g in zip(safe.highlights, analysis.highlights))
    assert all(not re.search("[\x1b\x07\r]", h.text) for h in safe.highlights)


def test_analyze_text_view_prints_no_page_control_sequence(tmp_path, capsys):
    policy = tmp_path / "policy.md"
    policy.write_text(POLICY)
    for colour in ("never", "always"):
        assert main(["analyze", str(policy), "--all", "--title", f"T{HOSTILE}", "--color", colour]) == 0
        out = capsys.readouterr().out
        assert_harmless(out)
        assert "data brokers." in out and "\ufffd" in out


def test_history_and_diff_text_views_print_no_page_control_sequence(smallprint_home, tmp_path, capsys):
    url = "https://esc.example/privacy"
    with Store() as store:
        store.record(url, analyze(text=POLICY, url=url, title=f"Privacy{HOSTILE}").to_dict(),
                     now="2026-01-02T09:00:00Z")
        store.record(url, analyze(text=POLICY + f"\nWe share data with advertisers.{HOSTILE}\n", url=url,
                                  title=f"Privacy{HOSTILE}").to_dict(), now="2026-02-02T09:00:00Z")
    assert main(["history", "esc.example"]) == 0
    out = capsys.readouterr().out
    assert_harmless(out)
    assert "Privacy\ufffd" in out
    old, new = tmp_path / "old.md", tmp_path / "new.md"
    old.write_text(POLICY)
    new.write_text(POLICY + f"\nWe may use your data to train our artificial intelligence models.{HOSTILE}\n")
    assert main(["diff", str(old), str(new), "--all"]) == 0
    out = capsys.readouterr().out
    assert_harmless(out)
    assert "artificial intelligence models." in out


def test_json_output_escapes_what_a_terminal_would_obey(tmp_path, capsys):
    """Review: json.dumps(ensure_ascii=False) escapes C0 controls but wrote C1 (U+009B, an 8-bit CSI) and bidi
    overrides raw; the JSON is the same with them escaped."""
    import json
    policy = tmp_path / "policy.md"
    policy.write_text(POLICY)
    assert main(["analyze", str(policy), "--format", "json", "--title", f"T{HOSTILE}"]) == 0
    out = capsys.readouterr().out
    assert_harmless(out)
    assert json.loads(out)["title"] == f"T{HOSTILE}"  # the data itself is unchanged


def test_a_hostile_page_title_heads_the_text_view_on_one_short_harmless_line(tmp_path, capsys):
    """A saved page's <title> heads the text view: its control characters, bidi overrides and line breaks must not
    reach the terminal, nor a title of a thousand words fill it."""
    title = f"Privacy\n\n{HOSTILE}\u2028Notice " + "and so on " * 200
    page = tmp_path / "page.html"
    page.write_text(f"<html><head><title>{html.escape(title)}</title></head><body><h1>Privacy Policy</h1>"
                    "<p>We may sell your personal information to data brokers.</p></body></html>", encoding="utf-8")
    for colour in ("never", "always"):
        assert main(["analyze", str(page), "--depth", "quick", "--color", colour]) == 0
        out = capsys.readouterr().out
        assert_harmless(out)
        headline = OWN_SGR.sub("", out.splitlines()[0])
        assert headline.startswith("Privacy \ufffd") and "Notice and so on" in headline
        assert len(headline) <= 100 and headline.endswith("…")  # 100: the width of a view that is not a terminal
        assert out.splitlines()[1].startswith("Kind:")
