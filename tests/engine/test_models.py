"""The shipped trained models: they load, have the right shape, say sensible things, and rebuild identically."""
from __future__ import annotations

import gzip
import json
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from smallprint.engine import kind, linear, practice_model, segments
from smallprint.engine.results import Block
from smallprint.taxonomy import KINDS, OPP115_CATEGORIES, PRACTICE_IDS
from tests.engine._trainer import trainer

MODEL_FILES = sorted(linear.MODELS_DIR.glob("*.json.gz"))


def blocks_of(*texts: str) -> list[Block]:
    out = []
    for i, text in enumerate(texts):
        heading = text.startswith("# ")
        out.append(Block(f"b{i}", text[2:] if heading else text, "h1" if heading else "p"))
    return out


# -- the files --------------------------------------------------------------------------------------------

def test_every_model_has_a_card_and_all_are_small():
    names = {p.name.removesuffix(".json.gz") for p in MODEL_FILES}
    assert names >= {"segments", "practices", "kind"}
    for name in names:
        assert (linear.MODELS_DIR / f"MODEL_CARD_{name}.md").is_file(), name
    assert sum(p.stat().st_size for p in MODEL_FILES) < 3_000_000


def test_every_card_states_the_terms_of_each_dataset_its_model_learnt_from():
    """A model trained on shared data carries that data's terms, stated in its card: each source it learns from
    is named in its terms (OPP-115 research-only, ToS;DR CC BY-SA 3.0, the negative pages' own terms), and the
    learned reader's base encoder ships its Apache-2.0 licence beside it."""
    def terms_of(card: str) -> str:  # the card's paragraph(s) about terms, not its training-data list
        text = (linear.MODELS_DIR / card).read_text(encoding="utf-8")
        return " ".join(p for p in text.split("\n\n") if "terms" in p.lower() and "subject to" in p.lower()
                        or p.startswith("**Terms of this model file"))
    assert "CC BY-SA 3.0" in terms_of("MODEL_CARD_segments.md") and "OPP-115" in terms_of("MODEL_CARD_segments.md")
    kind_terms = terms_of("MODEL_CARD_kind.md")
    for name in ("OPP-115", "CC BY-SA 3.0", "CC BY-SA 4.0", "AGPL-3.0", "BBC", "unknown"):
        assert name in kind_terms, name
    notice = (linear.MODELS_DIR / "reader" / "LICENSE-all-MiniLM-L6-v2.txt").read_text(encoding="utf-8")
    assert "Apache License" in notice and "Version 2.0" in notice and "END OF TERMS AND CONDITIONS" in notice


@pytest.mark.parametrize("path", MODEL_FILES, ids=lambda p: p.name)
def test_model_files_carry_no_timestamp(path):
    # gzip bytes 4..8 are the mtime: zero, so rebuilding gives byte-identical files
    assert path.read_bytes()[4:8] == b"\0\0\0\0"


@pytest.mark.parametrize("name, classes", [("segments", OPP115_CATEGORIES), ("practices", None)])
def test_linear_models_load_with_consistent_shapes(name, classes):
    model = linear.load(linear.MODELS_DIR / f"{name}.json.gz")
    if classes is not None:
        assert model.classes == classes
    assert set(model.classes) <= set(PRACTICE_IDS) | set(OPP115_CATEGORIES)
    assert model.outputs == len(model.classes) == len(model.bias) == len(model.thresholds)
    assert len(model.packed) > 1000
    assert all(isinstance(k, str) or (isinstance(k, tuple) and len(k) == 2) for k in model.packed)
    assert all(0.0 < t < 1.0 for t in model.thresholds)
    assert model.weight_scale > 0 and model.norm_scale > 0


