"""Where the output goes: `--out` refuses to overwrite a file the command reads (analyze, diff), before any work, losing
nothing; it writes into a device or FIFO and through a link; a failure to write names what failed."""
from __future__ import annotations

import os

import pytest

from smallprint.cli import main

POLICY = "# Privacy Policy\n\nWe collect your email address.\n\nWe do not sell your personal information.\n"


@pytest.fixture
def policies(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "old.md").write_text(POLICY)
    (tmp_path / "new.md").write_text(POLICY + "\nWe share your location with advertisers.\n")
    os.symlink(tmp_path / "old.md", tmp_path / "link-to-old.md")
    return tmp_path


@pytest.mark.parametrize("args", [
    ["analyze", "old.md", "--format", "html", "--out", "old.md"],
    ["analyze", "old.md", "--out", "./sub/../old.md"],  # another spelling of the same file
    ["analyze", "link-to-old.md", "--format", "json", "--out", "old.md"],  # through a link
    ["diff", "old.md", "new.md", "--out", "old.md"],
    ["diff", "old.md", "new.md", "--format", "html", "--out", "new.md"],
], ids=["analyze", "analyze-spelling", "analyze-link", "diff-old", "diff-new"])
def test_out_naming_an_input_is_refused_and_the_input_kept(policies, capsys, args):
    (policies / "sub").mkdir()
    before = {name: (policies / name).read_bytes() for name in ("old.md", "new.md")}
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("smallprint: --out ") and "would overwrite it" in err and len(err.strip().splitlines()) == 1
    assert {name: (policies / name).read_bytes() for name in before} == before
    assert sorted(p.name for p in policies.iterdir()) == ["link-to-old.md", "new.md", "old.md", "sub"]  # no temp files


def test_out_to_another_file_still_works(policies, capsys, smallprint_home):
    assert main(["analyze", "old.md", "--format", "json", "--out", "report.json"]) == 0
    assert main(["diff", "old.md", "new.md", "--out", "diff.txt"]) == 0
    assert (policies / "report.json").read_text().startswith("{") and (policies / "diff.txt").read_text()
    assert (policies / "old.md").read_text() == POLICY


@pytest.mark.parametrize("fmt", ["html", "json", "text"])
def test_a_title_that_is_not_utf8_is_written_not_a_failure(policies, capsys, smallprint_home, fmt):
    """`--title $'bad\\xff'` arrives as a lone surrogate; writing it once failed with "'utf-8' codec can't encode
    character '\\udcff'" and left a 0-byte .r.html.XXXX.tmp behind."""
    (policies / "out").mkdir()
    assert main(["analyze", "old.md", "--title", "bad\udcff", "--format", fmt, "--out", "out/r"]) == 0, \
        capsys.readouterr().err
    assert os.listdir(policies / "out") == ["r"]
    assert (policies / "out" / "r").read_text(encoding="utf-8")


def test_no_temporary_file_is_left_whatever_stops_the_write(policies, capsys, smallprint_home, monkeypatch):
    from smallprint.cli import cmd_analyze
    (policies / "out").mkdir()

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cmd_analyze.os, "replace", interrupted)
    assert main(["analyze", "old.md", "--out", "out/r.txt"]) == 130
    assert os.listdir(policies / "out") == []


