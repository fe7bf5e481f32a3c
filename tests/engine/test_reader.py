"""The learned reader (full depth): the shipped model loads and reads, two depths answer in one schema, headings
and other languages get no highlights, and a missing model falls back to the quick reading and says so."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from smallprint import analyze
from smallprint.engine.blocks import to_blocks
from smallprint.engine.clauses import find_highlights
from smallprint.engine.reader import MODEL_DIR, load_model
from smallprint.engine.reader_input import PAIR_LABELS, pair_text, reading_units
from smallprint.taxonomy import POLARITIES, PRACTICE_IDS

from tests.conftest import ROOT

X_2024 = ("If you do not opt out, in some instances the recipients of the information may use it for their own "
          "independent purposes in addition to those stated in X's Privacy Policy, including, for example, to train "
          "their artificial intelligence models, whether generative or otherwise.")
ZOOM = ("Zoom does not use any of your audio, video, chat, screen sharing, attachments or other communications-like "
        "Customer Content (such as poll results, whiteboard and reactions) to train Zoom or third-party artificial "
        "intelligence models.")


def test_the_shipped_model_matches_the_taxonomy():
    config = json.loads((MODEL_DIR / "reader.json").read_text())
    assert [tuple(p) for p in config["pairs"]] == list(PAIR_LABELS)
    assert len(PAIR_LABELS) == len(PRACTICE_IDS) * len(POLARITIES)
    assert config["thresholds"]["*"] > config["thresholds"]["with_rules"] > 0
    assert (MODEL_DIR / "reader.int8.onnx").stat().st_size > 10_000_000
    assert load_model() is load_model()  # loaded once per process


@pytest.mark.parametrize("text, polarity", [(X_2024, "concern"), (ZOOM, "protective")])
def test_ai_training_clauses_of_the_issue(text, polarity):
    analysis = analyze(text=text)
    assert analysis.depth == "full"
    mine = [h for h in analysis.highlights if h.practice == "ai_training"]
    assert [h.polarity for h in mine] == [polarity]
    assert mine[0].explanation.startswith("reader: ai_training")


@pytest.mark.parametrize("depth", ["quick", "full"])
def test_a_service_that_cannot_see_encrypted_messages_is_no_security_concern(depth):
    """Issue #11 names "We can't see the content of end-to-end encrypted messages" read as a security concern: the
    rules read the negation as denying the encryption, and at full depth the rules decide security's polarity."""
    for text in ("We can't see the content of end-to-end encrypted messages.",
                 "We are not able to read messages protected by end-to-end encryption."):
        mine = [h for h in analyze(text=text, depth=depth).highlights if h.practice == "security"]
        assert mine and {h.polarity for h in mine} == {"protective"}, (text, mine)
    # a negation of the measure itself is still a concern
    mine = [h for h in analyze(text="We do not use end-to-end encryption for your messages.", depth=depth).highlights
            if h.practice == "security"]
    assert mine and {h.polarity for h in mine} == {"concern"}


def test_a_severe_practice_is_not_read_into_the_next_sentence():
    # the second thoughts weigh the neighbours; the reader and the rules must read a severe practice in the sentence
    # itself (arbiter.SEVERE_READER_FLOOR)
    text = ("We may use the information we collect and publicly available information to help train our machine "
            "learning or artificial intelligence models.\n\nWe may collect and use your biometric information, "
            "such as face geometry, to verify your identity.")
    analysis = analyze(text=text)
    by_block = {(h.block, h.practice, h.polarity) for h in analysis.highlights}
    assert ("b0", "ai_training", "concern") in by_block and ("b1", "biometric", "concern") in by_block
    assert not any(h.block == "b1" and h.practice == "ai_training" for h in analysis.highlights)


@pytest.mark.parametrize("depth", ["full", "quick"])
def test_headings_and_short_lines_get_no_highlight(depth):
    """Issue #11: "headings and contents entries highlighted ("Changes To This Privacy Policy", "Location
    information.")"; the quick depth, painted first, read the contents entry as location until 2026-12-07."""
    html = ("<h2>Changes To This Privacy Policy</h2><p>We may change this policy from time to time.</p>"
            "<h2>How We Share Your Information</h2><p>Location information.</p>"
            "<p>We share your precise location with advertisers so that they can show you ads.</p>")
    analysis = analyze(html=html, depth=depth)
    assert {h.block for h in analysis.highlights} == {"b1", "b4"}
    if depth == "full":  # the rules read a bare "we may change this policy" as a concern (the guide: neutral), and
        # the precise location shared with advertisers as location only
        assert ("policy_change", "neutral") in {(h.practice, h.polarity) for h in analysis.highlights
                                                if h.block == "b1"}
        assert {(h.practice, h.polarity) for h in analysis.highlights if h.block == "b4"} >= {("advertising", "concern")}