def test_long_texts_are_summed_in_chunks_exactly(monkeypatch):
    model = linear.load_named("practices")  # counts repeated features (segments counts each feature once)
    assert not model.binary
    tokens = linear.tokenize("we collect your personal information and share it with advertising partners " * 9)
    whole = model.sums(tokens)
    monkeypatch.setattr(linear, "CHUNK", 7)  # force the chunked path, cutting bigrams at chunk edges
    assert model.sums(tokens) == whole
    monkeypatch.undo()
    huge = tokens * (2 * linear.CHUNK // len(tokens) + 3)  # would overflow a 32-bit field if summed at once
    weights, norm2, count = model.sums(huge)
    assert count > linear.CHUNK and norm2 > 0
    assert all(0.0 <= p <= 1.0 for p in model.probabilities(huge))


@pytest.mark.parametrize("content", [b"", b"not gzip", gzip.compress(b"{not json"),
                                     gzip.compress(json.dumps({"format": "other"}).encode())])
def test_a_broken_model_file_is_a_clear_value_error(tmp_path, content):
    path = tmp_path / "broken.json.gz"
    path.write_bytes(content)
    with pytest.raises(ValueError):
        linear.load(path)


def test_the_model_is_loaded_once_per_process():
    assert linear.load_named("segments") is linear.load_named("segments")


# -- segments ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, category", [
    ("We may update this privacy policy from time to time. If we make material changes we will notify you by "
     "email before they take effect.", "Policy Change"),
    ("We use industry-standard encryption (SSL) and firewalls to protect your personal information from "
     "unauthorized access.", "Data Security"),
    ("Our services are not directed to children under 13 and we do not knowingly collect personal information "
     "from children.", "International and Specific Audiences"),
    ("We share your information with advertising partners and analytics providers who may combine it with "
     "other data.", "Third Party Sharing/Collection"),
    ("We collect your name, email address and phone number when you register for an account.",
     "First Party Collection/Use"),
    ("You can access, correct or delete your account information at any time from your settings page.",
     "User Access, Edit and Deletion"),
    ("We retain your personal data only for as long as necessary to provide the service, then delete it.",
     "Data Retention"),
    ("Our site does not respond to Do Not Track signals sent by your browser.", "Do Not Track"),
])
def test_segments_find_the_obvious_category(text, category):
    (labels,) = segments.classify_blocks(blocks_of(text))
    assert category in labels


def test_segments_one_label_tuple_per_block_in_order():
    blocks = blocks_of("We collect your email address.", "", "   ", "!!!", "We may change this policy at any time.")
    labels = segments.classify_blocks(blocks)
    assert len(labels) == len(blocks)
    assert labels[1] == labels[2] == labels[3] == ()
    assert all(isinstance(t, tuple) and set(t) <= set(OPP115_CATEGORIES) for t in labels)
    assert segments.classify_blocks([]) == ()


# -- practices --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("sentence, practice", [
    ("We do not sell your personal information to anyone.", "sale_of_data"),
    ("We use cookies and web beacons to track your activity across websites.", "tracking"),
    ("This service is not intended for children under the age of 13.", "children"),
    ("We may disclose your information to law enforcement in response to a subpoena or court order.",
     "government_access"),
    ("If we are acquired or merge with another company, your information may be transferred to the new owner.",
     "business_transfer"),
    ("Your information may be transferred to and processed in countries other than your own.",
     "international_transfer"),
    ("We may change these terms at any time without notice.", "policy_change"),
])
def test_practice_model_names_the_practice(sentence, practice):
    (found,) = practice_model.predict_practices([sentence])
    assert practice in [p for p, _ in found]


def test_practice_model_shapes_and_order():
    sentences = ["We share your data with partners for advertising.", "", "The weather is nice today.", "12 34"]
    results = practice_model.predict_practices(sentences)
    assert len(results) == len(sentences)
    assert results[1] == []
    for found in results:
        assert all(pid in PRACTICE_IDS and 0.0 <= p <= 1.0 for pid, p in found)
        assert [p for _, p in found] == sorted((p for _, p in found), reverse=True)
    everything = practice_model.predict_practices(sentences[:1], threshold=0.0)[0]
    assert len(everything) == len(practice_model.model().classes)


