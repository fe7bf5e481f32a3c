// Shared by the background, the content script, the popup and the options page.
// Plain script (no modules): Firefox's background `scripts` and content scripts load it as-is,
// Chromium's service worker pulls it in with importScripts().
"use strict";

// Firefox exposes promise-based `browser`; Chromium's `chrome` returns promises too in MV3.
const api = globalThis.browser ?? globalThis.chrome;

const SP = {
  HOST_NAME: "org.smallprint.bridge",
  POLICY_KINDS: ["privacy_policy", "cookie_policy", "terms_of_service"],
  KIND_LABELS: {
    privacy_policy: "Privacy policy",
    cookie_policy: "Cookie policy",
    terms_of_service: "Terms of service",
    other: "Not a policy",
  },
  // The HTML report's words and legend (daemon/smallprint/report.py POLARITY_LABELS, POLARITY_MEANINGS; a test keeps
  // them equal), used everywhere in the extension.
  POLARITY_LABELS: { concern: "Concern", protective: "Protective", neutral: "Neutral" },
  POLARITY_MEANINGS: {
    concern: "reduces your privacy or control",
    protective: "a promise or right in your favour",
    neutral: "informative only",
  },
  // The grades' colours: the HTML report's (daemon/smallprint/report.py --grade-*; a test keeps them equal), for the
  // popup's grade and the toolbar badge alike. GRADE_TEXT_COLOUR (the letter) reaches >= 5:1 on each, and on the
  // badge's colours without a grade.
  GRADE_COLOURS: { A: "#1e7b40", B: "#4d7a12", C: "#8a6a00", D: "#b34d0f", E: "#c8322a" },
  GRADE_TEXT_COLOUR: "#ffffff",
  BADGE_COLOURS: { error: "#6b6b6b", ungraded: "#5f6368" }, // "!", and a policy read without a letter ("?")
  // A mark beside the colour, so that polarity never rests on hue alone (the CLI's ✗ and ✓).
  POLARITY_MARKS: { concern: "✗", protective: "✓", neutral: "i" },
  // A promise or right the new version no longer makes, in the change reports' words (daemon/smallprint/history/
  // diff.py LOST_PROMISE; a test keeps them equal): bad news, shown with the concern mark, never a promise's ✓.
  LOST_PROMISE: "No longer promised",
  // Its mirror, a concern the new version no longer states (diff.py NO_LONGER_STATED; a test keeps them equal): good
  // news, shown with a promise's mark, never the concern's ✗.
  NO_LONGER_STATED: "No longer stated",
  // The word each list of changes goes under, in every change report's words (diff.py CHANGE_WORDS; a test keeps them
  // equal): the popup's lines, the HTML report's boxes and the `smallprint diff` text view's headings.
  CHANGE_WORDS: { added: "New", removed: "Removed", changed: "Reworded" },
  // Mirrors daemon/smallprint/taxonomy.py (ids are stable; tests/browser/test_extension_files.py keeps them in sync).
  PRACTICES: [
    ["ai_training", "AI training"],
    ["biometric", "Biometric data"],
    ["sensitive_data", "Sensitive data"],
    ["location", "Location"],
    ["employment_education", "Employment and education"],
    ["sale_of_data", "Sale of data"],
    ["third_party_sharing", "Sharing with third parties"],
    ["advertising", "Advertising"],
    ["tracking", "Tracking"],
    ["third_party_sources", "Data from other sources"],
    ["private_content", "Private content"],
    ["profiling", "Profiling"],
    ["retention", "Retention"],
    ["user_rights", "Your rights"],
    ["user_choice", "Your choices"],
    ["children", "Children"],
    ["government_access", "Government access"],
    ["international_transfer", "International transfer"],
    ["security", "Security"],
    ["policy_change", "Policy changes"],
    ["business_transfer", "Business transfer"],
  ],
  DEFAULT_SETTINGS: {
    autoAnalyse: true,   // analyse every page automatically (only policies get painted)
    hiddenPractices: [], // practice ids not to highlight
    paintAll: false,     // paint every highlight strongly (default: the key findings strongly, the rest quietly)
  },
  // What the reader can do about a failure, by bridge error code (PROTOCOL.md section 6) or extension-side code.
  ERROR_HELP: {
    // Also Chromium's word ("not found") when the helper the host manifest names is gone: smallprint moved.
    host_missing: {
      title: "The smallprint helper is not installed for this browser, or smallprint has moved since.",
      fix: "Install it (again), then reload this page:",
      command: "smallprint install-host",
    },
    host_forbidden: {
      title: "The smallprint helper does not allow this extension.",
      fix: "Re-install the helper so it names this extension:",
      command: "smallprint install-host",
    },
    // Also Firefox's word ("An unexpected error occurred") when the helper the host manifest names is gone: smallprint
    // was moved or installed again, and only registering the helper again helps.
    host_failed: {
      title: "The smallprint helper could not start, or stopped unexpectedly.",
      fix: "Check the installation and the helper's log:",
      command: "smallprint status",
      more: [{ fix: "If smallprint was installed again or moved, register its helper for this browser:",
               command: "smallprint install-host" }],
    },
    // The daemon failing to start is often an installation that moved (a new virtual environment, an
    // upgrade): the reader gets the command that shows why, then the one that registers the helper again.
    daemon_start_failed: {
      title: "The smallprint service could not be started.",
      fix: "Start it in a terminal to see why:",
      command: "smallprint serve",
      more: [{ fix: "If smallprint was installed again or moved, register its helper for this browser:",
               command: "smallprint install-host" }],
    },
    daemon_unavailable: {
      title: "The smallprint service is not running.",
      fix: "Start it in a terminal:",
      command: "smallprint serve",
      more: [{ fix: "If that command is not found, install smallprint, then register its helper:",
               command: "smallprint install-host" }],
    },
    timeout: {
      title: "The smallprint service took too long to answer.",
      fix: "Check that it is running:",
      command: "smallprint status",
    },
    // Often a service that is already running but reads another token store than the helper (started from a
    // terminal whose keyring works): `smallprint serve` would only say "already running". Stopping it lets the next
    // page start one with the helper's token (PROTOCOL.md section 5).
    unauthorized: {
      title: "The smallprint service refused the helper's token.",
      fix: "Stop the service (the next page starts it again, with the helper's token):",
      command: "smallprint stop",
      more: [{ fix: "If that does not help, see which token store each uses:", command: "smallprint status" }],
    },
    // Forgetting (PROTOCOL.md `forget`): the store could not be changed; the service's memory was forgotten.
    history_unavailable: {
      title: "smallprint's memory of policies is turned off or cannot be changed.",
      fix: "See where its settings and data are ([history] enabled in the config turns it on):",
      command: "smallprint status",
    },
    // Refused before anything was read (PROTOCOL.md section 9: the background's limit on one page, or the daemon's own,
    // which the bridge answers `too_large` too). No number here: the limit that refused it may be lower than the
    // defaults (the daemon's configured max_body_bytes), and the message shown below this ("Details: …") names it.
    too_large: {
      title: "This page is too large for smallprint to read.",
      fix: "It is over a limit on how much of a page smallprint reads (the details below name it), " +
        "so nothing of it was read.",
    },
    // Too many pages being read at once (the bridge's requests in flight, or a tab's own): nothing was done. The
    // background has already asked the bridge once more after a short wait (background.js BUSY_RETRY_MS).
    busy: {
      title: "smallprint is reading too many pages at once.",
      fix: "Nothing was wrong with this page. Wait a moment, then reload it to have it read.",
    },
    not_a_site: {
      title: "This address names no site, so nothing is remembered under it.",
      fix: "Forget a site by its name in a terminal:",
      command: "smallprint forget example.com",
    },
  },
};