@pytest.mark.parametrize("command, out, why", [
    (["analyze", "-"], "{tmp}", "it is a folder"),
    (["analyze", "-", "--format", "html"], "{tmp}/no-such-folder/report.html", "does not exist"),
    (["diff", "-", "{tmp}/new.md"], "{tmp}", "it is a folder"),
], ids=["analyze-folder", "analyze-missing-folder", "diff-folder"])
def test_an_out_that_cannot_be_written_is_refused_before_the_input_is_read(tmp_path, command, out, why):
    """The check comes before any work: stdin is an open pipe nobody writes to, so a command that read it (or
    analysed anything) first would wait, and the timeout would end the test with TimeoutExpired."""
    import subprocess
    import sys
    (tmp_path / "new.md").write_text(POLICY)
    args = [a.format(tmp=tmp_path) for a in command] + ["--out", out.format(tmp=tmp_path)]
    env = {**os.environ, "SMALLPRINT_HOME": str(tmp_path / "home")}
    read_end, write_end = os.pipe()  # the write end stays open (and silent) until the command has ended
    try:
        process = subprocess.run([sys.executable, "-m", "smallprint", *args], stdin=read_end, capture_output=True,
                                 env=env, timeout=60)
    finally:
        os.close(read_end)
        os.close(write_end)
    err = process.stderr
    assert process.returncode == 1
    message = err.decode()
    assert message.startswith("smallprint: cannot write ") and why in message and len(message.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.md"]  # nothing written, no temporary file left


@pytest.mark.parametrize("command", [["analyze", "old.md"], ["diff", "old.md", "new.md"]], ids=["analyze", "diff"])
def test_out_into_a_fifo_writes_into_it_and_keeps_it_a_fifo(policies, capsys, smallprint_home, command):
    """A FIFO (or a device: `--out /dev/stdout`, /dev/null) is written into, as the shell's `>` writes. The report was
    once written beside it and renamed over it: the FIFO's reader got nothing, and run by a user allowed to write
    /dev, `--out /dev/stdout` left a regular file where the link to standard output had been."""
    import stat
    fifo = policies / "report.fifo"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # open before the command, so its open does not wait
    try:
        assert main([*command, "--out", str(fifo)]) == 0, capsys.readouterr().err
        received = os.read(reader, 1 << 20).decode()
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert "old.md" in received and capsys.readouterr().out == ""
    assert sorted(p.name for p in policies.iterdir()) == ["link-to-old.md", "new.md", "old.md", "report.fifo"]


def test_out_through_a_link_writes_the_linked_report_and_keeps_the_link(policies, capsys, smallprint_home):
    (policies / "reports").mkdir()
    (policies / "reports" / "2024.json").write_text("{}")
    os.symlink(policies / "reports" / "2024.json", policies / "latest.json")
    assert main(["analyze", "old.md", "--format", "json", "--out", "latest.json"]) == 0, capsys.readouterr().err
    assert os.path.islink(policies / "latest.json")
    assert (policies / "reports" / "2024.json").read_text().startswith('{\n  "schema_version"')
    assert os.listdir(policies / "reports") == ["2024.json"]  # no temporary file left beside it


def test_a_command_writing_files_beside_out_refuses_a_fifo(tmp_path):
    """`corpus report --out` writes its CSV files beside the page: beside a FIFO or /dev/stdout there is no place
    for them, so it is refused before the work (streams=False), not renamed over."""
    from smallprint.cli import CliError
    from smallprint.cli.output_guard import refuse_unwritable_out
    fifo = tmp_path / "page.fifo"
    os.mkfifo(fifo)
    refuse_unwritable_out(str(fifo))  # analyze, diff, history write into it
    with pytest.raises(CliError, match="not a regular file"):
        refuse_unwritable_out(str(fifo), streams=False)
    refuse_unwritable_out("-")
    with pytest.raises(CliError, match="not a regular file"):  # "-" was taken for a file named "-", CSVs beside it
        refuse_unwritable_out("-", streams=False)


def test_an_out_name_that_is_not_utf8_is_shown_with_escapes(policies, capsys):
    """README: a file name that is not UTF-8 is shown with its bytes as \\xNN, never as a lone surrogate (it once read
    "cannot write caf\\udce9.html" here while the input's name read "caf\\xe9.md")."""
    out = os.fsdecode(bytes(policies / "no-such-folder") + b"/caf\xe9.html")
    assert main(["analyze", "old.md", "--out", out]) == 1
    err = capsys.readouterr().err
    assert "/caf\\xe9.html: the folder " in err and "\udce9" not in err


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("command", [["analyze", "{tmp}/old.md", "--format", "json"],
                                     ["diff", "{tmp}/old.md", "{tmp}/new.md"],
                                     ["status"], ["status", "--json"], ["token"],
                                     ["eval", "--opp115", "{tmp}/segments.jsonl", "--depth", "quick"],
                                     ["eval", "--opp115", "{tmp}/segments.jsonl", "--depth", "quick", "--json"],
                                     ["--help"], ["--version"], ["diff", "--help"]],
                         ids=["analyze", "diff", "status", "status-json", "token", "eval", "eval-json", "help",
                              "version", "diff-help"])
def test_a_full_stdout_is_named_in_the_error(policies, command):
    """`smallprint analyze x > /dev/full` said only "smallprint: [Errno 28] No space left on device": what failed
    to be written, the output, was not said. After analyze, diff and history said it, status, token and eval still
    did not, and --help printed nothing and exited 0. The shell's redirection: /dev/full opened for writing, as
    `> /dev/full` does (never --out, which as root could replace the device)."""
    import json
    import subprocess
    import sys
    (policies / "segments.jsonl").write_text(json.dumps(
        {"policy_id": 1, "segment_id": 0, "text": "We share your email address with advertisers.",
         "categories": ["Third Party Sharing/Collection"], "split": "dev"}) + "\n")
    env = {**os.environ, "SMALLPRINT_HOME": str(policies / "home")}
    process = subprocess.run(["sh", "-c", 'exec "$@" > /dev/full', "sh", sys.executable, "-m", "smallprint",
                              *(a.format(tmp=policies) for a in command)],
                             stderr=subprocess.PIPE, env=env, timeout=120)
    assert process.returncode == 1, process.stderr
    assert process.stderr.decode() == "smallprint: cannot write to standard output: No space left on device\n"


@pytest.mark.parametrize("command, status", [(["--help"], 0), (["diff", "--help"], 0), (["status"], 3),
                                             (["token"], 0)], ids=["help", "diff-help", "status", "token"])
def test_a_reader_that_left_before_the_output_is_no_failure(tmp_path, command, status):
    """A pipe whose reader is gone before anything is written (`smallprint --help | true`): the reader has all it
    wanted; the command's own exit status stands (status: 3, no daemon), and nothing is said on stderr."""
    import subprocess
    import sys
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        process = subprocess.run([sys.executable, "-m", "smallprint", *command], stdout=write_end,
                                 stderr=subprocess.PIPE, env={**os.environ, "SMALLPRINT_HOME": str(tmp_path)},
                                 timeout=120)
    finally:
        os.close(write_end)
    assert (process.returncode, process.stderr.decode()) == (status, "")


@pytest.mark.parametrize("command", [["analyze", "{tmp}/old.md"], ["diff", "{tmp}/old.md", "{tmp}/new.md"]],
                         ids=["analyze", "diff"])
def test_out_to_dev_stdout_sent_to_a_file_appends_to_it(policies, command):
    """`--out /dev/stdout >> log`: with standard output sent to a regular file, /dev/stdout is a link to that file, and
    the report was written through the link: a new file renamed over the log, so what the log held was gone (and a
    file in a folder the user may not write was refused). It is written into standard output, as `--out -` is."""
    import subprocess
    import sys
    log = policies / "log.txt"
    log.write_text("an earlier line\n")
    inode = log.stat().st_ino
    env = {**os.environ, "SMALLPRINT_HOME": str(policies / "home")}
    with open(log, "a") as appended:
        process = subprocess.run([sys.executable, "-m", "smallprint", *(a.format(tmp=policies) for a in command),
                                  "--out", "/dev/stdout"], stdout=appended, stderr=subprocess.PIPE, env=env, timeout=120)
    assert process.returncode == 0, process.stderr.decode()
    text = log.read_text()
    assert text.startswith("an earlier line\n") and "old.md" in text
    assert log.stat().st_ino == inode
    assert sorted(p.name for p in policies.iterdir() if not p.name.startswith("home")) == [
        "link-to-old.md", "log.txt", "new.md", "old.md"]


def _run_with_stdout_closed(command: list[str], home, *, cwd=None):
    import subprocess
    import sys
    return subprocess.run(["sh", "-c", 'exec "$@" >&-', "sh", sys.executable, "-m", "smallprint", *command],
                          stderr=subprocess.PIPE, env={**os.environ, "SMALLPRINT_HOME": str(home)}, cwd=cwd,
                          timeout=120)


@pytest.mark.parametrize("command", [["analyze", "{tmp}/old.md", "--depth", "quick"],
                                     ["analyze", "{tmp}/old.md", "--depth", "quick", "--format", "json"],
                                     ["diff", "{tmp}/old.md", "{tmp}/new.md"], ["history", "example.com"],
                                     ["forget", "example.com"], ["status"], ["token"],
                                     ["eval", "--opp115", "{tmp}/segments.jsonl", "--depth", "quick"],
                                     ["--help"], ["--version"], ["diff", "--help"]],
                         ids=["analyze", "analyze-json", "diff", "history", "forget", "status", "token", "eval",
                              "help", "version", "diff-help"])
def test_no_standard_output_at_all_is_said_as_a_full_one_is(policies, command):
    """Started with descriptor 1 closed (`smallprint analyze x >&-`; pythonw.exe has no stdout either), Python's
    sys.stdout is None: `analyze`, `diff`, `history` and `forget` said "unexpected error: AttributeError: 'NoneType'
    object has no attribute 'isatty'", while `token` and `--version` exited 0 having printed nothing anywhere. Each
    now says what `> /dev/full` makes it say, naming standard output, with exit status 1, as `cat` does."""
    import json
    (policies / "segments.jsonl").write_text(json.dumps(
        {"policy_id": 1, "segment_id": 0, "text": "We share your email address with advertisers.",
         "categories": ["Third Party Sharing/Collection"], "split": "dev"}) + "\n")
    process = _run_with_stdout_closed([a.format(tmp=policies) for a in command], policies / "home")
    assert (process.returncode, process.stderr.decode()) == (
        1, "smallprint: cannot write to standard output: it is closed\n")


def test_no_standard_output_is_no_failure_where_nothing_is_written_there(policies):
    """`--out FILE` writes nothing on standard output: with none at all the report is written, exit status 0."""
    process = _run_with_stdout_closed(["analyze", "old.md", "--depth", "quick", "--out", "report.txt"],
                                      policies / "home", cwd=policies)
    assert (process.returncode, process.stderr) == (0, b"")
    assert "Privacy Policy" in (policies / "report.txt").read_text()


def test_the_daemon_serves_with_no_standard_output(tmp_path):
    """autostart's Windows task runs `serve` with pythonw.exe, which has no stdout: the daemon must serve all the
    same (its one line on stdout, where it listens, is written nowhere), not stop at that line."""
    import json
    import subprocess
    import sys
    import time
    env = {**os.environ, "SMALLPRINT_HOME": str(tmp_path)}
    process = subprocess.Popen(["sh", "-c", 'exec "$@" >&-', "sh", sys.executable, "-m", "smallprint", "serve",
                                "--port", "0"], stderr=subprocess.PIPE, env=env)
    try:
        runtime, deadline = tmp_path / "run" / "daemon.json", time.monotonic() + 60
        while not (runtime.exists() and json.loads(runtime.read_text() or "{}").get("pid") == process.pid):
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "the daemon did not start"
            time.sleep(0.05)
        stopped = subprocess.run([sys.executable, "-m", "smallprint", "stop"], capture_output=True, env=env,
                                 timeout=60)
        assert stopped.returncode == 0, stopped.stderr
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()


@pytest.mark.parametrize("args, help_of", [
    (["no-such-command"], "smallprint"), (["--bogus"], "smallprint"),
    (["analyze"], "smallprint analyze"), (["analyze", "x.md", "--depth", "deep"], "smallprint analyze"),
    (["analyze", "x.md", "--bogus"], "smallprint analyze"), (["diff", "old.md"], "smallprint diff"),
    (["history"], "smallprint history"), (["forget"], "smallprint forget"),
    (["forget", "example.com", "--all"], "smallprint forget"), (["eval", "--depth", "x"], "smallprint eval"),
    (["serve", "--port", "x"], "smallprint serve"), (["status", "--bogus"], "smallprint status"),
    (["token", "x"], "smallprint token"), (["stop", "x"], "smallprint stop"),
    (["install-host", "--bogus"], "smallprint install-host"), (["autostart"], "smallprint autostart"),
    (["corpus", "bogus"], "smallprint corpus"), (["corpus", "analyze", "src"], "smallprint corpus analyze"),
    (["corpus", "report", "dir", "--bogus"], "smallprint corpus report"),
    # an option no parser knows, placed before a sub-command's name, is the error of the parser above it
    (["--bogus", "analyze", "x.md"], "smallprint"), (["corpus", "--bogus", "report", "dir"], "smallprint corpus"),
    (["--bogus", "corpus", "report", "dir"], "smallprint"), (["analyze", "--bogus", "analyze"], "smallprint analyze"),
])
def test_a_usage_error_is_one_line_naming_the_help_that_explains_it(capsys, args, help_of):
    """README: errors are one line on stderr. argparse printed its usage block first and the error last, and an
    argument no sub-command knows was said by the top parser, as if `smallprint --help` listed what it takes."""
    with pytest.raises(SystemExit) as refused:
        main(args)
    captured = capsys.readouterr()
    assert refused.value.code == 2 and captured.out == ""
    assert captured.err.startswith("smallprint: error: ") and captured.err.count("\n") == 1
    assert captured.err.endswith(f" (see `{help_of} --help`)\n")


@pytest.mark.parametrize("args", [["analyze", "old.md", "--depth", "quick"], ["diff", "old.md", "new.md"],
                                  ["history", "example.com", "--format", "html"]], ids=["analyze", "diff", "history"])
@pytest.mark.parametrize("through_a_link", [False, True], ids=["file", "link"])
def test_out_onto_a_read_only_report_is_refused_and_the_report_kept(policies, capsys, smallprint_home, args,
                                                                   through_a_link):
    """A report made read-only (chmod 444) was replaced all the same: the new one is renamed over it, which only
    the folder's permission governs (and root may write anything). `cp` and `>` refuse such a file; so does --out,
    for root too where no one may write it."""
    report = policies / "report.txt"
    report.write_text("the reader's own notes\n")
    report.chmod(0o444)
    if through_a_link:
        os.symlink(report, policies / "link-to-report.txt")
    inode = report.stat().st_ino
    out = "link-to-report.txt" if through_a_link else "report.txt"
    assert main([*args, "--out", out]) == 1
    err = capsys.readouterr().err
    assert err == f"smallprint: cannot write {out}: it is read-only (make it writable, or choose another --out)\n"
    assert report.read_text() == "the reader's own notes\n" and report.stat().st_ino == inode
    assert oct(report.stat().st_mode & 0o777) == oct(0o444)
    assert not [p for p in policies.iterdir() if p.name.endswith(".tmp")]


def test_out_onto_a_file_this_user_may_not_write_is_refused(policies, capsys, monkeypatch):
    """Not root: a file with write bits this user may not write (another's 0644 report) is refused as `cp` would
    refuse it (os.access; root passes it, so it is stood in for here)."""
    from smallprint.cli import output_guard
    report = policies / "theirs.txt"
    report.write_text("someone else's report\n")
    real_access = os.access
    monkeypatch.setattr(output_guard.os, "access",
                        lambda path, mode, **kw: False if os.path.samefile(path, report) and mode == os.W_OK
                        else real_access(path, mode, **kw))
    assert main(["analyze", "old.md", "--depth", "quick", "--out", "theirs.txt"]) == 1
    assert "theirs.txt: it is read-only" in capsys.readouterr().err
    assert report.read_text() == "someone else's report\n"


def test_a_read_only_input_named_as_out_is_said_to_be_the_input(policies, capsys):
    (policies / "old.md").chmod(0o444)
    assert main(["analyze", "old.md", "--out", "old.md"]) == 2
    assert "is the input file" in capsys.readouterr().err