# -- page kind --------------------------------------------------------------------------------------------

POLICY = blocks_of(
    "# Privacy Policy",
    "This Privacy Policy explains how we collect, use and share your personal information when you use our "
    "services.",
    "# Information we collect",
    "We collect the information you give us, such as your name and email address. We also collect information "
    "automatically, such as your IP address, device identifiers and how you use the service.",
    "# How we use your information",
    "We use your personal information to provide and improve the service, to personalise content and to "
    "communicate with you. We may share your information with service providers who process it for us.",
    "# Your rights",
    "You can access, correct or delete your personal data at any time. We retain your data for as long as your "
    "account is active.",
    "# Children",
    "We do not knowingly collect personal information from children under 13.",
)
NEWS = blocks_of(
    "# Social network faces questions over new privacy rules",
    "The company said on Tuesday that it would change its privacy policy next month, according to a statement. "
    "Critics said the update lets the firm collect more data about its users.",
    "Regulators in Europe said they were studying the changes. The firm announced the update in a blog post and "
    "reported that most users would not notice any difference.",
    "Shares in the company rose 2% in early trading, analysts said, after it reported strong results for the "
    "quarter and announced a new chief executive.",
)
TERMS = blocks_of(
    "# Terms of Service",
    "By using the service you agree to these terms. If you do not agree, you must not use the service.",
    "You may not use the service for any illegal purpose. We may terminate your account at any time.",
    "THE SERVICE IS PROVIDED AS IS WITHOUT WARRANTY OF ANY KIND. OUR LIABILITY IS LIMITED TO THE AMOUNT YOU PAID.",
    "Any dispute will be resolved by binding arbitration. These terms are governed by the laws of California.",
    "Your use of the service is also subject to our Privacy Policy, which explains how we collect your data.",
)
BANNER_NAMED = blocks_of("# Privacy Policy", "We use cookies to improve your experience on our site. By continuing to "
                         "browse you accept our use of cookies.", "OK")
BLOG = blocks_of(
    "# What the new WhatsApp privacy policy really says",
    "I read the whole thing so you do not have to. The key line is this: \"We collect information about your "
    "activity on our Services, like service-related, diagnostic, and performance information.\" Sounds harmless.",
    "But further down they write: \u201cWe share information with other Meta Companies and our partners.\u201d In "
    "other words, your metadata goes to Facebook.",
    "My advice: read it yourself, and think about switching to another messenger.",
)
BANNER = blocks_of("We use cookies to improve your experience. By clicking Accept you agree to our Cookie Policy.",
                   "Accept all", "Manage settings")


COOKIE_SECTION = (
    "## Cookies",
    "We use cookies and similar technologies on our website. Cookies are small files stored on your device. Our "
    "cookies remember your settings, and advertising cookies from our partners measure which ads you see.",
    "You can refuse non-essential cookies in the cookie settings, or delete cookies in your browser at any time.",
)


@pytest.mark.parametrize("name", ["Privacy and Cookies Policy", "Privacy & Cookie Notice", "PRIVACY, COOKIES STATEMENT"])
def test_a_privacy_policy_that_names_cookies_too_is_a_privacy_policy(name):
    result = kind.detect_kind(blocks_of(f"# {name}", *[b.text for b in POLICY[1:]], *COOKIE_SECTION))
    assert result.kind == "privacy_policy"
    assert any(name in e for e in result.evidence)


@pytest.mark.parametrize("title", ["Data protection", "Personal Data Protection"])
def test_a_page_titled_data_protection_names_itself(title):
    result = kind.detect_kind(blocks_of(f"# {title}", *[b.text for b in POLICY[1:]]))
    assert result.kind == "privacy_policy"
    assert any(f"\u201c{title}\u201d" in e for e in result.evidence)