SP.PRACTICE_LABELS = Object.fromEntries(SP.PRACTICES);

SP.isPolicyKind = (kind) => SP.POLICY_KINDS.includes(kind);

// The settings in storage.local, which content scripts can read (in Chromium they always can): never the per-site
// "off" list, which only the background holds (background.js, "the per-site off list"). A list an earlier version
// left in storage.local is the background's to move; it is not read from there.
SP.loadSettings = async () => {
  const { disabledSites, ...stored } = (await api.storage.local.get("settings")).settings ?? {};
  return { ...SP.DEFAULT_SETTINGS, ...stored };
};

// The stored settings with a list still kept in storage.local (background.js: where no IndexedDB is to be had).
SP.loadSettingsWithSites = async () => {
  const stored = (await api.storage.local.get("settings")).settings ?? {};
  return { ...SP.DEFAULT_SETTINGS, disabledSites: [], ...stored };
};

// Extension pages (the popup, the options page): the settings with `disabledSites`, the hostnames where automatic
// analysis is off, asked of the background.
SP.loadPageSettings = async () => {
  const [settings, sites] = await Promise.all([SP.loadSettings(), SP.ask({ type: "disabled-sites" })]);
  if (!sites?.ok) throw new Error(sites?.error?.message ?? "the list of sites could not be read");
  return { ...settings, disabledSites: sites.sites };
};

