// The toolbar popup: the page's summary, changes first, errors with their fix, and "Analyse this page".
// Opened as a tab (popup.html?tab=<id> or ?url=<page url>) it shows that tab's page instead of the active one.
"use strict";

const view = document.getElementById("view");
const statusLine = document.getElementById("status");
let tabId = null;
let pollTimer = null;
let polls = 0;
let nulls = 0; // consecutive polls with no state
const MAX_POLLS = 400; // 400 x 400 ms: the bridge's own time limit for one analysis is 120 s
// What the view shows now (a signature of the state it was built from): the popup looks at the tab's state every
// 400 ms while a reading runs, and rebuilds the view only when that state changed, so that focus, an opened
// "Show all" and a screen reader's place are not lost to a view rebuilt with the same content.
let shown = null;
let showAllOpen = null; // the reader's choice for "Show all", kept when the view is rebuilt

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

async function findTab() {
  const params = new URLSearchParams(location.search);
  if (params.has("tab")) return Number(params.get("tab"));
  if (params.has("url")) {
    const found = await api.runtime.sendMessage({ type: "find-tab", url: params.get("url") });
    return found?.ok ? found.tabId : null;
  }
  const [tab] = await api.tabs.query({ active: true, currentWindow: true });
  return tab?.id ?? null;
}

// A polarity's mark (✗, ✓, i), coloured; the word beside it says the same to a screen reader and to anyone who
// does not tell the colours apart.
function polarityMark(polarity) {
  return el("span", { class: `mark mark-${polarity}`, "aria-hidden": "true", text: SP.POLARITY_MARKS[polarity] ?? "·" });
}

// "✗ 2 concern · ✓ 1 protective": every polarity a practice's clauses have, each with its mark; one practice
// may hold clauses of several polarities (a key finding names one of them), so no single dot stands for it.
function countsNodes(counts) {
  const nodes = [];
  for (const p of ["concern", "protective", "neutral"].filter((p) => counts?.[p])) {
    if (nodes.length) nodes.push(" · ");
    nodes.push(el("span", { class: "count", "data-polarity": p }, polarityMark(p),
      ` ${counts[p]} ${SP.POLARITY_LABELS[p].toLowerCase()}`));
  }
  return nodes;
}

function analyseButton(label = "Analyse this page") {
  const button = el("button", { type: "button", id: "analyse", class: "primary", "data-focus": "analyse", text: label });
  button.addEventListener("click", async () => {
    button.disabled = true;
    button.textContent = "Analysing…";
    const reply = await api.tabs.sendMessage(tabId, { type: "analyse-now" }).catch((err) => ({
      ok: false, error: { code: "no_content_script", message: "This page cannot be analysed (reload it and try again)." },
    }));
    if (reply && !reply.ok && reply.error?.code === "no_content_script") {
      show(`no-content-script`, errorNodes(reply.error), "smallprint could not analyse this page.");
      return;
    }
    if (reply && !reply.ok && reply.error) {
      // refused before any state changed (an empty page): said here, or the button would stay "Analysing…"
      show(`analyse-error:${reply.error.code}`, errorNodes(reply.error), "smallprint could not analyse this page.");
      return;
    }
    shown = null; // the same state as before may come back: show it afresh, with the button reset
    refresh();
  });
  return button;
}

function errorNodes(error) {
  const box = SP.errorBox(error, undefined, { title: false }); // the live line above says the title
  box.id = "error";
  const command = box.querySelector(".fix-command"); // none for `busy` and `too_large`: nothing to type
  if (command) command.id = "fix-command";
  return [box, el("p", { class: "muted", text: "The page was left as it is." })];
}