ANNOUNCEMENT = (
    "Posted by the Acme Team, March 3, 2026",
    "Today we're letting you know about some updates to our Privacy Policy, which take effect on April 1, 2026. "
    "Here is a summary of what's changing and why.",
    "## What's changing",
    "Using your content to improve our AI features. We will use the photos and captions you post to train the "
    "machine learning models that power smart search. You can opt out at any time in your settings.",
    "Advertising partners. We've added more detail on the information we share with advertising partners.",
    "## What isn't changing",
    "We still don't sell your personal information, and you remain in control of who sees what you post.",
    "## What you need to do",
    "Nothing. If you continue to use Acme after April 1, the updated policy will apply. You can read the full "
    "updated Privacy Policy here.",
)


@pytest.mark.parametrize("headline", ["We're updating our Privacy Policy", "Changes to our privacy notice",
                                      "Introducing our new Privacy Policy"])
def test_an_announcement_of_a_new_privacy_policy_is_not_one(headline):
    # "news about a policy" (issue #11): the headline talks about the document, it does not name the page
    result = kind.detect_kind(blocks_of(f"# {headline}", *ANNOUNCEMENT))
    assert result.kind != "privacy_policy"
    assert not any(e.startswith("calls itself") for e in result.evidence)
    assert any("in a headline, not as its own name" in e for e in result.evidence)


def test_a_banner_announcing_a_change_does_not_hide_the_title_below_it():
    result = kind.detect_kind(blocks_of("# We've updated our Privacy Policy", "# Acme Privacy Policy",
                                        *[b.text for b in POLICY[1:]]))
    assert result.kind == "privacy_policy"
    assert any(e.startswith("calls itself \u201cPrivacy Policy\u201d") for e in result.evidence), result.evidence
    assert kind.read_document(blocks_of("# We've updated our Privacy Policy", "# Acme Privacy Policy"), None,
                              None).values[1] == 0.5  # the title below, as a later heading counts


@pytest.mark.parametrize("title", ["Privacy Policy (updated March 2026)", "Updated Privacy Policy",
                                   "Change Healthcare Privacy Policy",
                                   # an introduction to a policy is no news of a change to it
                                   "Introduction to our Privacy Policy", "An introductory note on the Privacy Policy"])
def test_a_title_with_a_change_word_still_names_the_policy(title):
    result = kind.detect_kind(blocks_of(f"# {title}", *[b.text for b in POLICY[1:]]))
    assert result.kind == "privacy_policy"
    assert any(e.startswith("calls itself \u201cPrivacy Policy\u201d") for e in result.evidence)


def test_a_cookie_policy_is_still_a_cookie_policy():
    result = kind.detect_kind(blocks_of("# Cookie Policy", "This Cookie Policy explains how we use cookies.",
                                        *COOKIE_SECTION[1:], *COOKIE_SECTION[1:]))
    assert result.kind == "cookie_policy"


@pytest.mark.parametrize("blocks, expected", [
    (POLICY, "privacy_policy"), (NEWS, "other"), (TERMS, "terms_of_service"), (BANNER, "other"), ([], "other"),
    (blocks_of("", "   "), "other"), (BANNER_NAMED, "other"), (BLOG, "other"),
], ids=["policy", "news", "terms", "cookie-banner", "empty", "blank", "banner-under-privacy-heading",
        "blog-quoting-a-policy"])
def test_detect_kind(blocks, expected):
    result = kind.detect_kind(blocks)
    assert result.kind == expected
    assert result.kind in KINDS
    assert 0.0 <= result.confidence <= 1.0
    assert result.evidence and all(isinstance(e, str) and e for e in result.evidence)


def test_kind_result_is_frozen_and_serialisable():
    result = kind.detect_kind(POLICY, url="https://example.com/legal/privacy-policy", title="Privacy Policy")
    with pytest.raises(FrozenInstanceError):
        result.kind = "other"
    assert json.loads(json.dumps(result.to_dict()))["kind"] == "privacy_policy"


