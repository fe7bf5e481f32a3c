"""`smallprint analyze`: every input kind in every format, through the real command."""
from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from smallprint.cli import main

POLICY_TEXT = """Privacy Policy

We collect your email address and the precise location of your device.

We do not sell your personal information. You can delete your account at any time.

Any dispute will be resolved by binding arbitration."""

POLICY_MARKDOWN = """# Privacy Policy

## What we collect

We collect your **email address** and the precise location of your device.

## Sharing

- We do not sell your personal information.
- You can delete your account at any time.
"""

POLICY_HTML = """<!DOCTYPE html><html><head><title>Privacy Policy</title></head><body>
<h1>Privacy Policy</h1><p>We collect your email address and the precise location of your device.</p>
<p>We do not sell your personal information. You can delete your account at any time.</p></body></html>"""

INPUTS = {
    "text": ("policy.txt", POLICY_TEXT.encode("utf-8")),
    "markdown": ("policy.md", POLICY_MARKDOWN.encode("utf-8")),
    "html": ("policy.html", POLICY_HTML.encode("utf-8")),
    "cp1252": ("policy.txt", (POLICY_TEXT + "\n\nCafé “quotes” – dash.").encode("cp1252")),
    "utf16": ("policy.txt", POLICY_TEXT.encode("utf-16")),
    # All ASCII: as UTF-16 without a mark it is also valid UTF-8, every other byte a NUL, and was analysed as that.
    "utf16le-nobom": ("policy.txt", POLICY_TEXT.encode("utf-16-le")),
    "utf16be-nobom": ("policy.md", POLICY_MARKDOWN.encode("utf-16-be")),
}


def run_cli(capsys, *args) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def block_texts(analysis: dict) -> str:
    return "\n".join(b["text"] for b in analysis["blocks"])


@pytest.mark.parametrize("kind", INPUTS)
def test_json_format_is_the_analysis(tmp_path, capsys, kind):
    name, data = INPUTS[kind]
    path = tmp_path / name
    path.write_bytes(data)
    code, out, err = run_cli(capsys, "analyze", str(path), "--format", "json", "--url", "https://e.example/p")
    assert code == 0, err
    analysis = json.loads(out)
    assert analysis["schema_version"] >= 1 and analysis["url"] == "https://e.example/p"
    assert "We do not sell your personal information." in block_texts(analysis)
    assert "<p>" not in block_texts(analysis) and "<h1>" not in block_texts(analysis)  # HTML was parsed as HTML
    if kind == "cp1252":
        assert "Café “quotes” – dash." in block_texts(analysis)
        assert "Windows-1252" in err
    if kind.startswith("utf16"):
        assert "UTF-16" in err
    assert "\x00" not in block_texts(analysis)


@pytest.mark.parametrize("kind", INPUTS)
def test_text_format_is_a_readable_view(tmp_path, capsys, kind):
    name, data = INPUTS[kind]
    path = tmp_path / name
    path.write_bytes(data)
    code, out, err = run_cli(capsys, "analyze", str(path), "--title", "My title")
    assert code == 0, err
    assert out.startswith("My title\n")
    assert "Kind:" in out and "Grade:" in out and "Key findings" in out
    assert "\033[" not in out  # captured output is not a terminal: no colours


def test_an_html_files_own_title_heads_the_text_view(tmp_path, capsys):
    """`analyze page.html` was headed by the file's name: the page's <title> never reached the analysis, though the
    extension's analyses are headed by `document.title` and `--title` heads the view. `--title` still wins."""
    page = tmp_path / "page.html"
    page.write_text(POLICY_HTML.replace("<title>Privacy Policy</title>",
                                        "<title>\n  Acme &amp; Co —\n  Privacy Notice </title>"), encoding="utf-8")
    code, out, err = run_cli(capsys, "analyze", str(page), "--depth", "quick")
    assert code == 0, err
    assert out.startswith("Acme & Co — Privacy Notice\n")
    _, out, _ = run_cli(capsys, "analyze", str(page), "--depth", "quick", "--format", "json")
    assert json.loads(out)["title"] == "Acme & Co — Privacy Notice"
    _, out, _ = run_cli(capsys, "analyze", str(page), "--depth", "quick", "--format", "html")
    assert "<h1>Acme &amp; Co — Privacy Notice</h1>" in out
    _, out, _ = run_cli(capsys, "analyze", str(page), "--depth", "quick", "--title", "Given")
    assert out.startswith("Given\n")


@pytest.mark.parametrize("kind", INPUTS)
def test_html_format_writes_a_page(tmp_path, capsys, kind):
    name, data = INPUTS[kind]
    path = tmp_path / name
    path.write_bytes(data)
    report = tmp_path / "out" / "report.html"
    report.parent.mkdir()
    code, out, err = run_cli(capsys, "analyze", str(path), "--format", "html", "--out", str(report))
    assert code == 0, err
    assert out == ""
    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "We do not sell your personal information." in page
    HTMLParser().feed(page)
    assert [p.name for p in report.parent.iterdir()] == ["report.html"]  # no temporary file left behind