// changes_since_last_visit from the daemon's history: what was added, removed or reworded since the last visit.
function renderChanges(changes) {
  const when = SP.readableDate(changes.previous_date); // as the summary below writes its date
  const box = el("section", { class: "changes", id: "changes" },
    el("p", { class: "kind", text: when ? `Changed since your visit on ${when}` : "Changed since your last visit" }));
  if (changes.summary) box.append(el("p", { text: changes.summary }));
  const list = el("ul", { class: "changed-clauses" });
  // one list, in the order every change view lists them (the daemon's "order": most important first, a promise no
  // longer made and a new concern leading), the first few and then how many more of each kind
  const listed = SP.inReadingOrder(changes);
  for (const { key, clause } of listed.slice(0, SP.CHANGES_LISTED)) {
    const label = SP.PRACTICE_LABELS[clause.practice] ?? "Other";
    const said = SP.changeWording(key, clause); // a promise no longer made: "✗ No longer promised: …"
    list.append(el("li", { "data-change": key, "data-practice": clause.practice ?? "" }, polarityMark(said.polarity),
      el("span", { text: ` ${said.verb}: ${label}${said.word ? ` (${said.word})` : ""}` +
        `${clause.summary ? ` — ${clause.summary}` : ""}` })));
  }
  const left = listed.slice(SP.CHANGES_LISTED);
  if (left.length) list.append(el("li", { class: "muted", "data-more": "", text: SP.moreLine(left) }));
  if (list.childElementCount) box.append(list);
  return box;
}

// What the three marks mean, in the HTML report's words.
function legend() {
  return el("ul", { class: "legend", id: "legend" }, ...["concern", "protective", "neutral"].map((p) =>
    el("li", {}, polarityMark(p), ` ${SP.POLARITY_LABELS[p]}: ${SP.POLARITY_MEANINGS[p]}`)));
}

// "Score −3.5; most weight: Sale of data −2.5 (−3 against you, +0.5 in your favour), Advertising −2, Tracking −1.5"
// (U+2212 for minus, as the report writes it). grade.reasons has one entry per clause that moved the score, and a
// practice can count both ways (a sale, and a way to opt out of it): the report lists each clause under "How the grade
// is computed"; this one line names each practice once, with its net points, and, where it counted both ways, how
// much against you and how much in your favour (the report's tally words). Heaviest first: the most points moved.
function gradeWhy(grade) {
  if (typeof grade?.score !== "number") return null;
  const round = (n) => Math.round(n * 100) / 100;
  const signed = (n) => `${n < 0 ? "\u2212" : n > 0 ? "+" : ""}${Math.abs(round(n))}`;
  const practices = new Map();
  for (const r of grade.reasons ?? []) {
    if (typeof r?.points !== "number") continue;
    const p = practices.get(r.practice) ?? { practice: r.practice, against: 0, favour: 0 };
    if (r.points < 0) p.against += r.points;
    else p.favour += r.points;
    practices.set(r.practice, p);
  }
  const heaviest = [...practices.values()]
    .sort((a, b) => (b.favour - b.against) - (a.favour - a.against)).slice(0, 3);
  const score = `Score ${signed(grade.score)}`;
  if (!heaviest.length) return `${score}: no finding moved it`;
  return `${score}; most weight: ` + heaviest.map((p) => {
    const both = p.against && p.favour ? ` (${signed(p.against)} against you, ${signed(p.favour)} in your favour)` : "";
    return `${SP.PRACTICE_LABELS[p.practice] ?? p.practice} ${signed(p.against + p.favour)}${both}`;
  }).join(", ");
}