def test_a_short_sentence_that_states_something_is_still_read_quickly():
    """Fewer than four words and no subject or verb is a label ("Sale of data"); "We sell data." states a sale."""
    for text, practice in (("We sell data.", "sale_of_data"), ("Data is sold.", "sale_of_data"),
                           ("We track you.", "tracking")):
        quick = analyze(text=f"# Privacy Policy\n\nOur practices follow. {text} Location information.", depth="quick")
        assert [(h.practice, h.text) for h in quick.highlights] == [(practice, text)]


def test_a_question_is_not_read_quickly():
    """"Does Bolt transfer your personal data to other countries?" led a key finding at quick depth; a question
    states nothing (the project's careful readers labelled 2 of 579), and the answer after it is read."""
    quick = analyze(text="# Privacy Policy\n\nDo we sell your personal information to data brokers? We may sell your "
                         "personal information to data brokers.\n\nHow long do we keep your data?\n", depth="quick")
    assert [(h.practice, h.text) for h in quick.highlights] == [
        ("sale_of_data", "We may sell your personal information to data brokers.")]


def test_quick_depth_is_the_rules():
    text = (ROOT / "daemon/smallprint/examples/example-privacy-policy.md").read_text()
    quick = analyze(text=text, depth="quick")
    assert quick.depth == "quick" and quick.notices == ()
    assert quick.highlights == find_highlights(quick.blocks)
    full = analyze(text=text)
    assert full.depth == "full"
    assert set(full.to_dict()) == set(quick.to_dict())  # one schema
    assert full.highlights != quick.highlights


def test_unknown_depth_is_refused():
    with pytest.raises(ValueError, match="depth"):
        analyze(text="We sell data.", depth="deep")


def test_a_page_in_another_language_gets_a_notice_not_highlights():
    german = ("Wir verarbeiten Ihre personenbezogenen Daten, um unsere Dienste bereitzustellen. Wir geben Ihre Daten "
              "an Werbepartner weiter und verwenden Cookies, um Ihr Verhalten auf anderen Websites zu verfolgen. "
              "Sie können der Verarbeitung jederzeit widersprechen und die Löschung Ihrer Daten verlangen. "
              "Wir speichern Ihre Daten so lange, wie es für die genannten Zwecke erforderlich ist.")
    for depth in ("full", "quick"):
        analysis = analyze(text=german, depth=depth)
        assert analysis.language == "de"
        assert analysis.highlights == ()
        assert analysis.notices and "language" in analysis.notices[0]
        assert analysis.to_dict()["notices"] == list(analysis.notices)


def test_english_is_read():
    text = ("We share your information with advertising partners to show you personalised ads. " * 3
            + "You can ask us to delete your account and the data we hold about you at any time.")
    analysis = analyze(text=text)
    assert analysis.language == "en" and analysis.highlights


def test_reading_units_carry_heading_lead_in_and_previous_sentence():
    blocks = to_blocks(html="<h2>Sharing</h2><p>We work with partners around the world. We share some of your "
                            "personal data with the following kinds of partners:</p>"
                            "<ul><li>advertisers, to show ads;</li><li>analytics providers.</li></ul>")
    units = reading_units(blocks)
    by_text = {u.text: u for u in units}
    lead_in = "We share some of your personal data with the following kinds of partners:"
    assert by_text["We work with partners around the world."].heading == "Sharing"
    assert by_text[lead_in].before == "We work with partners around the world."
    assert by_text["advertisers, to show ads;"].before == lead_in  # the list's lead-in
    assert by_text["analytics providers."].before == lead_in
    sentence, context = pair_text(by_text[lead_in])
    assert sentence == lead_in and context == "Sharing | We work with partners around the world."
    assert not by_text["Sharing"].readable  # one word: not read