// `disabledSites`, when given, goes to the background; the rest to storage.local.
SP.saveSettings = async ({ disabledSites, ...settings }) => {
  if (disabledSites) {
    const saved = await SP.ask({ type: "set-disabled-sites", sites: disabledSites });
    if (!saved?.ok) throw new Error(saved?.error?.message ?? "the list of sites could not be saved");
  }
  // a list the background keeps in storage.local (no IndexedDB there) stays as the background wrote it
  const kept = (await api.storage.local.get("settings")).settings?.disabledSites;
  await api.storage.local.set({ settings: kept === undefined ? settings : { ...settings, disabledSites: kept } });
};

SP.siteOf = (url) => {
  try {
    return new URL(url).hostname;
  } catch {
    return "";
  }
};

// The per-site "off" list: an entry covers its host and every subdomain ("example.com" covers www.example.com and
// example.com itself; an address covers itself only). `host` as SP.siteOf gives it (an IPv6 address in brackets).
SP.siteCovers = (entry, host) => Boolean(host) && (host === entry || (!/^[\d.]+$|^\[/.test(entry) &&
  host.endsWith(`.${entry}`)));

// Whether automatic analysis is off for the page at `url` by the per-site list (not the global switch).
SP.siteIsOff = (settings, url) => {
  const host = SP.siteOf(url);
  return (settings.disabledSites ?? []).some((entry) => SP.siteCovers(entry, host));
};

// What the reader typed as a site: `{site}` (a host name in lower case, an IPv4 address, or an IPv6 address in
// brackets, as pages are matched by), or `{error}` saying why it is not one. A pasted address gives its host.
SP.siteFromInput = (text) => {
  const value = text.trim();
  if (!value) return { error: "Type a site's name, such as example.com." };
  if (value.startsWith("*.")) {
    return { error: `Leave out "*.": ${value.slice(2)} already covers its subdomains.` };
  }
  if (/[\s*]/.test(value)) {
    return { error: `"${value}" is not a site's name: a name such as example.com has no spaces or "*".` };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value);
  if (scheme && !/^https?$/i.test(scheme[1])) return { error: "Only web sites (http and https) are analysed." };
  // a bare IPv6 address ("::1") is written in brackets in an address
  const address = scheme ? value : `https://${/^[0-9a-f:.]+$/i.test(value) && value.includes(":") ? `[${value}]` : value}`;
  let host;
  try {
    host = new URL(address).hostname.replace(/\.$/, "");
  } catch {
    host = "";
  }
  const label = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
  const name = new RegExp(`^(?=.{1,253}$)${label}(?:\\.${label})*$`);
  if (/^\[[0-9a-f:.]+\]$/.test(host) || name.test(host)) return { site: host };
  return { error: `"${value}" is not a site's name. Type a name such as example.com, or an address such as 192.168.1.1.` };
};

// A message to the background from an extension page; a failure to deliver it is answered as the background answers.
SP.ask = (message) =>
  api.runtime.sendMessage(message).catch((err) => ({
    ok: false, error: { code: "internal", message: String(err?.message ?? err) },
  }));

// `failed`: what could not be done, for a code without steps of its own.
SP.errorHelp = (code, failed = "analyse this page") =>
  SP.ERROR_HELP[code] ?? {
    title: `smallprint could not ${failed}.`,
    fix: "Check the service:",
    command: "smallprint status",
  };

// A failure as the popup and the options page show it: what failed, what to do and the command that does it, the
// bridge's own hint where the extension has no steps of its own (it would repeat them), then the details.
// Where the bridge's message is the cause itself (the daemon's own words on why it did not start: an invalid
// config.toml, a port in use), it comes first, before the generic steps. `title: false` where the title is already
// said (the popup's live line says it).
// (one code a line: a pair on one line would read as a practice to test_extension_files.py)
SP.CAUSE_FIRST = new Set([
  "daemon_start_failed",
  "host_failed",
]);
SP.errorBox = (error, failed, { title = true } = {}) => {
  const help = SP.errorHelp(error.code, failed);
  const node = (tag, className, text) => {
    const made = document.createElement(tag);
    if (className) made.className = className;
    made.textContent = text;
    return made;
  };
  const box = node("div", "error", "");
  box.dataset.code = error.code ?? "";
  if (title) box.append(node("p", "kind", help.title));
  const causeFirst = Boolean(error.message) && SP.CAUSE_FIRST.has(error.code);
  if (causeFirst) {
    if (/config\.toml/i.test(error.message)) {
      box.append(node("p", "cause", "Its config file (config.toml) has an error: correct it, then reload this page."));
    }
    box.append(node("p", "cause-detail", `Why: ${error.message}`));
  }
  box.append(node("p", "", causeFirst ? `If that does not say enough: ${help.fix[0].toLowerCase()}${help.fix.slice(1)}`
    : help.fix));
  if (help.command) box.append(node("code", "fix-command", help.command)); // none where waiting is the fix
  for (const step of help.more ?? []) box.append(node("p", "", step.fix), node("code", "fix-command", step.command));
  if (error.hint && !SP.ERROR_HELP[error.code]) box.append(node("p", "muted", error.hint));
  if (error.message && !causeFirst) box.append(node("p", "muted", `Details: ${error.message}`));
  return box;
};

// How one clause of changes_since_last_visit is listed (the popup's "New", "Reworded" and "Removed" lists): the verb,
// the polarity whose mark goes beside it, and the polarity's word ("" for none). A removed clause that was a promise
// or right in the reader's favour, or a reworded one that was and now states no practice, is a loss (diff.py
// lost_promise): "✗ No longer promised: Sale of data — …", never "✓ Removed: Sale of data (protective)". A concern so
// removed or reworded away is good news (diff.py dropped_concern): "✓ No longer stated: Sale of data — …", never
// "✗ Reworded: Sale of data (concern)".
SP.changeWording = (key, clause) => {
  const polarity = clause?.polarity ?? "neutral";
  const noFindings = !(clause?.findings ?? []).length;
  if (key === "removed" || (key === "changed" && noFindings)) {
    if (polarity === "protective") return { verb: SP.LOST_PROMISE, polarity: "concern", word: "" };
    if (polarity === "concern") return { verb: SP.NO_LONGER_STATED, polarity: "protective", word: "" };
  }
  const verb = SP.CHANGE_WORDS[key] ?? key;
  return { verb, polarity, word: SP.POLARITY_LABELS[polarity]?.toLowerCase() ?? polarity };
};

// The popup lists the three lists as one, in the order every change view lists them: the daemon's `order` ([list,
// index] pairs, diff.py reading_order: most important first, a promise no longer made and a new concern leading),
// each item {key, clause}. From a daemon that sends no `order`, the lists one after the other in diff.py LIST_ORDER
// (a test keeps them equal), each most important first as the daemon sends it.
SP.LIST_ORDER = ["removed", "added", "changed"];
SP.inReadingOrder = (changes) => {
  const order = Array.isArray(changes?.order) ? changes.order
    : SP.LIST_ORDER.flatMap((key) => (changes?.[key] ?? []).map((_, k) => [key, k]));
  return order.map(([key, k]) => ({ key, clause: changes?.[key]?.[k] })).filter((item) => item.clause);
};

// The popup lists the first few and says how many it left out of each kind, in the lists' words and order as the
// reports' counts say them (diff.py counts_line): "…and 80 more: 2 removed, 78 new", so that a few lines under a
// summary of 78 new clauses do not read as all there is. `left`: the items left out ({key}).
SP.CHANGES_LISTED = 8;
SP.moreLine = (left) => {
  const counts = SP.LIST_ORDER.map((key) => [key, left.filter((item) => item.key === key).length])
    .filter(([, n]) => n > 0).map(([key, n]) => `${n} ${(SP.CHANGE_WORDS[key] ?? key).toLowerCase()}`);
  return `\u2026and ${left.length} more: ${counts.join(", ")}`;
};

// The card's line over a clause that changed since the last visit: "New since 9 August 2024" for a clause added,
// "Reworded since 9 August 2024" for one reworded (the popup's "New" and "Reworded" lists, the summary's "Reworded:"),
// so that a reworded clause is not shown as new. `change` is the changes_since_last_visit list it is in.
SP.sinceLine = (change, since) => {
  const what = change === "changed" ? "Reworded" : "New";
  return since ? `${what} since ${since}` : `${what} since your last visit`;
};

// A date as every change report writes it (daemon/smallprint/report.py reader_date): "9 August 2024", the day in UTC,
// so that the popup's "Changed since your visit on ..." and the card's "New since ..." name the same day, in the
// same words, as the daemon's summary beside them ("New since 9 August 2024"), not "Aug 9, 2024" or, for a visit
// late in the evening west of Greenwich, the next day. A value that is no date is shown as it is; none gives null.
SP.MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
  "November", "December"];