function doneNodes(state) {
  const policy = SP.isPolicyKind(state.kind);
  const nodes = [];
  if (state.changes) nodes.push(renderChanges(state.changes));
  const letter = state.grade?.letter ?? "?";
  const summary = el("div", { class: "summary" });
  const graded = policy || state.manual;
  if (graded) {
    summary.append(el("div", { class: "grade-box" }, el("span", { class: "grade-caption", text: "Grade" }),
      el("div", { class: `grade grade-${letter}`, id: "grade", text: letter })));
    const grade = summary.querySelector("#grade");
    grade.style.backgroundColor = SP.GRADE_COLOURS[letter] ?? SP.BADGE_COLOURS.ungraded; // the badge's colours
    grade.style.color = SP.GRADE_TEXT_COLOUR;
  }
  const about = el("div", {},
    el("div", { class: "kind", id: "kind", "data-kind": state.kind, text: SP.KIND_LABELS[state.kind] ?? state.kind }),
    el("div", { class: "muted", text: `${state.highlightCount} clause${state.highlightCount === 1 ? "" : "s"} found` }));
  if (graded && state.grade?.letter) {
    about.append(el("div", { class: "muted", id: "grade-scale", text: "A is best, E is worst" }));
    // Why this letter: the score and what weighed most in it (grade.reasons: every finding that moved the score), so
    // that a B is not a bare letter; the report and the README give the whole formula.
    const why = gradeWhy(state.grade);
    if (why) about.append(el("div", { class: "muted", id: "grade-why", text: why }));
  }
  summary.append(about);
  nodes.push(summary);
  // e.g. a bilingual page whose other language was not read (analysis.unread_parts): said here; the page itself is
  // left as it is there (no shading: the reader sees which part has no highlights)
  for (const notice of state.notices ?? []) nodes.push(el("p", { class: "notice", text: notice }));
  if (state.forgotten > 0) {
    const n = state.forgotten;
    nodes.push(el("p", { class: "muted", id: "forgotten",
      text: `To stay within its storage limits, smallprint forgot ${n} older version${n === 1 ? "" : "s"} of this ` +
        "site's policies (the limits are in its config file)." }));
  }
  if (!policy && !state.manual) {
    nodes.push(el("p", { class: "muted", text: "This page does not look like a privacy policy, so nothing was highlighted." }),
      analyseButton());
  } else if (state.practices?.length) {
    // When the page has no highlight to go to, the popup's live line says why rather than leave a dead button:
    // the practice is hidden in the settings (its clauses are counted, not painted), or the page changed.
    const scrollTo = async (highlight, practice) => {
      const reply = await api.tabs.sendMessage(tabId, { type: "scroll-to", highlight }).catch(() => null);
      if (reply?.ok) return;
      const settings = await SP.loadSettings();
      const label = SP.PRACTICE_LABELS[practice] ?? practice;
      setStatus(settings.hiddenPractices.includes(practice)
        ? `${label} is hidden in your settings, so its clauses are not highlighted on the page. Tick it under ` +
          `"What to highlight" in Settings to see this clause.`
        : "That clause is no longer highlighted on the page. Reload the page to read it again.");
    };
    // The few things to know first; clicking one scrolls the page to where the policy says it.
    const keys = el("ol", { id: "key-findings" });
    for (const k of state.keyFindings ?? []) {
      // The polarity's mark and word are part of the button's name: "AI training ✗ Concern May use your posts…";
      // why it matters is shown under it (no tooltip: touch and keyboard have none), and describes the button.
      // one finding per practice and polarity: both name the element (a practice may have a concern and a promise)
      const key = `${k.practice}-${k.polarity}`;
      const why = k.why_important ? el("p", { class: "why", id: `why-${key}`, text: k.why_important }) : null;
      const button = el("button", { type: "button", "data-focus": `key:${key}` },
        el("span", { class: "label" }, SP.PRACTICE_LABELS[k.practice] ?? k.practice,
          el("span", { class: `polarity polarity-${k.polarity}` }, polarityMark(k.polarity),
            el("span", { class: "polarity-word", text: ` ${SP.POLARITY_LABELS[k.polarity] ?? k.polarity}` }))),
        el("span", { class: "counts summary-text", text: k.summary ?? "" }));
      button.addEventListener("click", () => scrollTo(k.highlights[0], k.practice));
      if (why) button.setAttribute("aria-describedby", why.id);
      keys.append(el("li", { "data-practice": k.practice, "data-polarity": k.polarity }, button, ...(why ? [why] : [])));
    }
    if (keys.childElementCount) nodes.push(el("h2", { text: "Key findings" }), keys, legend());
    if (state.grade && state.grade.letter == null && state.grade.withheld) {
      nodes.push(el("p", { class: "muted", id: "no-grade", text: state.grade.withheld }));
    }
    const list = el("ul", { id: "practices" });
    for (const p of state.practices) {
      const button = el("button", { type: "button", title: p.summary ?? "", "data-focus": `practice:${p.practice}` },
        el("span", { class: "label", text: p.label ?? SP.PRACTICE_LABELS[p.practice] ?? p.practice }),
        el("span", { class: "counts" }, ...countsNodes(p.counts)));
      button.addEventListener("click", () => scrollTo(p.strongest, p.practice));
      list.append(el("li", { "data-practice": p.practice, "data-polarity": p.polarity }, button));
    }
    // Every highlight stays reachable: "show all" lists each practice with its clauses.
    const all = el("details", { id: "show-all" },
      el("summary", { "data-focus": "show-all", text: `Show all ${state.practices.length} practice` +
        `${state.practices.length === 1 ? "" : "s"} (${state.highlightCount} clause${state.highlightCount === 1 ? "" : "s"})` }),
      list);
    all.open = showAllOpen ?? !keys.childElementCount;
    all.addEventListener("toggle", () => {
      showAllOpen = all.open;
    });
    nodes.push(all);
  } else {
    nodes.push(el("p", { class: "muted", text: "No data practices were found on this page." }));
  }
  return nodes;
}

