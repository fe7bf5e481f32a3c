"""The per-site "off" list (sites where the reader turned automatic analysis off) lives where only the extension's
background and pages reach it (its own IndexedDB), not in storage.local, which content scripts (and so a page that
took over its renderer) can read. A list an earlier version kept in storage.local is moved, not lost."""
from __future__ import annotations

import pytest

from .harness import content_script_world, painted, wait_for

pytestmark = pytest.mark.browser

# What an earlier version stored: the list inside storage.local's settings.
OLD_SETTINGS = {"autoAnalyse": True, "disabledSites": ["127.0.0.1", "example.org"], "hiddenPractices": ["children"]}
READ_ALL_STORAGE_JS = """async () => JSON.stringify(await chrome.storage.local.get(null))"""


def test_an_earlier_list_is_moved_out_of_the_content_scripts_reach_in_chromium(launch_chromium, page_server):
    browser = launch_chromium()
    browser.in_extension("s => chrome.storage.local.set({settings: s})", OLD_SETTINGS)
    url = f"{page_server}/policy.html"
    page = browser.open(url)
    off = browser.wait_state(url, lambda s: s.get("status") == "off", "the site to stay off")
    assert off["status"] == "off"
    page.wait_for_timeout(1000)
    assert browser.state(url)["status"] == "off"
    assert page.evaluate("() => document.querySelectorAll('smallprint-mark').length") == 0
    # the list moved, whole, and what else was stored stayed
    assert browser.message({"type": "disabled-sites"}) == {"ok": True, "sites": ["127.0.0.1", "example.org"]}
    stored = browser.in_extension("() => chrome.storage.local.get('settings').then(s => s.settings)")
    assert stored == {"autoAnalyse": True, "hiddenPractices": ["children"]}, stored
    # the content script's own world can no longer read it, from any storage it may use
    world = content_script_world(page, browser.extension_id)
    seen = world(READ_ALL_STORAGE_JS, None)
    assert "127.0.0.1" not in seen and "example.org" not in seen, seen
    session = world("""async () => { try { return JSON.stringify(await chrome.storage.session.get(null)); }
                                     catch (e) { return 'refused: ' + e.message; } }""", None)
    assert "example.org" not in session, session
    # it may only ask about its own page, and learns only yes or no
    assert world("u => chrome.runtime.sendMessage({type: 'site-off', url: u})", url) == {"ok": True, "off": True}
    assert world("() => chrome.runtime.sendMessage({type: 'disabled-sites'})", None)["error"]["code"] == "refused"
    assert world("() => chrome.runtime.sendMessage({type: 'set-disabled-sites', sites: []})",
                 None)["error"]["code"] == "refused"
    # the popup's switch still turns the site on again, and a new page load is read
    popup = browser.popup(url)
    popup.wait_for_selector("#site-name:has-text('127.0.0.1')")
    assert not popup.is_checked("#site-auto")
    popup.check("#site-auto")
    wait_for(lambda: browser.message({"type": "disabled-sites"})["sites"] == ["example.org"], 10,
             what="the site to be taken off the list")
    page.reload()
    browser.wait_state(url, painted, "the page to be read again")


def test_an_earlier_list_is_moved_and_still_honoured_in_firefox(launch_firefox, page_server):
    browser = launch_firefox()
    browser.in_extension("s => browser.storage.local.set({settings: s})", OLD_SETTINGS)
    url = f"{page_server}/policy.html"
    browser.open(url)
    off = browser.wait_state(url, lambda s: s.get("status") == "off", "the site to stay off")
    assert off["status"] == "off"
    assert browser.evaluate("() => document.querySelectorAll('smallprint-mark').length") == 0
    assert browser.message({"type": "disabled-sites"}) == {"ok": True, "sites": ["127.0.0.1", "example.org"]}
    stored = browser.in_extension("() => browser.storage.local.get(null)")
    assert "127.0.0.1" not in str(stored) and stored["settings"] == {"autoAnalyse": True,
                                                                     "hiddenPractices": ["children"]}, stored
    # the options page lists it, and taking it off the list lets a new page load be read
    browser.open_extension_page("options.html")
    wait_for(lambda: browser.driver.execute_script(
        "return [...document.querySelectorAll('#sites li')].map(li => li.firstChild.textContent)")
        == ["127.0.0.1", "example.org"], 10, what="the options page to list the sites")
    browser.driver.execute_script("document.querySelector('#sites li button').click()")
    wait_for(lambda: browser.message({"type": "disabled-sites"})["sites"] == ["example.org"], 10,
             what="the site to be taken off the list")
    browser.open(url)
    browser.wait_state(url, painted, "the page to be read again")


def test_a_site_turned_off_where_every_window_is_private_stays_off_in_firefox(launch_firefox, page_server):
    """Where every window is private ("Never remember history") Firefox gives the add-on no IndexedDB (the background
    is private too): the list stays in storage.local there, as before, and still works."""
    browser = launch_firefox(private=True)
    browser.open_extension_page("options.html")
    wait_for(lambda: browser.driver.execute_script("return document.querySelector('#sites li')?.textContent")
             == "None", 10, what="the options page")
    browser.driver.execute_script("""document.querySelector('#new-site').value = '127.0.0.1';
      document.querySelector('#add-site button').click();""")
    wait_for(lambda: browser.message({"type": "disabled-sites"}).get("sites") == ["127.0.0.1"], 10,
             what="the site to be listed")
    url = f"{page_server}/policy.html"
    browser.open(url)
    off = browser.wait_state(url, lambda s: s.get("status") == "off", "the site to stay off")
    assert off["status"] == "off"
    assert browser.evaluate("() => document.querySelectorAll('smallprint-mark').length") == 0