def test_html_and_text_forms_give_the_same_blocks(tmp_path, capsys):
    results = {}
    for kind in ("text", "html"):
        name, data = INPUTS[kind]
        (tmp_path / name).write_bytes(data)
        _, out, _ = run_cli(capsys, "analyze", str(tmp_path / name), "--format", "json")
        results[kind] = json.loads(out)
    assert ([h["text"] for h in results["text"]["highlights"]]
            == [h["text"] for h in results["html"]["highlights"]])


@pytest.mark.parametrize("args, message", [
    (["analyze", "/no/such/policy.txt"], "no such file: /no/such/policy.txt"),
    (["analyze", "{tmp}"], "is a folder"),
    (["analyze", "{tmp}/empty.md"], "is empty"),
    (["analyze", "{tmp}/image.png"], "binary"),
    (["analyze", "{tmp}/p.txt", "--out", "{tmp}/no/such/dir/r.html"], "does not exist"),
], ids=["missing", "folder", "empty", "binary", "bad-out"])
def test_bad_input_is_one_line_and_non_zero(tmp_path, capsys, args, message):
    (tmp_path / "empty.md").write_text("")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01")
    (tmp_path / "p.txt").write_text(POLICY_TEXT)
    code, out, err = run_cli(capsys, *(a.replace("{tmp}", str(tmp_path)) for a in args))
    assert code != 0 and out == ""
    assert err.count("\n") == 1 and err.startswith("smallprint: ") and message in err
    assert "Traceback" not in err


@pytest.mark.parametrize("command", [["analyze", "/dev/zero", "--depth", "quick"], ["diff", "/dev/zero", "{p}"]],
                         ids=["analyze", "diff"])
def test_endless_input_is_refused_at_the_limit_in_one_line(tmp_path, capsys, monkeypatch, command):
    """`analyze /dev/zero` once grew to 1.5 GB and ended in MemoryError: now a clear refusal at the limit."""
    from smallprint.cli import inputs
    monkeypatch.setattr(inputs, "MAX_INPUT_BYTES", 1024 * 1024)
    (tmp_path / "p.txt").write_text(POLICY_TEXT)
    code, out, err = run_cli(capsys, *(a.replace("{p}", str(tmp_path / "p.txt")) for a in command))
    assert code == 1 and out == ""
    assert err == "smallprint: /dev/zero is larger than 1 MiB, the most smallprint reads of one document\n"


def _console_script() -> list[str]:
    script = Path(sys.executable).with_name("smallprint")
    return [str(script)] if script.exists() else [sys.executable, "-m", "smallprint"]


@pytest.mark.parametrize("content, expected_tags", [
    (POLICY_HTML, {"h1", "p"}),
    (POLICY_TEXT, {"p"}),
], ids=["html", "text"])
def test_stdin_through_the_installed_command(content, expected_tags):
    done = subprocess.run([*_console_script(), "analyze", "-", "--format", "json"], input=content.encode(),
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    analysis = json.loads(done.stdout)
    assert "We do not sell your personal information." in block_texts(analysis)
    assert "<h1>" not in block_texts(analysis)


def _cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "smallprint", *args], capture_output=True, text=True, timeout=120,
                          **kwargs)


def test_a_pipe_given_as_a_path_is_read_like_stdin(tmp_path):
    """`smallprint analyze <(curl ...)` and a named FIFO: HTML by what comes through, as on stdin (the path's name,
    "/dev/fd/63", says nothing), so the page's <title> names it and its markup is not read as text."""
    import threading

    page = POLICY_HTML.encode()
    on_stdin = json.loads(_cli("analyze", "-", "--format", "json", input=POLICY_HTML).stdout)
    read_end, write_end = os.pipe()
    writer = threading.Thread(target=lambda: (os.write(write_end, page), os.close(write_end)), daemon=True)
    writer.start()
    try:
        done = _cli("analyze", f"/dev/fd/{read_end}", "--format", "json", pass_fds=(read_end,))
    finally:
        os.close(read_end)
    assert done.returncode == 0, done.stderr
    from_pipe = json.loads(done.stdout)
    assert from_pipe["title"] == on_stdin["title"] == "Privacy Policy"
    assert block_texts(from_pipe) == block_texts(on_stdin) and "<h1>" not in block_texts(from_pipe)
    assert from_pipe["grade"] == on_stdin["grade"]

    fifo = tmp_path / "page"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(page), daemon=True)
    writer.start()
    done = _cli("analyze", str(fifo), "--format", "json")
    writer.join(timeout=10)
    assert done.returncode == 0, done.stderr
    assert block_texts(json.loads(done.stdout)) == block_texts(on_stdin)