// Which reading the view shows, in the one live line of the popup (the view itself is not live: a rebuilt view
// would be read out again whole).
function depthStatus(state) {
  if (state.depth !== "quick") return "Read in full: every sentence, by smallprint's trained reader.";
  return state.fullError ? "Quick reading shown (the full reading failed)." : "Quick reading shown; reading every sentence…";
}

function setStatus(text, depth = "") {
  if (statusLine.textContent !== text) statusLine.textContent = text; // the same words again are not announced again
  statusLine.dataset.depth = depth;
}

// Shows `nodes` unless the view already shows `signature`. The element that had focus (by its data-focus key) has it
// again in the new view, or the view itself takes it: focus never falls back to the page's body.
function show(signature, nodes, status, depth = "") {
  setStatus(status, depth);
  if (signature === shown) return;
  const active = document.activeElement;
  const hadFocus = active && view.contains(active);
  const focusKey = hadFocus ? active.closest("[data-focus]")?.dataset.focus ?? null : null;
  view.replaceChildren(...nodes);
  shown = signature;
  if (!hadFocus) return;
  const again = focusKey && [...view.querySelectorAll("[data-focus]")].find((node) => node.dataset.focus === focusKey);
  (again ?? view).focus({ preventScroll: true });
}

// The state without what changes when nothing the popup shows did (when it was read, how it was painted).
function signatureOf(state) {
  const { analysedAt, painted, replyFrames, ...shownState } = state;
  return JSON.stringify(shownState);
}

function render(state) {
  clearTimeout(pollTimer);
  if (!state || state.status === "waiting" || state.status === "pending") {
    // no content script answered several times in a row (a browser page, or one opened before the extension); one
    // brief absence (a page moving to another address) does not end the polling
    nulls = state ? 0 : nulls + 1;
    if (!state && nulls > 10) {
      show("unread", [el("p", { class: "muted", text: "smallprint has not read this page. Reload it to analyse it." })],
        "smallprint has not read this page.");
      return;
    }
    if (++polls > MAX_POLLS) return;
    show("pending", [el("p", { class: "muted", id: "pending", text: "Analysing this page…" })], "Analysing this page…");
    pollTimer = setTimeout(refresh, 400);
    return;
  }
  const signature = signatureOf(state);
  switch (state.status) {
    case "error":
      show(signature, errorNodes(state.error), SP.errorHelp(state.error.code).title);
      break;
    case "off":
      show(signature, [el("p", { class: "muted", text: "smallprint reads this page only when you ask:" }),
        analyseButton()], "Automatic analysis is off for this page.");
      break;
    case "skipped":
      show(signature, [el("p", { class: "muted", text: "This page has too little text to analyse yet." }), analyseButton()],
        "This page has too little text to analyse yet.");
      break;
    default:
      show(signature, signature === shown ? [] : doneNodes(state), depthStatus(state), state.depth ?? "full");
      // the full reading is on its way: look again shortly, so the popup shows it when it lands
      if (state.depth === "quick" && !state.fullError && ++polls <= MAX_POLLS) pollTimer = setTimeout(refresh, 400);
  }
}