SP.readableDate = (value) => {
  if (!value) return null;
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(String(value)) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(date.getTime())) return String(value);
  return `${date.getUTCDate()} ${SP.MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
};

// What a `forgotten` reply (PROTOCOL.md) says, in the words of `smallprint forget`.
SP.forgetOutcome = (forgotten) => {
  const count = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const versions = forgotten.deleted_versions ?? 0;
  let said;
  const damaged = forgotten.damaged_store;
  if (forgotten.all && damaged) {
    // a damaged history file cannot be counted: it was set aside (or deleted) and a fresh one started, and the
    // reader is told where it went, since it may still hold their history ("Nothing was remembered" said otherwise)
    said = damaged.moved_to
      ? `Your history file was damaged, so it could not be read: it was moved aside to ${damaged.moved_to} ` +
        "(delete it once you no longer need it) and a fresh one started."
      : "Your history file was damaged, so it could not be read: it was deleted and a fresh one started.";
  } else if (forgotten.all) {
    said = versions ? `Forgot everything: ${count(versions, "version")} of the policies of ` +
      `${count(forgotten.deleted_sites ?? 0, "site")} deleted.` : "Nothing was remembered.";
  } else {
    said = versions ? `Forgot ${forgotten.site}: ${count(versions, "version")} of its policies deleted.`
      : `Nothing was remembered about ${forgotten.site}.`;
  }
  return forgotten.memory_forgotten ? `${said} The pages read recently were forgotten too.` : said;
};