def test_without_the_model_the_full_depth_falls_back_and_says_so(tmp_path):
    code = ("import json; from smallprint import analyze; "
            "a = analyze(text='We may sell your personal information to data brokers.'); "
            "print(json.dumps([a.depth, list(a.notices), [h.practice for h in a.highlights]]))")
    env = {"SMALLPRINT_READER_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                         cwd=ROOT)
    depth, notices, practices = json.loads(out.stdout)
    assert depth == "quick"
    assert notices and "full reading is unavailable" in notices[0]
    assert "sale_of_data" in practices


def test_english_pages_never_load_the_language_identifier():
    # py3langid's model is ~100 MB resident: an English page is recognised at a glance, without it
    code = ("import json; from smallprint import analyze; from smallprint.engine.language import _identifier; "
            "a = analyze(text=open('daemon/smallprint/examples/example-privacy-policy.md').read()); "
            "loaded_en = _identifier.cache_info().currsize; "
            "b = analyze(text='Wir geben Ihre personenbezogenen Daten an Werbepartner weiter und speichern sie lange. ' * 4); "
            "print(json.dumps([a.language, loaded_en, b.language, _identifier.cache_info().currsize]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert json.loads(out.stdout) == ["en", 0, "de", 1]


def test_the_opp115_categories_at_full_depth_blend_the_head_with_the_segments_model():
    """reader.opp_categories: the plain mean of the segment head and the segments model's probabilities, at the
    shipped blend's cut-offs (scripts/train_opp_blend.py); the head alone where no word-model figures are given."""
    from smallprint.engine.reader import opp_categories, probabilities
    from smallprint.engine.reader_input import segment_text
    model = load_model()
    blend = model.opp_blend
    assert blend is not None and blend.reader_weight == 0.5 and len(blend.cuts) == len(model.opp)
    texts = ["We keep your data for 30 days and then delete it.",
             "You can opt out of marketing emails at any time in your settings.",
             "We use encryption to protect your information."]
    _, head = probabilities(model, [(segment_text(t), "") for t in texts], model.segment_tokenizer)
    assert opp_categories(texts, model) == [[c for c, p in zip(model.opp, row) if p >= 0.5] for row in head]
    for words in ([[0.0] * len(model.opp)] * 3, [[1.0] * len(model.opp)] * 3):
        expected = [[c for c, p, q, k in zip(model.opp, row, w, blend.cuts) if (p + q) / 2 >= k]
                    for row, w in zip(head, words)]
        assert opp_categories(texts, model, words_probabilities=words) == expected
    assert "Data Retention" in opp_categories(texts, model, words_probabilities=[[0.5] * 10] * 3)[0]


@pytest.mark.parametrize("content, message", [
    ("not json", "cannot read"), ('{"format": "other"}', "not a blend"),
    (json.dumps({"format": "smallprint-opp-blend/1", "categories": ["x"], "reader_weight": 0.5, "cuts": [0.5]}),
     "not a blend"),
])
def test_a_damaged_opp_blend_is_a_clear_error(tmp_path, content, message):
    from smallprint.engine.reader import OPP_BLEND_FILE, ReaderUnavailable, _load
    for name in ("reader.int8.onnx", "reader.json", "tokenizer.json"):
        (tmp_path / name).symlink_to(MODEL_DIR / name)
    (tmp_path / OPP_BLEND_FILE).write_text(content, encoding="utf-8")
    with pytest.raises(ReaderUnavailable, match=message):
        _load(tmp_path)


@pytest.mark.parametrize("damage", [
    lambda config: config["thresholds"].update({"*": "high"}),  # a cut-off that is no number
    lambda config: config.pop("opp"),  # no OPP-115 categories
])
def test_a_damaged_reader_config_is_a_reader_that_cannot_load_not_a_bad_page(tmp_path, damage):
    """The full depth then answers with the quick reading and says why; before, a cut-off that was no number came
    out of the loader as a ValueError, which the daemon reports as a page it cannot read."""
    from smallprint.engine.reader import ReaderUnavailable, _load
    for name in ("reader.int8.onnx", "tokenizer.json"):
        (tmp_path / name).symlink_to(MODEL_DIR / name)
    config = json.loads((MODEL_DIR / "reader.json").read_text())
    damage(config)
    (tmp_path / "reader.json").write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(ReaderUnavailable, match="cannot be loaded"):
        _load(tmp_path)


# -- the reader's memory of pairs it read (reader.RememberedReadings) ---------------------------------------------

class CountingSession:
    """The real onnxruntime session, counting its runs."""

    def __init__(self, inner):
        self.inner, self.runs = inner, 0

    def run(self, *args, **kwargs):
        self.runs += 1
        return self.inner.run(*args, **kwargs)


def counting_reader():
    import dataclasses

    from smallprint.engine.reader import RememberedReadings
    model = load_model()
    session = CountingSession(model.session)
    return dataclasses.replace(model, session=session, remembered=RememberedReadings()), session


MEMORY_PAGE = ("We collect your email address to send you our newsletter. We share your location with advertising "
               "partners. We never sell your personal information. You can delete your account at any time.")


def pairs_of(text):
    return [pair_text(u) for u in reading_units(to_blocks(text=text)) if u.readable]


def test_a_pair_read_before_is_not_read_again_and_reads_the_same():
    from smallprint.engine.reader import probabilities
    model, session = counting_reader()
    pairs = pairs_of(MEMORY_PAGE)
    first = probabilities(model, pairs)
    assert session.runs == len(set(pairs)) == 4
    again = probabilities(model, pairs + pairs[:1])  # the same page, and a pair twice in one call
    assert session.runs == 4
    assert again[0][:4] == first[0] and again[1][:4] == first[1] and again[0][4] == first[0][0]
    # a cold reader gives the very same floats: the memory changes no reading
    cold, _ = counting_reader()
    assert probabilities(cold, pairs) == first


def test_an_edited_page_reads_only_the_pairs_that_changed():
    from smallprint.engine.reader import probabilities
    model, session = counting_reader()
    probabilities(model, pairs_of(MEMORY_PAGE))
    edited = MEMORY_PAGE.replace("at any time.", "at any time from your settings.")
    before = session.runs
    probabilities(model, pairs_of(edited))
    assert session.runs - before == 1  # the last sentence; it is no other sentence's context


def test_the_memory_is_bounded_and_forgets_the_least_recently_used(monkeypatch):
    from smallprint.engine import reader
    monkeypatch.setattr(reader, "READINGS_REMEMBERED", 3)
    model, session = counting_reader()
    pairs = pairs_of(MEMORY_PAGE)
    reader.probabilities(model, pairs[:2])
    reader.probabilities(model, pairs[:1])  # pairs[0] used again: pairs[1] is now the oldest
    reader.probabilities(model, pairs[2:4])
    assert len(model.remembered) == 3
    runs = session.runs
    reader.probabilities(model, pairs[:1])
    assert session.runs == runs  # kept
    reader.probabilities(model, pairs[1:2])
    assert session.runs == runs + 1  # forgotten, read again


def test_a_forget_empties_the_memory_and_the_next_reading_reads_again():
    from smallprint.engine.reader import probabilities
    model, session = counting_reader()
    pairs = pairs_of(MEMORY_PAGE)
    first = probabilities(model, pairs)
    model.remembered.forget()
    assert len(model.remembered) == 0 and all(model.remembered.recall(pair) is None for pair in pairs)
    assert probabilities(model, pairs) == first and session.runs == 8  # read again, the same
    assert len(model.remembered) == 4  # and remembered again: that reading began after the forget


def test_a_reading_under_way_when_the_memory_is_forgotten_is_not_kept():
    """The daemon in thread mode forgets while another thread reads: what that reading began before the forget must
    not come back after it (the reader asked to forget the pages they had read)."""
    import dataclasses
    import threading

    from smallprint.engine import reader
    model, session = counting_reader()
    reading_begun, forgotten = threading.Event(), threading.Event()

    class HeldSession:
        def run(self, *args, **kwargs):
            reading_begun.set()
            forgotten.wait(30)
            return session.run(*args, **kwargs)

    held = dataclasses.replace(model, session=HeldSession())
    pairs = pairs_of(MEMORY_PAGE)
    answers = []
    thread = threading.Thread(target=lambda: answers.append(reader.probabilities(held, pairs)))
    thread.start()
    assert reading_begun.wait(30)
    model.remembered.forget()  # `held` shares the memory
    forgotten.set()
    thread.join(30)
    assert answers and len(answers[0][0]) == len(pairs)  # answered as usual
    assert len(model.remembered) == 0


def test_forget_readings_forgets_the_loaded_readers_memory():
    from smallprint.engine import reader
    analyze(text=MEMORY_PAGE)
    memory = reader.load_model().remembered
    assert all(memory.recall(pair) is not None for pair in pairs_of(MEMORY_PAGE))
    reader.forget_readings()
    assert len(memory) == 0


def test_a_full_analysis_is_the_same_with_and_without_the_memory():
    from smallprint.engine.reader import forget_readings
    forget_readings()
    cold = analyze(text=MEMORY_PAGE).to_dict()
    assert analyze(text=MEMORY_PAGE).to_dict() == cold
    forget_readings()
    assert analyze(text=MEMORY_PAGE).to_dict() == cold


def test_what_the_memory_keeps_does_not_grow_with_the_length_of_a_pair():
    # A heading of one long "word" is context to every sentence under it, a new string for each: kept as the
    # memory's keys, a 37 kB page held 6 MB after it was read, and 20,000 such pairs gigabytes. A pair is kept by
    # a digest of its texts, and the memory holds none of their words.
    import gc
    import tracemalloc

    from smallprint.engine.reader import probabilities
    model, session = counting_reader()
    probabilities(model, [("warm the session up", "")])

    def long_pairs():
        return [(f"We collect item {i} of your data.", "Heading " + "x" * 100_000) for i in range(5)]

    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        first = probabilities(model, long_pairs())
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(model.remembered) == 6
    assert kept < 5 * 5_000, kept  # about 0.7 kB an entry (readings and all); the contexts alone are 500 kB
    runs = session.runs
    assert probabilities(model, long_pairs()) == first and session.runs == runs  # the same pairs, exactly
    # two pairs whose texts run together the same way are two pairs
    probabilities(model, [("We collect item 0 of your data.Heading", " " + "x" * 100_000)])
    assert session.runs == runs + 1