async function refresh() {
  const reply = await api.runtime.sendMessage({ type: "get-state", tabId });
  render(reply?.state ?? null);
  return reply?.state ?? null;
}

async function setupSiteToggle(state) {
  const box = document.getElementById("site-auto");
  const site = SP.siteOf(state?.url ?? "");
  // A private window's sites are not written into the settings, which outlast it (the options page lists them).
  const tab = tabId === null ? null : await api.tabs.get(tabId).catch(() => null);
  if (!site || tab?.incognito) {
    box.closest("footer").hidden = true;
    return;
  }
  document.getElementById("site-name").textContent = site;
  setupForget(state, site);
  const settings = await SP.loadPageSettings();
  box.checked = settings.autoAnalyse && !SP.siteIsOff(settings, state.url);
  box.disabled = !settings.autoAnalyse;
  if (!settings.autoAnalyse) { // greyed out: say why, and where to change it
    const why = document.getElementById("site-auto-why");
    why.hidden = false;
    box.setAttribute("aria-describedby", why.id);
    if (state?.status === "off") setStatus("Automatic analysis is off for all sites (Settings).");
  }
  box.addEventListener("change", async () => {
    const now = await SP.loadPageSettings();
    // an entry covers its subdomains: turning this site on again removes the entries that cover it
    const covering = now.disabledSites.filter((entry) => SP.siteCovers(entry, site));
    const sites = now.disabledSites.filter((entry) => !covering.includes(entry));
    if (!box.checked) sites.push(site);
    await SP.saveSettings({ ...now, disabledSites: sites });
    const others = covering.filter((entry) => entry !== site);
    if (box.checked && others.length) {
      setStatus(`Automatic analysis is on again for ${site}; ${others.join(", ")} (with its subdomains) was taken ` +
        "off the list of sites where it is off.");
    }
  });
}

// "Forget this site": the daemon deletes what it remembers of the site's policies (and forgets the pages it read
// recently); the popup says how many versions went, and shows the page without its changes since the last visit.
// On a page smallprint has read only, and never in a private window (the footer is hidden there).
function setupForget(state, site) {
  const button = document.getElementById("forget-site");
  const result = document.getElementById("forget-result");
  // nothing to forget with: the helper or the service cannot be reached (the error says how to fix that first)
  if (!state || state.status === "error") return;
  document.getElementById("forget").hidden = false;
  // The accessible name starts with the visible label (WCAG 2.5.3), and says which site.
  button.setAttribute("aria-label", `Forget this site (${site}): what smallprint remembers of its policies`);
  button.addEventListener("click", async () => {
    if (button.getAttribute("aria-disabled") === "true") return; // one forget at a time; focus stays on the button
    button.setAttribute("aria-disabled", "true");
    setStatus(`Forgetting ${site}…`);
    const answer = await SP.ask({ type: "forget", site });
    const error = answer?.error ?? { code: "internal" };
    const said = answer?.ok ? SP.forgetOutcome(answer.forgotten) : SP.errorHelp(error.code, "forget this site").title;
    result.replaceChildren(answer?.ok ? el("p", { class: "muted", text: said }) : SP.errorBox(error, "forget this site"));
    result.dataset.outcome = answer?.ok ? "forgotten" : "error";
    result.hidden = false;
    shown = null; // the page's reading again, without the changes that were forgotten
    await refresh();
    setStatus(said); // the popup's one live line says it
    button.removeAttribute("aria-disabled");
  });
}

document.getElementById("open-options").addEventListener("click", () => api.runtime.openOptionsPage());

(async () => {
  tabId = await findTab();
  if (tabId === null) {
    show("no-tab", [el("p", { class: "muted", text: "smallprint works on web pages (http and https)." })],
      "smallprint works on web pages (http and https).");
    return;
  }
  const state = await refresh();
  setupSiteToggle(state);
})();