@pytest.mark.parametrize("url", ["not a url", "http://[broken", "", "https://example.com/privacy?x=1#y"])
def test_kind_tolerates_odd_urls(url):
    assert kind.detect_kind(POLICY, url=url).kind == "privacy_policy"


@pytest.mark.parametrize("relative, expected", [
    ("policies/signal/", "privacy_policy"),
    ("negatives/terms_of_service/reddit_terms-of-service.md", "terms_of_service"),
    ("negatives/borderline/facebook_trackers-policy.md", "cookie_policy"),
    ("negatives/news/bbc_tech_001.txt", "other"),
    # privacy policies named "Privacy and Cookie(s) Policy", with a cookie policy inside (read as cookie policies
    # until 2026-12-06)
    ("policies-more/bbc.md", "privacy_policy"),
    ("policies-more/dune.md", "privacy_policy"),
    ("policies-more/qobuz.md", "privacy_policy"),  # titled "Personal data protection", written in the third person
])
def test_kind_on_real_pages(shared_data, relative, expected):
    from smallprint.engine.blocks import to_blocks
    path = shared_data / relative
    if path.is_dir():
        path = sorted(path.glob("*.md"))[-1]
    assert kind.detect_kind(to_blocks(text=path.read_text(encoding="utf-8"))).kind == expected


def test_a_policy_whose_first_heading_introduces_it_calls_itself_by_its_name(shared_data):
    # ASKfm's first heading, "1. Important introduction to our privacy policy", read as a headline announcing a
    # change ("introduc" took "introduction" for "introducing"): "mentions ... in a headline, not as its own name"
    from smallprint.engine.blocks import to_blocks
    text = (shared_data / "policies-more/askfm.md").read_text(encoding="utf-8")
    result = kind.detect_kind(to_blocks(text=text))
    assert result.kind == "privacy_policy"
    assert result.evidence[0] == "calls itself \u201cprivacy policy\u201d in its title or first headings"


# -- determinism of the trainer (cheap version: a small model, built twice) ---------------------------------

def test_training_is_deterministic(shared_data, tmp_path):
    import numpy as np

    train = trainer()
    rows = [r for r in train.read_jsonl(shared_data / "opp115" / "segments.jsonl") if r["split"] == "train"][:400]
    texts = [r["text"] for r in rows]
    y = np.array([[c in r["categories"] for c in OPP115_CATEGORIES[:3]] for r in rows], dtype=int)
    written = []
    for run in ("a", "b"):
        vec, models = train.fit_ovr(texts, y, np.arange(len(texts)), 4.0, 500)
        document = train.model_document("tiny", OPP115_CATEGORIES[:3], vec, np.vstack([m.coef_ for m in models]),
                                        [m.intercept_[0] for m in models], [0.5, 0.5, 0.5])
        out = tmp_path / run
        out.mkdir()
        written.append(train.write_model(document, out).read_bytes())
    assert written[0] == written[1]
    # and what the trainer wrote is what the runtime reads, with the same probabilities sklearn gives
    model = linear.load(tmp_path / "a" / "tiny.json.gz")
    sample = texts[:20]
    ours = [model.probabilities(linear.tokenize(t)) for t in sample]
    theirs = np.column_stack([m.predict_proba(vec.transform(sample))[:, 1] for m in models])
    assert np.allclose(np.array(ours), theirs, atol=1e-4)