def test_analyze_with_stdin_closed_says_so_in_one_line():
    done = subprocess.run(["bash", "-c", 'exec "$0" -m smallprint analyze - --depth quick <&-', sys.executable],
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout, done.stderr) == (1, "", "smallprint: nothing to analyse: stdin is closed\n")


def test_text_riddled_with_nuls_is_refused_as_binary_not_analysed(tmp_path):
    """UTF-32 without a mark is valid UTF-8, three NULs to a letter: refused, not analysed as that."""
    (tmp_path / "policy.txt").write_bytes(POLICY_TEXT.encode("utf-32-le"))
    done = _cli("analyze", str(tmp_path / "policy.txt"))
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == f"smallprint: {tmp_path / 'policy.txt'} looks like a binary file, not text or HTML\n"


def test_missing_file_through_the_installed_command():
    done = subprocess.run([*_console_script(), "analyze", "/no/such/file.html"], capture_output=True, timeout=120)
    assert done.returncode != 0
    assert done.stderr.decode().strip() == "smallprint: no such file: /no/such/file.html"


@pytest.mark.parametrize("no_color, expect_colour", [(None, True), ("1", False)])
def test_colours_only_on_a_terminal_without_no_color(tmp_path, no_color, expect_colour):
    (tmp_path / "p.txt").write_text(POLICY_TEXT)
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    if no_color:
        env["NO_COLOR"] = no_color
    leader, follower = pty.openpty()
    try:
        proc = subprocess.Popen([*_console_script(), "analyze", str(tmp_path / "p.txt")], stdin=subprocess.DEVNULL,
                                stdout=follower, stderr=subprocess.PIPE, env=env)
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed: the command is done
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert proc.wait(timeout=120) == 0, proc.stderr.read().decode()
    finally:
        os.close(leader)
    out = b"".join(chunks).decode()
    assert "Grade:" in out
    assert ("\033[" in out) is expect_colour


def test_depth_is_chosen_and_said_in_every_format(tmp_path, capsys):
    path = tmp_path / "policy.txt"
    path.write_text("Privacy Policy\n\nWe do not sell your personal information.\n\n"
                    "We share your precise location with advertisers so that they can show you ads.")
    for depth, said in (("full", "Read:  full (the learned reader"), ("quick", "Read:  quick (the rules alone)")):
        code, out, err = run_cli(capsys, "analyze", str(path), "--depth", depth)
        assert code == 0 and said in out, err
        code, out, _ = run_cli(capsys, "analyze", str(path), "--depth", depth, "--format", "json")
        assert json.loads(out)["depth"] == depth
    code, out, _ = run_cli(capsys, "analyze", str(path), "--depth", "quick", "--format", "html")
    assert "quick reading (the rules alone)" in out
    with pytest.raises(SystemExit) as refused:
        run_cli(capsys, "analyze", str(path), "--depth", "deep")
    assert refused.value.code == 2 and "--depth" in capsys.readouterr().err


def test_a_page_in_another_language_says_so_in_the_text_view(tmp_path, capsys):
    path = tmp_path / "datenschutz.txt"
    path.write_text("Wir geben Ihre personenbezogenen Daten an Werbepartner weiter und speichern sie lange. " * 4)
    code, out, err = run_cli(capsys, "analyze", str(path))
    assert code == 0, err
    assert "language de" in out and "Note: This page looks like it is in a language" in out


def test_a_reader_that_stops_reading_ends_the_command_quietly(tmp_path):
    """`smallprint analyze big --format json | head -c 10`: the closed pipe is standard output, so exit 0."""
    policy = tmp_path / "policy.md"
    policy.write_text(POLICY_MARKDOWN + "\n\n" + "We collect your email address and your name. " * 4000)
    cli = subprocess.Popen([sys.executable, "-m", "smallprint", "analyze", str(policy), "--format", "json"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    cli.stdout.read(10)
    cli.stdout.close()
    assert cli.wait(timeout=120) == 0
    assert b"Traceback" not in cli.stderr.read()


def test_another_pipe_breaking_is_an_error_not_a_quiet_success(tmp_path, capsys, monkeypatch):
    """A pipe to a daemon or a worker breaking mid-command used to be taken for a closed standard output: exit 0
    with nothing done (the corpus review found a run that wrote no tables end so)."""
    from smallprint.cli import cmd_analyze

    def broken(args):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(cmd_analyze, "run", broken)  # registered as the command's func when the parser is built
    policy = tmp_path / "policy.md"
    policy.write_text(POLICY_MARKDOWN)
    code, _, err = run_cli(capsys, "analyze", str(policy))
    assert code == 1 and "Broken pipe" in err
