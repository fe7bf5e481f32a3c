"""The extension in headless Chromium, with the real bridge and a real daemon, against pages on loopback."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.bridge.harness import daemon_info, post_analyze

from .harness import (ADDED_CLAUSE, ARTIFACTS, CUSTOM_ELEMENTS_JS, DEEP_MARKS_JS, MARKS_JS, SIMPLE_BLOCKS_JS,
                      analysis_done, check_defined_elements_read_nothing,
                      assert_history_hidden_from_the_page, assert_marks_match, card_box, card_text,
                      check_grade_line_names_a_both_ways_practice_once, check_late_text_in_one_visit, new_marks, painted, record_timing, wait_for)

pytestmark = pytest.mark.browser

LARGE_POLICY = "facebook/2025-12-17_pga2_df69a0e"  # 217 KB of text, ~640 clauses
LARGEST_POLICY = "microsoft/2024-06-25_contrib_e06324c"  # 316 KB of text
OWN_ELEMENTS_JS = "() => document.querySelectorAll('smallprint-mark, smallprint-card').length"


def popup_summary(popup) -> dict:
    popup.wait_for_selector("#kind, #error", timeout=30_000)
    return popup.evaluate("""() => ({
      kind: document.querySelector('#kind')?.dataset.kind ?? null,
      grade: document.querySelector('#grade')?.textContent ?? null,
      practices: [...document.querySelectorAll('#practices li')].map(li => ({
        practice: li.dataset.practice, polarity: li.dataset.polarity,
        counts: li.querySelector('.counts').textContent})),
      keyFindings: [...document.querySelectorAll('#key-findings li')].map(li => [li.dataset.practice,
        li.dataset.polarity]),
      error: document.querySelector('#error')?.dataset.code ?? null,
      command: document.querySelector('#fix-command')?.textContent ?? null,
      commands: [...document.querySelectorAll('.fix-command')].map(code => code.textContent),
      text: document.querySelector('#view').innerText,
    })""")


def counts_text(counts: dict) -> str:
    labels = {"concern": ("✗", "concern"), "protective": ("✓", "protective"), "neutral": ("i", "neutral")}
    return " · ".join(f"{labels[p][0]} {counts[p]} {labels[p][1]}" for p in labels if counts.get(p))


def test_policy_page_is_highlighted_where_the_daemon_found_clauses(launch_chromium, page_server, bridge_home):
    assert daemon_info(bridge_home) is None  # nothing running: the bridge must start the daemon itself
    browser = launch_chromium()
    url = f"{page_server}/policy.html"
    page, state = browser.open_until(url, what="the policy page to be painted")
    assert daemon_info(bridge_home) is not None, "the bridge did not leave a daemon running"
    record_timing("policy.html", "chromium", state)
    assert state["kind"] == "privacy_policy"
    # The quick reading was painted first, then replaced by the learned reader's.
    assert state["depth"] == "full" and state["painted"]["depth"] == "full"
    assert state["painted"]["first"]["depth"] == "quick" and state["painted"]["first"]["marks"] > 0

    # The daemon's own analysis of the same blocks is the oracle for the page and the popup.
    blocks = page.evaluate(SIMPLE_BLOCKS_JS)
    analysis = post_analyze(daemon_info(bridge_home), bridge_home, {"blocks": blocks, "url": url, "title": page.title()})
    assert analysis["content_hash"] == state["contentHash"], "the extension sent other blocks than the page shows"
    marks = page.evaluate(MARKS_JS)
    assert marks, "no highlights painted"
    assert_marks_match(marks, analysis["highlights"])

    # Clauses after emoji and accented text (surrogate pairs before the offsets) land on the right words.
    by_practice = {(g["practice"], g["polarity"]): " ".join(g["text"].split()) for g in marks.values()}
    sale = by_practice.get(("sale_of_data", "concern"))
    assert sale and "sell your personal information" in sale, by_practice
    ai = by_practice.get(("ai_training", "protective"))
    assert ai and "train artificial intelligence models" in ai, by_practice
    assert "🍰" not in sale and "façade" not in ai
    hidden_or_script = page.evaluate("""() => [...document.querySelectorAll('smallprint-mark')]
      .some(m => m.closest('.visually-hidden, script'))""")
    assert not hidden_or_script

    assert browser.badge(url) == analysis["grade"]["letter"]

    # The page's stylesheet sets every background transparent and every border to 0 (!important): marks still show.
    # Key findings' clauses are filled; the others are painted quietly, with their polarity's line, thinner.
    styles = page.evaluate("""() => [...document.querySelectorAll('smallprint-mark')].map(m => {
      const s = getComputedStyle(m);
      return [m.dataset.polarity, m.dataset.key, s.backgroundColor, s.borderBottomWidth, s.borderBottomStyle];
    })""")
    colours = {"concern": "rgb(255, 224, 222)", "protective": "rgb(220, 243, 223)", "neutral": "rgb(228, 234, 244)"}
    lines = {"concern": ("2px", "1px", "solid"), "protective": ("3px", "3px", "double"),
             "neutral": ("2px", "1px", "dotted")}
    assert all(bg == colours[pol] and (width, line) == lines[pol][::2] for pol, key, bg, width, line in styles
               if key == "true"), styles
    assert all((width, line) == lines[pol][1:] for pol, key, _, width, line in styles if key == "false"), styles
    assert any(key == "true" for _, key, *_ in styles), styles

    # Hovering a clause shows its card; moving away hides it.
    page.locator("smallprint-mark").first.hover()
    assert card_text(page)
    page.mouse.move(0, 0)
    assert page.evaluate("() => document.querySelector('smallprint-card')") is None

    # Keyboard: a clause takes focus, shows its card (practice, summary, why), Esc closes it.
    first = page.locator("smallprint-mark[tabindex='0']").first
    first.focus()
    card = card_text(page)  # the card's shadow root is closed: read as the extension sees it
    index = first.get_attribute("data-highlight")
    assert card and analysis["highlights"][int(index)]["summary"] in card and "Why flagged" in card
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chromium-policy-card.png"), full_page=True)
    page.keyboard.press("Escape")
    assert page.evaluate("() => document.querySelector('smallprint-card')") is None

    # Following a contents link ("#...") is no navigation: the page is neither unpainted nor read again.
    before = browser.state(url)
    page.evaluate("() => { location.hash = '#smallprint-contents-link'; }")
    page.wait_for_timeout(2_000)  # longer than the content script's mutation debounce (600 ms)
    assert len(page.evaluate(MARKS_JS)) == len(marks)
    after = browser.state(url)  # the tab's state still names the page (a navigation would have reset it)
    assert after and after["analysedAt"] == before["analysedAt"] and after["status"] == before["status"]

    popup = browser.popup(url)
    summary = popup_summary(popup)
    popup.locator("body").screenshot(path=str(ARTIFACTS / "chromium-popup.png"))
    assert summary["kind"] == analysis["kind"]
    assert summary["grade"] == analysis["grade"]["letter"]
    # The letter comes with its score and what weighed most in it, not bare.
    why = popup.inner_text("#grade-why")
    heaviest = max(analysis["grade"]["reasons"], key=lambda r: abs(r["points"]))
    assert why.startswith(f"Score {analysis['grade']['score']:g}".replace("-", "\u2212")), why
    assert "most weight:" in why and f"{abs(heaviest['points']):g}" in why, why
    assert [(p["practice"], p["polarity"], p["counts"]) for p in summary["practices"]] == [
        (p["practice"], p["polarity"], counts_text(p["counts"])) for p in analysis["practices"]]

    # The popup leads with the key findings; clicking one scrolls to its surest clause and focuses it.
    assert summary["keyFindings"] == [[k["practice"], k["polarity"]] for k in analysis["key_findings"]]
    assert analysis["key_findings"], "the example policy has key findings"
    key = analysis["key_findings"][0]
    popup.locator("#key-findings li button").first.click()
    wait_for(lambda: page.evaluate("() => document.activeElement?.dataset?.key ?? null") == "true", 10,
             what="the key finding's clause to take focus")
    focused = analysis["highlights"][int(page.evaluate("() => document.activeElement.dataset.highlight"))]
    lead = analysis["highlights"][key["highlights"][0]]
    # the lead's own mark, or the mark of a clause it overlaps (overlapping clauses share one mark)
    assert focused["block"] == lead["block"] and focused["start"] < lead["end"] and lead["start"] < focused["end"]
    # Key findings are painted strongly, the other clauses quietly (transparent, dotted).
    styles = page.evaluate("""() => [...document.querySelectorAll('smallprint-mark')].map(m =>
        [m.dataset.key, getComputedStyle(m).backgroundColor])""")
    assert {bg for k, bg in styles if k == "false"} <= {"rgba(0, 0, 0, 0)"}
    assert any(k == "true" and bg != "rgba(0, 0, 0, 0)" for k, bg in styles)

    # "Show all" keeps every practice reachable: clicking one scrolls to its clause and focuses it.
    practice = analysis["practices"][0]
    popup.locator("#show-all summary").click()
    popup.locator(f"#practices li[data-practice='{practice['practice']}'] button").click()
    wait_for(lambda: page.evaluate("() => document.activeElement?.dataset?.highlight ?? null")
             == str(practice["strongest"]), 10, what="the clause to take focus")


@pytest.mark.parametrize("page_name", ["news.html", "ordinary.html"])
def test_pages_that_are_not_policies_are_left_untouched(launch_chromium, page_server, page_name):
    browser = launch_chromium()
    url = f"{page_server}/{page_name}"
    page = browser.open(url)
    state = browser.wait_state(url, analysis_done, f"{page_name} to be analysed")
    assert state["status"] == "done", state.get("error")
    assert state["kind"] == "other"
    assert page.evaluate(OWN_ELEMENTS_JS) == 0
    summary = popup_summary(browser.popup(url))
    assert summary["kind"] == "other" and summary["grade"] is None
    assert browser.badge(url) == ""
    assert "Analyse this page" in summary["text"]


def test_analyse_button_paints_a_page_not_detected_as_a_policy(launch_chromium, page_server):
    browser = launch_chromium()
    url = f"{page_server}/news.html"
    page = browser.open(url)
    browser.wait_state(url, analysis_done, "news.html to be analysed")
    popup = browser.popup(url)
    popup.click("#analyse")
    state = browser.wait_state(url, lambda s: s.get("manual") and painted(s), "the manual analysis to be painted")
    marks = page.evaluate(MARKS_JS)
    assert len(marks) == state["painted"]["highlights"]
    assert_marks_match(marks, state["highlights"])
    # Asked for explicitly, the page is graded as a policy (as_policy): the badge shows its letter, not "?".
    assert browser.badge(url) in tuple("ABCDE"), browser.badge(url)
    # The page's text changes later (a ticker, a comment count): it is read again as the reader asked, not
    # automatically as a page that is no policy, which would unpaint what they asked for.
    page.evaluate("""() => { const p = document.createElement('p');
      p.textContent = 'We may share your email address with advertising partners to show you ads.';
      document.body.append(p); }""")
    again = browser.wait_state(url, lambda s: s.get("manual") and painted(s) and s["analysedAt"] > state["analysedAt"],
                               "the changed page to be read again as asked")
    assert page.evaluate(MARKS_JS) and browser.state(url)["manual"], again


def test_policy_inserted_by_script_after_load_is_highlighted(launch_chromium, page_server):
    browser = launch_chromium()
    url = f"{page_server}/late-policy.html"
    page, state = browser.open_until(url, what="the late policy to be painted")
    record_timing("late-policy.html", "chromium", state)
    assert state["kind"] == "privacy_policy"
    marks = page.evaluate(MARKS_JS)
    assert marks
    assert_marks_match(marks, state["highlights"])


def test_the_popup_names_a_practice_that_counted_both_ways_once_with_its_net_points(launch_chromium, page_server):
    """A sale the policy allows and a way to opt out of it are two grade reasons of one practice, one against the
    reader and one in their favour. The grade line said "Sale of data \u22123, Sale of data +0.5": the same thing
    twice, with opposite signs. Each practice is named once, with its net points and, where it counted both ways,
    how much against you and how much in your favour (the report's tally words)."""
    browser = launch_chromium()
    url = f"{page_server}/both-ways-policy.html"
    _, state = browser.open_until(url, what="the both-ways policy to be painted")
    check_grade_line_names_a_both_ways_practice_once(state, browser.popup(url).inner_text("#grade-why"),
                                                     browser.in_extension("() => SP.PRACTICE_LABELS"))


def test_policy_inside_a_shadow_root_is_read_and_highlighted(launch_chromium, page_server):
    browser = launch_chromium()
    url = f"{page_server}/shadow-policy.html"
    page, state = browser.open_until(url, what="the web-component policy to be painted")
    assert state["kind"] == "privacy_policy"
    marks = page.evaluate(DEEP_MARKS_JS)
    assert_marks_match(marks, state["highlights"])
    by_practice = {(g["practice"], g["polarity"]): (g["where"], " ".join(g["text"].split())) for g in marks.values()}
    # Text of the shadow tree, and a light-DOM paragraph shown through a <slot>, are read and painted where they are.
    assert by_practice[("sale_of_data", "concern")][0] == "shadow", by_practice
    assert by_practice[("ai_training", "protective")] == (
        "light", "We do not use your personal information to train artificial intelligence models."), by_practice
    # A light-DOM paragraph assigned to no slot is not on screen: not read, so nothing about biometrics.
    assert not any(h["practice"] == "biometric" for h in state["highlights"]), state["highlights"]
    # every highlight painted; clauses read as several practices share one mark (marks never nest)
    assert state["painted"]["highlights"] == len(state["highlights"]) >= len(marks)
    # Hovering a mark inside the shadow tree shows its card (the document sees the event retargeted to the host).
    page.locator("policy-view article smallprint-mark").first.hover()  # Playwright's CSS pierces open shadow roots
    card = card_text(page)
    assert "Why flagged" in card, card


@pytest.mark.parametrize("path, split", [
    (f"policies/{LARGE_POLICY}.html", False),  # 217 KB of text: a ~560 KB reply, one frame
    (f"policies/combined.html?file={LARGE_POLICY}&file={LARGEST_POLICY}", True),  # 530 KB: a reply over 1 MB
], ids=["200KB-policy", "split-reply"])
def test_large_policy_is_highlighted_completely(launch_chromium, bridge_home, page_server, shared_data, path, split):
    assert (shared_data / "policies" / f"{LARGE_POLICY}.md").is_file()
    # What is tested is that every highlight of a page this large is painted, not the daemon's time limit: the full
    # reading of the combined page takes ~20 s alone on a 2-core machine, and more under load, against the default
    # 30 s limit (docs/CONFIG.md), which made this test fail on a busy machine. The daemon reads its config at start.
    (bridge_home / "config").mkdir(parents=True, exist_ok=True)
    (bridge_home / "config" / "config.toml").write_text("analysis_timeout_seconds = 240\n")
    browser = launch_chromium()
    url = f"{page_server}/{path}"
    page, state = browser.open_until(url, what="the large policy to be painted", timeout=240)
    record_timing(path.split("?")[0] + ("?combined" if split else ""), "chromium", state)
    assert state["kind"] == "privacy_policy"
    assert len(state["highlights"]) >= 300, "a policy this long has hundreds of clauses"
    marks = page.evaluate(MARKS_JS)
    assert_marks_match(marks, state["highlights"])
    assert (state["replyFrames"] >= 2) == split, f"reply came in {state['replyFrames']} frame(s)"
    page.screenshot(path=str(ARTIFACTS / f"chromium-large-policy{'-split' if split else ''}.png"))


def test_daemon_that_cannot_start_shows_the_fix_and_leaves_the_page_untouched(launch_chromium, page_server):
    browser = launch_chromium(SMALLPRINT_DAEMON_COMMAND="/bin/false", SMALLPRINT_BRIDGE_START_TIMEOUT="5")
    url = f"{page_server}/policy.html"
    page = browser.open(url)
    state = browser.wait_state(url, analysis_done, "the error")
    assert state["status"] == "error" and state["error"]["code"] == "daemon_start_failed", state
    assert page.evaluate(OWN_ELEMENTS_JS) == 0
    popup = browser.popup(url)
    summary = popup_summary(popup)
    popup.locator("body").screenshot(path=str(ARTIFACTS / "chromium-popup-daemon-error.png"))
    assert summary["error"] == "daemon_start_failed"
    assert summary["command"] == "smallprint serve"
    # ...and, since a failed start is often a moved installation, the command that registers the helper again.
    assert summary["commands"] == ["smallprint serve", "smallprint install-host"]
    assert "left as it is" in summary["text"]
    # the title is said once (the live line), and Forget, which needs the service, is not offered
    title = "The smallprint service could not be started."
    assert (popup.inner_text("#status") + summary["text"]).count(title) == 1
    assert "Why: " in summary["text"] and summary["text"].index("Why: ") < summary["text"].index("smallprint serve")
    assert popup.locator("#forget").is_hidden()


def test_missing_host_shows_the_install_command(launch_chromium, page_server):
    browser = launch_chromium(install=False)
    url = f"{page_server}/policy.html"
    page = browser.open(url)
    state = browser.wait_state(url, analysis_done, "the error")
    assert state["status"] == "error" and state["error"]["code"] == "host_missing", state
    assert page.evaluate(OWN_ELEMENTS_JS) == 0
    assert browser.badge(url) == "!"
    summary = popup_summary(browser.popup(url))
    assert summary["error"] == "host_missing"
    assert summary["command"] == "smallprint install-host"
    assert summary["commands"] == ["smallprint install-host"]


def test_a_helper_that_was_moved_away_is_not_only_called_not_installed(launch_chromium, page_server):
    """The host manifest names a smallprint-bridge that is gone (the checkout or its environment moved): Chromium says
    "Specified native messaging host not found.", and the popup said only "not installed for this browser" to a
    reader who had installed it."""
    browser = launch_chromium()
    manifest = browser.profile / "NativeMessagingHosts" / "org.smallprint.bridge.json"
    Path(json.loads(manifest.read_text())["path"]).unlink()
    url = f"{page_server}/policy.html"
    browser.open(url)
    state = browser.wait_state(url, analysis_done, "the error")
    assert state["status"] == "error" and state["error"]["code"] == "host_missing", state
    popup = browser.popup(url)
    summary = popup_summary(popup)
    assert summary["commands"] == ["smallprint install-host"]
    assert "or smallprint has moved since" in popup.inner_text("#status"), popup.inner_text("#status")


def test_a_page_that_defines_the_extension_s_elements_cannot_read_the_history(launch_chromium, page_server,
                                                                              policy_version):
    """A page that made `smallprint-mark` and `smallprint-card` custom elements of its own read, through their
    ElementInternals, which clauses were outlined as new and the card's "New since DATE"."""
    browser = launch_chromium()
    browser.context.add_init_script(CUSTOM_ELEMENTS_JS)
    check_defined_elements_read_nothing(browser, f"{page_server}/versioned/policy.html", policy_version)


def test_clauses_new_since_the_last_visit_are_marked(launch_chromium, page_server, policy_version):
    browser = launch_chromium()
    url = f"{page_server}/versioned/policy.html"
    policy_version(1)
    page, first = browser.open_until(url, what="the first visit to be painted")
    assert first["changes"] is None
    assert new_marks(page) == []

    policy_version(2)
    page.reload()
    second = browser.wait_state(url, lambda s: painted(s) and s["analysedAt"] > first["analysedAt"],
                                "the second visit to be painted")
    assert second["changes"], "the daemon reported no change although a clause was added"
    assert browser.badge(url) == f"{second['grade']['letter']}•"  # the grade, marked as changed
    assert any(c["text"] == ADDED_CLAUSE for c in second["changes"]["added"]), second["changes"]["added"]
    fresh = new_marks(page)  # painted as new (inside the marks' closed shadow roots, as the extension sees them)
    assert fresh and all(text in ADDED_CLAUSE for text in fresh), fresh
    # ...while the page's own scripts cannot tell which clauses are new, nor read the card saying since when
    assert_history_hidden_from_the_page(page.evaluate)
    page.locator("smallprint-mark[tabindex='0']", has_text=fresh[0]).first.focus()
    assert "New since" in card_text(page)
    page.screenshot(path=str(ARTIFACTS / "chromium-policy-changed.png"))

    popup = browser.popup(url)
    popup.wait_for_selector("#changes")
    first_section = popup.evaluate("() => document.querySelector('#view').firstElementChild.id")
    assert first_section == "changes", "changes must come first in the popup"
    assert popup.locator("#changes li[data-change='added']").count() >= 1
    # one list in the daemon's order (diff.reading_order), as the text view and the HTML report list them
    listed = popup.eval_on_selector_all("#changes li[data-change]", "items => items.map((li) => li.dataset.change)")
    assert listed == [key for key, _ in second["changes"]["order"]][:8], (listed, second["changes"]["order"])
    popup.locator("body").screenshot(path=str(ARTIFACTS / "chromium-popup-changed.png"))


def test_a_clause_added_in_two_places_is_listed_once_and_marked_new_in_both(launch_chromium, page_server,
                                                                          policy_version):
    """The daemon lists a statement added in several places (a table row in every row) once; the page marks each
    place, from the change's `elsewhere` spans (before, only the first place was marked)."""
    browser = launch_chromium()
    url = f"{page_server}/versioned/policy.html"
    policy_version(1)
    page, first = browser.open_until(url, what="the first visit to be painted")
    policy_version(3)
    page.reload()
    second = browser.wait_state(url, lambda s: painted(s) and s["analysedAt"] > first["analysedAt"],
                                "the second visit to be painted")
    (added,) = [c for c in second["changes"]["added"] if c["text"] == ADDED_CLAUSE]
    assert added["occurrences"] == 2 and len(added["elsewhere"]) == 1, added
    fresh = new_marks(page)
    assert all(text in ADDED_CLAUSE for text in fresh), fresh
    places = page.locator("p", has_text=ADDED_CLAUSE).all()
    marks = [place.locator("smallprint-mark").count() for place in places]
    assert len(places) == 2 and all(marks), f"each place of the added clause must be painted: {marks}"
    assert len(fresh) == sum(marks), f"only {len(fresh)} of the {sum(marks)} marks in the two places are new: {fresh}"


def test_text_arriving_later_in_a_visit_is_not_new_since_the_last_visit(launch_chromium, page_server,
                                                                       policy_version, bridge_home):
    browser = launch_chromium()
    url = f"{page_server}/versioned/policy.html"
    third = check_late_text_in_one_visit(browser, url, policy_version, bridge_home)
    assert browser.badge(url) == third["grade"]["letter"]  # nothing new on the third visit: no "•"


def test_a_tab_that_moved_to_a_page_no_content_script_reads_shows_no_earlier_state(launch_chromium, page_server):
    """A PDF, a browser page, about:blank: no content script runs there to replace the tab's state, and the popup must
    not show the policy the tab showed before (nor its badge)."""
    browser = launch_chromium()
    url = f"{page_server}/policy.html"
    page, _ = browser.open_until(url, what="the policy page to be painted")
    tab = browser.message({"type": "find-tab", "url": url})["tabId"]
    assert browser.tab_badge(tab)
    page.goto("about:blank")
    assert browser.message({"type": "get-state", "tabId": tab})["state"] is None
    assert browser.tab_badge(tab) == ""
    popup = browser.open(f"{browser.origin}/popup.html?tab={tab}")
    popup.wait_for_selector("#view:has-text('smallprint has not read this page')", timeout=15_000)
    assert popup.locator("#grade, #kind, #practices").count() == 0


def test_a_page_back_from_the_back_forward_cache_shows_its_own_state(launch_chromium, page_server):
    browser = launch_chromium(back_forward_cache=True)
    url = f"{page_server}/policy.html"
    page, policy = browser.open_until(url, what="the policy page to be painted")
    page.evaluate("() => { window.__notReloaded = true; }")
    news = f"{page_server}/news.html"
    page.goto(news)
    assert browser.wait_state(news, analysis_done, "news.html to be analysed")["kind"] == "other"
    page.go_back(wait_until="commit")  # a page restored from the cache fires no load event
    assert page.evaluate("() => window.__notReloaded === true"), "the page was loaded again, not restored from the cache"
    back = browser.wait_state(url, painted, "the restored policy page to be the tab's state again")
    assert back["status"] == "done" and back["kind"] == "privacy_policy" and back["grade"] == policy["grade"]
    assert_marks_match(page.evaluate(MARKS_JS), back["highlights"])
    summary = popup_summary(browser.popup(url))
    assert summary["kind"] == "privacy_policy" and summary["grade"] == policy["grade"]["letter"]


def test_the_popup_says_when_older_versions_were_forgotten(launch_chromium, page_server, policy_version, bridge_home):
    """Issue 13, finding 6: the store keeps at most [history] max_site_versions per site, and the reader is told.
    The version a visit compares with stays while that visit may still send its page again (a re-send is compared
    with it), so it goes, and the reader is told, at the next visit."""
    config = bridge_home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[history]\nmax_site_versions = 1\n", encoding="utf-8")
    browser = launch_chromium()
    url = f"{page_server}/versioned/policy.html"
    policy_version(1)
    page, first = browser.open_until(url, what="the first visit to be painted")
    assert first["forgotten"] == 0
    policy_version(2)
    page.reload()
    second = browser.wait_state(url, lambda s: painted(s) and s["analysedAt"] > first["analysedAt"],
                                "the second visit to be painted")
    assert second["forgotten"] == 0, second.get("forgotten")  # the first version: the second visit's baseline
    page.reload()
    third = browser.wait_state(url, lambda s: painted(s) and s["analysedAt"] > second["analysedAt"],
                               "the third visit to be painted")
    assert third["forgotten"] == 1, third.get("forgotten")
    popup = browser.popup(url)
    popup.wait_for_selector("#forgotten")
    assert "forgot 1 older version" in popup.locator("#forgotten").inner_text()


def test_paint_all_setting_paints_every_clause_strongly(launch_chromium, page_server):
    browser = launch_chromium()
    url = f"{page_server}/policy.html"
    page, _ = browser.open_until(url, what="the policy page to be painted")
    quiet_js = """() => [...document.querySelectorAll('smallprint-mark')]
      .filter(m => getComputedStyle(m).backgroundColor === 'rgba(0, 0, 0, 0)').length"""
    assert page.evaluate(quiet_js) > 0  # by default only the key findings are filled
    options = browser.open(f"{browser.origin}/options.html")
    options.check("#paint-all")
    options.wait_for_selector("#saved-highlight:has-text('Saved.')")
    wait_for(lambda: page.evaluate(quiet_js) == 0 and page.evaluate(
        "() => document.querySelectorAll('smallprint-mark').length") > 0, 15, what="every clause to be filled")


def test_options_hide_practices_and_turn_sites_off(launch_chromium, page_server):
    browser = launch_chromium()
    options = browser.open(f"{browser.origin}/options.html")
    options.uncheck("#practices input[value='sale_of_data']")
    options.wait_for_selector("#saved-highlight:has-text('Saved.')")

    url = f"{page_server}/policy.html"
    page, state = browser.open_until(url, what="the policy page to be painted")
    practices = {g["practice"] for g in page.evaluate(MARKS_JS).values()}
    assert practices and "sale_of_data" not in practices
    assert any(h["practice"] == "sale_of_data" for h in state["highlights"])  # found, only not painted
    assert_marks_match(page.evaluate(MARKS_JS), state["highlights"], hidden=frozenset({"sale_of_data"}))

    options.fill("#new-site", "127.0.0.1")
    options.click("#add-site button")
    options.wait_for_selector("#sites li:has-text('127.0.0.1')")
    other = browser.open(f"{page_server}/late-policy.html")
    off = browser.wait_state(other.url, lambda s: s.get("status") == "off", "automatic analysis to stay off")
    assert off["status"] == "off"
    other.wait_for_timeout(1500)  # the policy text arrives 0.7 s after load: it must not be sent either
    assert browser.state(other.url)["status"] == "off"
    assert other.evaluate("() => document.querySelectorAll('smallprint-mark').length") == 0
    popup = browser.popup(other.url)
    popup.click("#analyse")  # the reader can still ask
    manual = browser.wait_state(other.url, lambda s: s.get("manual") and painted(s), "the manual analysis")
    assert manual["status"] == "done" and other.evaluate("() => document.querySelectorAll('smallprint-mark').length") > 0


def test_a_site_turned_off_in_the_popup_stays_off_when_the_open_options_page_changes_something(launch_chromium,
                                                                                              page_server):
    browser = launch_chromium()
    url = f"{page_server}/policy.html"
    browser.open_until(url, what="the policy page to be painted")
    options = browser.open(f"{browser.origin}/options.html")
    options.wait_for_selector("#sites li:has-text('None')")
    popup = browser.popup(url)
    popup.wait_for_selector("#site-name:has-text('127.0.0.1')")
    popup.uncheck("#site-auto")
    # the open settings page shows the site the popup turned off...
    options.wait_for_selector("#sites li:has-text('127.0.0.1')", timeout=5_000)
    # ...and a change made there afterwards changes that one setting only
    options.uncheck("#practices input[value='children']")
    options.wait_for_selector("#saved-highlight:has-text('Saved.')")
    stored = browser.in_extension("() => chrome.storage.local.get('settings').then(s => s.settings)")
    assert stored["hiddenPractices"] == ["children"] and "disabledSites" not in stored, stored
    assert browser.message({"type": "disabled-sites"}) == {"ok": True, "sites": ["127.0.0.1"]}
    again = browser.open(f"{page_server}/late-policy.html")
    off = browser.wait_state(again.url, lambda s: s.get("status") == "off", "automatic analysis to stay off")
    assert off["status"] == "off"


SITE_FORM_JS = """() => ({
  error: document.querySelector('#new-site-error').hidden ? null : document.querySelector('#new-site-error').textContent,
  invalid: document.querySelector('#new-site').getAttribute('aria-invalid'),
  describedBy: document.querySelector('#new-site').getAttribute('aria-describedby'),
  sites: [...document.querySelectorAll('#sites li')].map(li => li.firstChild.textContent),
})"""


def test_the_site_list_takes_host_names_only_and_a_site_covers_its_subdomains(launch_chromium, page_server):
    browser = launch_chromium()
    options = browser.open(f"{browser.origin}/options.html")
    options.wait_for_selector("#sites li:has-text('None')")
    for junk in ("foo bar", "*.example.com", "exa_mple.com", "ftp://example.com", "example..com"):
        options.fill("#new-site", junk)
        options.click("#add-site button")
        form = options.evaluate(SITE_FORM_JS)
        assert form["error"] and form["invalid"] == "true", (junk, form)
        assert "new-site-error" in form["describedBy"].split(), form  # the message is the field's description
        assert form["sites"] == ["None"], (junk, form)
    options.fill("#new-site", "*.example.com")
    options.click("#add-site button")
    assert "example.com already covers its subdomains" in options.evaluate(SITE_FORM_JS)["error"]
    for typed, stored in (("https://Shop.Example.COM/privacy?x=1", "shop.example.com"), ("::1", "[::1]"),
                          ("192.168.1.1", "192.168.1.1"), ("bücher.de", "xn--bcher-kva.de"), ("localhost", "localhost")):
        options.fill("#new-site", typed)
        options.click("#add-site button")
        options.wait_for_selector(f"#sites li:has-text('{stored}')", timeout=5_000)
        form = options.evaluate(SITE_FORM_JS)
        assert form["error"] is None and form["invalid"] is None, (typed, form)
    assert "covers its subdomains" in options.inner_text("#sites-hint")
    covered = browser.in_extension("""() => ['example.com', 'www.example.com', 'notexample.com', 'shop.example.com',
      'a.shop.example.com', '[::1]', '192.168.1.1', '1.192.168.1.1'].map(h => SP.siteCovers('example.com', h)
      || SP.siteIsOff({disabledSites: ['shop.example.com', '[::1]', '192.168.1.1']}, `http://${h}/`))""")
    assert covered == [True, True, False, True, True, True, True, False]

    # A page on a subdomain of a listed site is not read (content.js asks SP.siteIsOff); the popup's switch shows it
    # off, and turning it on again takes the entry off.
    url = f"http://www.localhost:{page_server.rsplit(':', 1)[1]}/policy.html"
    page = browser.open(url)
    state = browser.wait_state(url, lambda s: s.get("status") in ("off", "done", "error"),
                               "the page on a subdomain of a listed site to be left unread")
    assert state["status"] == "off", state
    assert page.evaluate(MARKS_JS) == {}
    popup = browser.popup(url)
    popup.wait_for_selector("#site-name:has-text('www.localhost')")
    assert popup.evaluate("() => document.querySelector('#site-auto').checked") is False
    popup.check("#site-auto")
    options.wait_for_function("() => ![...document.querySelectorAll('#sites li')].some(li => "
                              "li.firstChild.textContent === 'localhost')", timeout=5_000)
    assert "localhost" in popup.inner_text("#status")


def test_a_key_finding_of_a_hidden_practice_says_why_it_does_not_scroll(launch_chromium, page_server):
    browser = launch_chromium()
    url = f"{page_server}/policy.html"
    page, _ = browser.open_until(url, what="the policy page to be painted")
    popup = browser.popup(url)
    popup.wait_for_selector("#key-findings li")
    practice = popup.evaluate("() => document.querySelector('#key-findings li').dataset.practice")
    browser.in_extension("""p => chrome.storage.local.get('settings').then(s => chrome.storage.local.set(
      {settings: {...(s.settings ?? {}), hiddenPractices: [p]}}))""", practice)
    wait_for(lambda: practice not in {g["practice"] for g in page.evaluate(MARKS_JS).values()}, 10,
             what="the hidden practice to disappear from the page")
    popup.click(f"#key-findings li[data-practice='{practice}'] button")
    popup.wait_for_function("() => document.querySelector('#status').textContent.includes('hidden in your settings')",
                            timeout=5_000)
    status = popup.inner_text("#status")
    assert status.startswith(browser.in_extension("p => SP.PRACTICE_LABELS[p]", practice)), status
    assert popup.evaluate("() => document.querySelector('#status').getAttribute('role')") == "status"
    # a shown practice still scrolls, and says nothing
    shown = popup.evaluate(f"""() => [...document.querySelectorAll('#key-findings li')]
      .map(li => li.dataset.practice).find(p => p !== '{practice}') ?? null""")
    if shown:
        popup.click(f"#key-findings li[data-practice='{shown}'] button")
        wait_for(lambda: page.evaluate("() => document.activeElement?.localName") == "smallprint-mark", 5,
                 what="the page to move to the clause")


def test_navigation_without_reload_is_analysed_again(launch_chromium, page_server):
    browser = launch_chromium()
    home = f"{page_server}/spa.html"
    page = browser.open(home)
    state = browser.wait_state(home, analysis_done, "the app's home page to be analysed")
    assert state["status"] == "done" and state["kind"] == "other", state.get("error")
    page.click("#to-privacy")
    privacy = f"{page_server}/spa.html?page=privacy"
    state = browser.wait_state(privacy, painted, "the privacy page of the app to be painted")
    assert state["status"] == "done" and state["kind"] == "privacy_policy", state.get("error")
    assert_marks_match(page.evaluate(MARKS_JS), state["highlights"])



def test_painted_page_is_repainted_when_text_arrives_or_settings_change(launch_chromium, page_server):
    browser = launch_chromium()
    url = f"{page_server}/growing-policy.html"
    page, first = browser.open_until(url, what="the policy to be painted")
    assert_marks_match(page.evaluate(MARKS_JS), first["highlights"])

    page.evaluate("addSection()")  # more text, on a page that already carries marks
    second = browser.wait_state(url, lambda s: painted(s) and s["analysedAt"] > first["analysedAt"],
                                "the longer policy to be painted again")
    assert len(second["highlights"]) > len(first["highlights"])
    marks = page.evaluate(MARKS_JS)
    assert_marks_match(marks, second["highlights"])
    assert "ai_training" in {g["practice"] for g in marks.values()}
    # The page's own text nodes beside a mark (a framework's: React writes {n} as a node of its own, Vue keeps
    # empty ones as anchors) must survive an unpaint: only what painting split is joined back.
    page.evaluate("""() => { const m = document.querySelector('smallprint-mark'); const p = m.parentNode;
      window.__own = [document.createTextNode(''), document.createTextNode(' ')];
      p.insertBefore(window.__own[0], m); p.appendChild(window.__own[1]); }""")

    options = browser.open(f"{browser.origin}/options.html")  # hide a practice while the page is open
    options.uncheck("#practices input[value='ai_training']")
    wait_for(lambda: "ai_training" not in {g["practice"] for g in page.evaluate(MARKS_JS).values()}, 10,
             what="the hidden practice to disappear from the page")
    assert_marks_match(page.evaluate(MARKS_JS), second["highlights"], hidden=frozenset({"ai_training"}))
    assert page.evaluate("() => window.__own.map(n => n.isConnected)") == [True, True]


def test_clauses_hidden_by_invisible_characters_are_painted_on_the_page_own_words(launch_chromium, page_server,
                                                                                    bridge_home):
    """Issue 13, finding 1: soft hyphens, zero-width spaces, word joiners and a Cyrillic look-alike inside words
    do not hide a clause, and each mark covers exactly the words the daemon read (offsets into the page's text)."""
    browser = launch_chromium()
    url = f"{page_server}/hidden-characters-policy.html"
    page, state = browser.open_until(url, what="the disguised policy to be painted")
    marks = page.evaluate(MARKS_JS)
    assert_marks_match(marks, state["highlights"])
    visible = {(g["practice"], " ".join(g["text"].replace("\u00ad", "").replace("\u200b", "").replace("\u2060", "")
                                         .replace("\u0430", "a").split())) for g in marks.values()}
    assert ("sale_of_data", "We may sell your personal information to advertising partners and data brokers.") in visible
    assert ("ai_training", "We may use the notes you upload to train our artificial intelligence models.") in visible
    assert any(practice == "biometric" and "faceprints" in text for practice, text in visible), visible


def test_the_card_is_english_left_to_right_and_says_why_in_plain_words(launch_chromium, page_server, bridge_home):
    """On a right-to-left page the card keeps its own direction and language; "Why flagged" is the highlight's one
    plain sentence (`reason`), not the explainer's record ("reader: location neutral, 54% sure; rules: ...")."""
    browser = launch_chromium()
    url = f"{page_server}/policy.html"
    page, _ = browser.open_until(url, what="the policy page to be painted")
    page.evaluate("() => { document.documentElement.dir = 'rtl'; document.documentElement.lang = 'ar'; }")
    first = page.locator("smallprint-mark[tabindex='0']").first
    first.focus()
    box = card_box(page)
    assert box and box["attributes"].get("dir") == "ltr" and box["attributes"].get("lang") == "en", box
    assert box["style"]["direction"] == "ltr", box
    # the reading the page was painted from (the content script's own), for the focused clause
    blocks = page.evaluate(SIMPLE_BLOCKS_JS)
    analysis = post_analyze(daemon_info(bridge_home), bridge_home, {"blocks": blocks})
    highlight = analysis["highlights"][int(first.get_attribute("data-highlight"))]
    assert highlight["reason"] and f"Why flagged: {highlight['reason']}" in box["text"], (highlight, box["text"])
    assert highlight["explanation"] not in box["text"] and "% sure" not in box["text"], box["text"]