def test_binary_models_count_each_feature_once_as_sklearn_does(shared_data, tmp_path):
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    train = trainer()
    rows = [r for r in train.read_jsonl(shared_data / "opp115" / "segments.jsonl") if r["split"] == "train"][:300]
    texts = [r["text"] for r in rows]
    y = np.array(["Third Party Sharing/Collection" in r["categories"] for r in rows], dtype=int)
    vec = train.vectorizer(binary=True)
    fitted = LogisticRegression(C=4.0, max_iter=2000).fit(vec.fit_transform(texts), y)
    document = train.model_document("tinybin", ("share",), vec, fitted.coef_, fitted.intercept_, [0.5])
    assert document["tf"] == "binary"
    model = linear.load(train.write_model(document, tmp_path))
    assert model.binary
    sample = texts[:20] + ["we share we share we share your data with partners " * 5]
    ours = [model.probabilities(linear.tokenize(t))[0] for t in sample]
    assert np.allclose(ours, fitted.predict_proba(vec.transform(sample))[:, 1], atol=1e-4)
    # a feature repeated any number of times weighs what it weighs once, so a huge text needs no chunking
    twice = model.sums(linear.tokenize("advertising partners " * 2))
    assert model.sums(linear.tokenize("advertising partners " * 3)) == twice
    assert model.sums(linear.tokenize("advertising partners " * 100_000)) == twice


def test_shipped_models_match_the_data_they_claim(shared_data):
    # cheap cross-check instead of a full rebuild: thresholds/classes recorded by the trainer are sane
    practices = linear.load_named("practices")
    points = [json.loads(line) for line in (shared_data / "tosdr" / "points.jsonl").open(encoding="utf-8")]
    mapped = {p["practice"] for p in points if p.get("practice")}
    assert set(practices.classes) == mapped & set(PRACTICE_IDS)


def test_path_constant_points_into_the_package():
    assert linear.MODELS_DIR == Path(linear.__file__).resolve().parent / "models"


# -- bad input: a result, quickly, never a crash ------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "\x00\x00 we collect \x00 your data \x00", "we collect \ud800 your \udfff data", "(" * 100_000,
    "a" * 1_000_000, ("we collect your location " * 50_000), "\u0130\u0131 ΣΊΣΥΦΟΣ ﬀ " * 1000,
], ids=["nul", "lone-surrogates", "parens", "one-huge-word", "repeated-clause-1mb", "unicode-case"])
def test_models_take_odd_text(text):
    blocks = [Block("b0", text), Block("b1", text[:1000], "h2")]
    labels = segments.classify_blocks(blocks)
    assert len(labels) == 2
    (found,) = practice_model.predict_practices([text])
    assert all(pid in PRACTICE_IDS for pid, _ in found)
    result = kind.detect_kind(blocks, url="\x00://\ud800", title="\ud800 Privacy Policy \x00")
    assert result.kind in KINDS and 0.0 <= result.confidence <= 1.0


def test_many_blocks_are_fine():
    blocks = [Block(f"b{i}", "We share your information with partners." if i % 2 else "Contact us", "p")
              for i in range(20_000)]
    labels = segments.classify_blocks(tuple(blocks))
    assert len(labels) == 20_000
    assert kind.detect_kind(tuple(blocks)).kind in KINDS


@pytest.mark.parametrize("text", ["We share_data with 3rd-party partners.", "a\tb\x00c\x7fd", "ÉTÉ café naïve",
                                  "\u212a kelvin", "İstanbul", "x\u00a0y", "snake_case __init__ 42", "", "  ",
                                  "ü" + "word " * 20])
def test_tokenize_is_the_word_regex_on_the_lowered_text(text):
    import re

    assert linear.tokenize(text) == re.findall(r"\w+", text.lower())


def test_a_long_title_full_of_change_words_is_read_in_linear_time():
    # "change word .* determiner ... $" as one pattern scanned to the line's end from every change word: a title
    # of 8,000 "update"s took 11 s (quadratic), and the CLI reads an HTML page's <title> whole
    import time

    started = time.process_time()
    result = kind.detect_kind(POLICY, title="update " * 8_000 + "Privacy Policy")  # no determiner: no match
    assert time.process_time() - started < 2.0
    assert "named_privacy_in_headline" in kind.read_document(POLICY, title="update " * 3 + "our Privacy Policy").names
    assert result.kind == "privacy_policy"
