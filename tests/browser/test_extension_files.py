"""The extension's source tree: permissions, ids, no markup from strings, no network, taxonomy in sync."""
from __future__ import annotations

import json
import re

import pytest

from smallprint.taxonomy import POLICY_KINDS, PRACTICES
from smallprint_bridge.install import HOST_NAME, read_extension_ids

from .harness import EXTENSION_DIR, files_named_by

pytestmark = pytest.mark.browser

MANIFEST = json.loads((EXTENSION_DIR / "manifest.json").read_text(encoding="utf-8"))
SCRIPTS = sorted(EXTENSION_DIR.glob("*.js"))
COMMON = (EXTENSION_DIR / "common.js").read_text(encoding="utf-8")


def test_manifest_is_mv3_for_both_browser_families():
    assert MANIFEST["manifest_version"] == 3
    assert MANIFEST["background"]["service_worker"] == "background.js"  # Chromium
    assert MANIFEST["background"]["scripts"][-1] == "background.js"  # Firefox
    gecko = MANIFEST["browser_specific_settings"]["gecko"]
    assert gecko["id"] == "smallprint@smallprint.local"
    assert gecko["data_collection_permissions"] == {"required": ["none"]}  # Firefox: it collects nothing


def test_ids_are_fixed():
    ids = read_extension_ids(EXTENSION_DIR)
    assert ids.chromium == "didkaomokllhclkbalejmmiljdnjgndb"  # what install-host writes into allowed_origins
    assert not list(EXTENSION_DIR.rglob("*.pem")), "only the public key belongs in the repository"


def test_permissions_are_minimal():
    assert sorted(MANIFEST["permissions"]) == ["nativeMessaging", "storage"]
    assert "host_permissions" not in MANIFEST and "optional_permissions" not in MANIFEST
    [content] = MANIFEST["content_scripts"]
    assert content["matches"] == ["http://*/*", "https://*/*"]
    assert "connect-src 'none'" in MANIFEST["content_security_policy"]["extension_pages"]


def test_every_file_the_manifest_names_exists():
    named = files_named_by(MANIFEST)
    assert {"background.js", "content.js", "popup.html", "options.html", "icons/icon-128.png"} <= set(named)
    missing = [name for name in named if not (EXTENSION_DIR / name).is_file()]
    assert not missing


@pytest.mark.parametrize("pattern", [
    r"\.innerHTML\b", r"\.outerHTML\b", r"insertAdjacentHTML", r"document\.write", r"\beval\(", r"new Function",
    r"DOMParser", r"createContextualFragment",  # markup from strings
    r"\bfetch\(", r"XMLHttpRequest", r"WebSocket", r"EventSource", r"sendBeacon",  # requests of its own
])
@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_no_markup_from_strings_and_no_network(script, pattern):
    assert not re.search(pattern, script.read_text(encoding="utf-8")), f"{script.name} uses {pattern}"


def test_html_pages_load_only_local_scripts():
    for page in EXTENSION_DIR.glob("*.html"):
        sources = re.findall(r"<script[^>]*src=\"([^\"]+)\"", page.read_text(encoding="utf-8"))
        assert sources and all(not re.match(r"[a-z]+:", s) for s in sources), page.name


def test_taxonomy_and_names_match_the_daemon():
    practices = re.findall(r'\["([a-z_]+)", "([^"]+)"\]', COMMON)
    assert practices == [(p.id, p.label) for p in PRACTICES]
    assert f'HOST_NAME: "{HOST_NAME}"' in COMMON
    kinds = re.search(r"POLICY_KINDS: \[([^\]]*)\]", COMMON).group(1)
    assert set(re.findall(r'"([a-z_]+)"', kinds)) == set(POLICY_KINDS)


def test_polarity_words_are_the_reports():
    """One set of words for the polarities everywhere: the extension's are the HTML report's, with its legend."""
    from smallprint.report import POLARITY_LABELS, POLARITY_MEANINGS

    def table(name):
        body = re.search(name + r": \{([^}]*)\}", COMMON).group(1)
        return dict(re.findall(r'(\w+): "([^"]*)"', body))

    assert table("POLARITY_LABELS") == POLARITY_LABELS
    assert table("POLARITY_MEANINGS") == POLARITY_MEANINGS
    for source in [*SCRIPTS, *EXTENSION_DIR.glob("*.html")]:
        text = source.read_text(encoding="utf-8")
        # the extension's own earlier names for them, as words of their own
        assert not re.search(r"[\"'`>] ?(?i:in your favour|informative)\b ?[\"'`<]", text), source.name


def test_the_content_script_sends_no_more_text_than_the_daemon_reads():
    """The daemon refuses pages over engine.blocks.MAX_INPUT_CHARS characters of block text; the content script
    stops reading a page there (word by word, so one huge <pre> is cut too) instead of sending a page that is
    refused."""
    from smallprint.engine.blocks import MAX_INPUT_CHARS
    source = (EXTENSION_DIR / "content.js").read_text(encoding="utf-8")
    (value,) = re.findall(r"const MAX_TOTAL_CHARS = ([\d_]+);", source)
    assert int(value.replace("_", "")) == MAX_INPUT_CHARS


def test_one_palette_for_the_grades_with_letters_that_read_on_it():
    """The popup's grade and the toolbar badge take their colours from common.js only, which are the HTML report's;
    the letter's colour reaches 4.5:1 on each, and on the badge's colours without a grade."""
    from smallprint.report import SHARED_CSS

    from .harness import contrast_ratio

    def table(name):
        return dict(re.findall(r'(\w+): "(#[0-9a-f]{6})"', re.search(name + r": \{([^}]*)\}", COMMON).group(1)))

    grades = table("GRADE_COLOURS")
    assert grades == dict(re.findall(r"--grade-([A-E]): (#[0-9a-f]{6})", SHARED_CSS))
    (letter,) = re.findall(r'GRADE_TEXT_COLOUR: "(#[0-9a-f]{6})"', COMMON)
    for name, colour in {**grades, **table("BADGE_COLOURS")}.items():
        assert contrast_ratio(colour, letter) >= 4.5, (name, colour, letter)
    # no colours of their own beside them (the badge kept old ones once)
    for source in ("background.js", "popup.js", "popup.css"):
        text = (EXTENSION_DIR / source).read_text(encoding="utf-8")
        assert not re.search(r"\.grade-[A-E]\s*\{|GRADE_COLOURS = |setBadgeBackgroundColor\(\{[^}]*#", text), source
