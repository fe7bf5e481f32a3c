// The background: talks to the native host (PROTOCOL.md), keeps per-tab state, draws the toolbar badge.
// It makes no network request of its own: the only way out is the native port to the local bridge.
"use strict";

if (typeof importScripts === "function" && typeof SP === "undefined") {
  importScripts("common.js"); // Chromium service worker; Firefox loads common.js from the manifest's `scripts`
}

const REQUEST_TIMEOUT_MS = 150_000; // the bridge itself gives up after 120 s (SMALLPRINT_BRIDGE_REQUEST_TIMEOUT)

let nextRequest = 1;
const requestPrefix = Math.random().toString(36).slice(2, 8);

// ---- native messaging -------------------------------------------------------------------------------------

class NativeError extends Error {
  constructor(code, message, hint) {
    super(message);
    this.code = code;
    this.hint = hint ?? null;
  }
}

// The browser's words when the port could not be opened or died (browser-testing.md lists Chromium's).
function classifyDisconnect(text) {
  if (/not found|no such native application/i.test(text)) return "host_missing";
  if (/forbidden|not allowed|permission/i.test(text)) return "host_forbidden";
  return "host_failed";
}

// One port, shared by the requests in flight and closed after a quiet spell. Starting the bridge costs about as
// much as an analysis (a Python interpreter), so pages opened in a row reuse it; when nothing is asked for
// PORT_IDLE_MS the port closes, the bridge exits and the service worker may sleep. The bridge answers requests
// in any order and splits large replies into `part`s (PROTOCOL.md sections 2 and 4), so everything is keyed by id.
const PORT_IDLE_MS = 20_000;
let port = null;
let idleTimer = null;
const pending = new Map(); // id -> {resolve, reject, timer, chunks, frames, port: the port it was sent on}

function settle(id, fn, value) {
  const request = pending.get(id);
  if (!request) return;
  pending.delete(id);
  clearTimeout(request.timer);
  request[fn](value);
  // a port given up on (its postMessage threw: later requests went to a new one) still carries the requests sent on
  // it before; once they are answered it is closed, or its bridge would run on with nothing to do
  if (request.port && request.port !== port && !sentOn(request.port)) disconnectQuietly(request.port);
  if (!pending.size) {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(closePort, PORT_IDLE_MS);
  }
}

const sentOn = (which) => [...pending.values()].some((request) => request.port === which);

function disconnectQuietly(which) {
  try {
    which.disconnect();
  } catch {
    /* already gone */
  }
}

function closePort() {
  if (pending.size || !port) return;
  disconnectQuietly(port);
  port = null;
}

function onPortMessage(msg) {
  const request = pending.get(msg?.id);
  if (!request) return; // a reply to a request that timed out, or an error about an unreadable frame (id null)
  request.frames++;
  if (msg.type === "part") {
    request.chunks[msg.index] = msg.chunk;
    let have = 0;
    for (const c of request.chunks) if (c !== undefined) have++;
    if (have < msg.count) return;
    try {
      msg = JSON.parse(request.chunks.join(""));
    } catch (err) {
      settle(request.id, "reject", new NativeError("host_failed", `A split reply could not be reassembled: ${err.message}`));
      return;
    }
  }
  if (msg.type === "error") settle(request.id, "reject", new NativeError(msg.code, msg.message, msg.hint));
  else settle(request.id, "resolve", { reply: msg, frames: request.frames });
}

// Only the requests sent on the port that closed fail: after a postMessage threw on a dying port, a new one may
// already carry others when the old one's disconnect arrives.
function onPortDisconnect(closed) {
  const text = closed?.error?.message ?? api.runtime.lastError?.message ?? "Native host has exited.";
  if (closed === port) port = null;
  for (const [id, request] of [...pending]) {
    if (request.port === closed) settle(id, "reject", new NativeError(classifyDisconnect(text), text));
  }
}

function openPort() {
  const opened = api.runtime.connectNative(SP.HOST_NAME);
  opened.onMessage.addListener(onPortMessage);
  opened.onDisconnect.addListener(onPortDisconnect);
  return opened;
}

// Resolves to {reply, frames}: `frames` > 1 when the reply came split into `part`s.
function nativeRequest(message) {
  const id = `${requestPrefix}-${nextRequest++}`;
  clearTimeout(idleTimer);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => settle(id, "reject", new NativeError("timeout", "The smallprint helper did not answer in time.")),
      REQUEST_TIMEOUT_MS,
    );
    const request = { id, resolve, reject, timer, chunks: [], frames: 0, port: null };
    pending.set(id, request);
    try {
      port ??= openPort();
      request.port = port;
      port.postMessage({ id, ...message });
    } catch (err) {
      port = null;
      const text = String(err?.message ?? err);
      settle(id, "reject", new NativeError(classifyDisconnect(text), text));
    }
  });
}

// `busy` (PROTOCOL.md section 6, 15): the bridge holds as many requests as it takes and did nothing with this one.
// It is sent once more after a short wait, when others have likely been answered; a second `busy` is the reader's
// (the popup says to wait a moment). Once only, so that a bridge that stays full is not asked ever more often.
const BUSY_RETRY_MS = 1_500;
async function nativeRequestRetryingBusy(message) {
  try {
    return await nativeRequest(message);
  } catch (err) {
    if (err?.code !== "busy") throw err;
    await new Promise((resolve) => setTimeout(resolve, BUSY_RETRY_MS));
    return nativeRequest(message);
  }
}

// A failure as the extension's pages get it: the bridge's stable code (PROTOCOL.md section 6) or the extension's own.
const errorOf = (err) => ({ code: err.code ?? "host_failed", message: err.message, hint: err.hint ?? null });

// ---- per-tab state ----------------------------------------------------------------------------------------
// Kept in memory and mirrored to storage.session: an MV3 service worker may be stopped between events.

const tabState = new Map();
const session = api.storage.session;

async function getState(tabId) {
  if (tabState.has(tabId)) return tabState.get(tabId);
  const key = `tab:${tabId}`;
  const stored = session ? (await session.get(key))[key] : undefined;
  if (stored) tabState.set(tabId, stored);
  return stored ?? null;
}

async function setState(tabId, state) {
  tabState.set(tabId, state);
  if (session) await storeState(tabId, state);
  await drawBadge(tabId, state);
}

// storage.session holds about 10 MB in Chromium. A write it refuses must not leave the tab's previous state behind:
// after the service worker restarts, the popup would show that one (an old "pending" of the same visit). So the old
// entry goes, which also makes room, and the tab's latest state (another write may have come meanwhile; none if the
// tab closed) is tried once more. Should that fail too, the state lives in memory only: after a restart the popup
// says the page has not been read, rather than something no longer true.
async function storeState(tabId, state) {
  const key = `tab:${tabId}`;
  try {
    await session.set({ [key]: state });
  } catch (err) {
    await session.remove(key).catch(() => {});
    const latest = tabState.get(tabId);
    if (latest === undefined) return;
    try {
      await session.set({ [key]: latest });
      console.warn(`smallprint: storage.session refused tab ${tabId}'s state (${err?.message ?? err}); ` +
        "stored it again after removing the old one");
    } catch (again) {
      console.warn(`smallprint: storage.session refused tab ${tabId}'s state (${again?.message ?? again}); ` +
        "it is kept in memory only");
    }
  }
}

async function dropState(tabId) {
  tabState.delete(tabId);
  if (session) await session.remove(`tab:${tabId}`).catch(() => {});
}

// The state is what the content script of the tab's page last reported, but the tab may show another page now, one
// where no content script runs (a PDF, a browser page, an address the extension may not read) or one restored from
// the back-forward cache (its content script never started again). So the page in the tab is asked which visit it
// is (content.js makes one id per page load): the state is the tab's only if it is that visit's; otherwise it goes,
// with its badge, and the popup says that smallprint has not read this page.
async function currentState(tabId) {
  const state = await getState(tabId);
  if (!state) return null;
  const shown = await api.tabs.sendMessage(tabId, { type: "which-visit" }, { frameId: 0 }).catch(() => null);
  if (shown?.visitId && shown.visitId === state.visitId) return state;
  await dropState(tabId);
  await drawBadge(tabId, null);
  return null;
}

// Every tab's state: those in memory, and those only in storage.session (kept while the service worker slept).
async function everyState() {
  const states = new Map(tabState);
  if (session) {
    for (const [key, state] of Object.entries(await session.get(null))) {
      const tabId = Number(key.slice(4));
      if (key.startsWith("tab:") && !states.has(tabId)) states.set(tabId, state);
    }
  }
  return states;
}

// changes_since_last_visit (daemon/smallprint/history): {previous_date, added[], removed[], changed[], order[], summary, counts}
function hasChanges(changes) {
  if (!changes || typeof changes !== "object") return false;
  return ["added", "removed", "changed"].some((key) => Array.isArray(changes[key]) && changes[key].length > 0);
}

// What the popup needs: a summary, never the page's full text.
function summarise(url, title, reply, manual, frames) {
  const a = reply.analysis;
  const changes = reply.changes_since_last_visit ?? a.changes_since_last_visit ?? null;
  return {
    status: "done",
    url,
    title,
    manual,
    kind: a.kind,
    depth: a.depth ?? "full",
    language: a.language ?? null,
    notices: a.notices ?? [],
    kindConfidence: a.kind_confidence,
    kindEvidence: a.kind_evidence,
    grade: a.grade,
    keyFindings: a.key_findings ?? [],
    practices: a.practices,
    highlightCount: a.highlights.length,
    // Compact: enough to check what was painted against what was found, without the page's full text.
    highlights: a.highlights.map(({ block, start, end, text, practice, polarity }) => ({ block, start, end, text, practice, polarity })),
    contentHash: a.content_hash,
    replyFrames: frames,
    changes: hasChanges(changes) ? changes : null,
    // Older versions the daemon forgot to stay within its storage caps: the reader is told (issue 13).
    forgotten: (reply.history ?? a.history)?.forgotten_versions ?? 0,
    analysedAt: Date.now(),
  };
}

async function drawBadge(tabId, state) {
  const action = api.action;
  let text = "";
  let colour = SP.BADGE_COLOURS.ungraded;
  let title = "smallprint";
  if (state?.status === "error") {
    text = "!";
    colour = SP.BADGE_COLOURS.error;
    title = `smallprint: ${SP.errorHelp(state.error.code).title}`;
  } else if (state?.status === "done" && (SP.isPolicyKind(state.kind) || state.manual)) {
    const letter = state.grade?.letter ?? "?";
    text = state.changes ? `${letter}•` : letter;
    colour = SP.GRADE_COLOURS[letter] ?? colour;
    title = `smallprint: ${SP.KIND_LABELS[state.kind] ?? state.kind}, grade ${letter}`;
    if (state.changes) title += ", changed since your last visit";
  }
  try {
    await action.setBadgeText({ tabId, text });
    await action.setBadgeBackgroundColor({ tabId, color: colour });
    // left to itself, the browser picks the letter's colour, and not always one that reads on the grade's
    await action.setBadgeTextColor?.({ tabId, color: SP.GRADE_TEXT_COLOUR });
    await action.setTitle({ tabId, title });
  } catch {
    /* the tab went away */
  }
}

// ---- messages from the content script and the popup -------------------------------------------------------

// Whether `state` is that of the page (its url) in the visit (its page load) that `page` was read in.
const samePage = (state, page) => state?.url === page.url && state.visitId === (page.visitId ?? null);

// The content script numbers its readings of one page load (content.js `generation`), and the quick and the full
// reading of one text share a number. null where a message carries none.
const readingOf = (x) => (Number.isInteger(x?.reading) ? x.reading : null);

// Whether the tab's state `current` (of the same page load) must stay rather than take an answer (or a failure)
// for `page` at `depth`: it is a newer reading's (the page changed, or the reader asked again, since this one was
// asked: the content script drops this answer too); or it is the full reading of the same text and this is the
// quick one, which came after it (`contentHash`: the answer's, where there is one).
function superseded(current, page, depth, contentHash) {
  const mine = readingOf(page);
  const theirs = readingOf(current);
  if (mine !== null && theirs !== null && theirs > mine) return true;
  return depth === "quick" && theirs === mine && current.status === "done" && current.depth === "full"
    && (contentHash === null || current.contentHash === contentHash);
}

// `incognito`: the page is in a private window. It is analysed and painted as any other, but nothing of it may
// outlast the window: the daemon is sent neither its address, title nor visit (without an address the daemon's
// policy memory records nothing), even when the reader asked for it ("remember": false is sent too, and is the
// bridge's default anyway).
async function analyse(tabId, page, reason, depth, incognito = false) {
  const manual = reason === "manual";
  const visitId = page.visitId ?? null;
  const reading = readingOf(page);
  const title = storedText(page.title, LIMITS.MAX_STORED_TITLE_CHARS); // the daemon is sent it whole
  const previous = await getState(tabId);
  if (!(depth === "full" && previous?.status === "done" && samePage(previous, page))) {
    // the full reading replaces the quick one in place: the popup keeps showing the quick one meanwhile
    await setState(tabId, { status: "pending", url: page.url, title, manual, visitId, reading });
  }
  try {
    // "Analyse this page" is the reader's explicit wish: the daemon remembers such a page even if it is no policy.
    const request = { type: "analyze", blocks: page.blocks };
    if (incognito) request.remember = false;
    else Object.assign(request, { url: page.url, title: page.title });
    if (depth === "quick" || depth === "full") request.depth = depth;
    // the page load this reading belongs to: re-sends during it replace its version in the daemon's policy memory
    if (!incognito && typeof page.visitId === "string" && page.visitId) request.visit_id = page.visitId;
    if (manual) Object.assign(request, { remember: !incognito, as_policy: true });
    const { reply, frames } = await nativeRequestRetryingBusy(request);
    const state = { ...summarise(page.url, title, reply, manual, frames), visitId, reading };
    // A reading that arrives after the tab moved to another page (a slow full reading, an SPA navigation, a reload)
    // is not that page's: it must not put its grade on the new page's badge or its findings in the popup.
    // Nor may it bring back the state of a tab that was closed meanwhile (a private one included), or one dropped
    // because the tab shows another page (currentState): the pending state set above is there while it waits.
    const current = await getState(tabId);
    if (current && samePage(current, page) && !superseded(current, page, depth, state.contentHash)) {
      // a quick answer that comes after its full reading failed keeps saying so
      const fullFailed = depth === "quick" && current.status === "error" ? { fullError: current.error } : {};
      await setState(tabId, { ...state, ...fullFailed });
    }
    return { ok: true, analysis: reply.analysis, changes: state.changes };
  } catch (err) {
    const error = errorOf(err);
    const current = await getState(tabId);
    if (current && samePage(current, page) && superseded(current, page, depth, null)) {
      // a newer reading of the page is shown, or on its way: this one's failure is no news
    } else if (depth === "full" && current?.status === "done" && samePage(current, page)) {
      // the quick reading stays on the page; say that the full one did not come
      await setState(tabId, { ...current, fullError: error });
    } else if (current && samePage(current, page)) {
      await setState(tabId, { status: "error", url: page.url, title, manual, error, visitId, reading });
    }
    return { ok: false, error };
  }
}

// ---- limits (PROTOCOL.md section 9) -----------------------------------------------------------------------
// What one `analyze` may carry and how many may be in flight per tab, so that a page which took over its renderer
// cannot make the background, the bridge or the daemon hold memory without bound by sending huge or endless pages.
// MAX_TEXT_CHARS and MAX_BLOCKS are the daemon's own input limits (engine/blocks.py MAX_INPUT_CHARS, MAX_BLOCKS):
// content.js reads a page only up to MAX_TEXT_CHARS, so an honest page never meets them.
const LIMITS = {
  MAX_TEXT_CHARS: 2_000_000,
  MAX_BLOCKS: 200_000,
  MAX_BLOCK_ID_CHARS: 64,
  MAX_TAG_CHARS: 16,
  MAX_URL_CHARS: 65_536, // url and title each (also the url of a content script's other messages)
  MAX_VISIT_ID_CHARS: 128, // the bridge's and the daemon's (smallprint.history.store.MAX_VISIT_ID_CHARS)
  MAX_ANALYSES_PER_TAB: 4, // a quick and a full reading of a page, and of its re-send
  // What the tab's state keeps of a page's title and of why it was skipped: nothing shows more of them, and every
  // tab's state is kept in memory and in storage.session (about 10 MB in Chromium, for all tabs together).
  MAX_STORED_TITLE_CHARS: 1_024,
  MAX_STORED_REASON_CHARS: 200,
};
const analysesInFlight = new Map(); // tabId -> count

// Why the page of an `analyze` is refused ({code: "too_large", message}), or null when it is within the limits.
function oversized(page) {
  const refuse = (what) => ({ code: "too_large", message: `The page is too large to analyse: ${what}.` });
  const blocks = page?.blocks;
  if (!Array.isArray(blocks)) return { code: "bad_request", message: "`blocks` must be an array" };
  if (blocks.length > LIMITS.MAX_BLOCKS) return refuse(`more than ${LIMITS.MAX_BLOCKS} blocks`);
  let chars = 0;
  for (const block of blocks) {
    if (typeof block?.text !== "string" || typeof block.id !== "string") {
      return { code: "bad_request", message: "each block needs a string `id` and a string `text`" };
    }
    chars += block.text.length;
    if (chars > LIMITS.MAX_TEXT_CHARS) return refuse(`more than ${LIMITS.MAX_TEXT_CHARS} characters of text`);
    if (block.id.length > LIMITS.MAX_BLOCK_ID_CHARS) return refuse(`a block id over ${LIMITS.MAX_BLOCK_ID_CHARS} characters`);
    if (block.tag != null && (typeof block.tag !== "string" || block.tag.length > LIMITS.MAX_TAG_CHARS)) {
      return refuse(`a block tag that is not a string of at most ${LIMITS.MAX_TAG_CHARS} characters`);
    }
  }
  for (const key of ["url", "title"]) {
    const value = page[key];
    if (value != null && (typeof value !== "string" || value.length > LIMITS.MAX_URL_CHARS)) {
      return refuse(`a ${key} that is not a string of at most ${LIMITS.MAX_URL_CHARS} characters`);
    }
  }
  if (page.visitId != null && !isVisitId(page.visitId)) {
    return refuse(`a visitId that is not a string of 1 to ${LIMITS.MAX_VISIT_ID_CHARS} characters`);
  }
  return null;
}

const isVisitId = (value) => typeof value === "string" && value.length > 0 && value.length <= LIMITS.MAX_VISIT_ID_CHARS;

// A string kept in a tab's state, cut to `max` characters; anything else is kept as null.
const storedText = (value, max) => (typeof value === "string" ? value.slice(0, max) : null);

// What a `painted` message may put in the tab's state: content.js's report (reportPainted: counts and milliseconds,
// the reading's depth, and the quick paint's own report as `first`), nothing else a content script adds to it.
const PAINT_REPORT_NUMBERS = ["marks", "highlights", "msSinceLoad", "extractMs", "roundTripMs", "paintMs", "backgroundMs"];
function paintReport(report, withFirst = true) {
  if (!report || typeof report !== "object") return null;
  const kept = {};
  for (const key of PAINT_REPORT_NUMBERS) {
    if (Number.isFinite(report[key]) || report[key] === null) kept[key] = report[key];
  }
  if (report.depth === "quick" || report.depth === "full") kept.depth = report.depth;
  if (withFirst && report.first) kept.first = paintReport(report.first, false);
  return kept;
}

// analyse(), within the limits: a page over them, or one more analysis than a tab may have in flight, is answered
// with an error and changes nothing (the tab's state stays as it was; nothing goes to the bridge).
async function analyseWithin(tabId, page, reason, depth, incognito) {
  const refused = oversized(page);
  if (refused) return { ok: false, error: refused };
  const running = analysesInFlight.get(tabId) ?? 0;
  if (running >= LIMITS.MAX_ANALYSES_PER_TAB) {
    return { ok: false, error: { code: "busy", message: `This tab already has ${running} analyses in flight ` +
      `(at most ${LIMITS.MAX_ANALYSES_PER_TAB}); try again when they are done.` } };
  }
  analysesInFlight.set(tabId, running + 1);
  try {
    return await analyse(tabId, page, reason, depth, incognito);
  } finally {
    const left = (analysesInFlight.get(tabId) ?? 1) - 1;
    if (left > 0) analysesInFlight.set(tabId, left);
    else analysesInFlight.delete(tabId);
  }
}

// ---- the per-site "off" list ----------------------------------------------------------------------------------
// The hostnames where the reader turned automatic analysis off say which sites they visit, so they are kept where
// no content script can read them (a page that took over its renderer could read storage.local, which content scripts
// can always read in Chromium): in this extension's own IndexedDB, which only its own pages and this background
// reach, in Chromium and Firefox alike (storage.session would be restricted too, but it is forgotten when the browser
// closes). A content script asks "site-off" for its own page; the popup and the options page read and write the list
// through the background ("disabled-sites", "set-disabled-sites"); `sitesRevision` in storage.local (a random value,
// no site in it) changes with the list so that open pages ask again. A list an earlier version kept in
// storage.local's settings is moved here (merged with what is here) before the list is next read or written.
const MAX_DISABLED_SITES = 10_000;

function sitesTransaction(mode, act) {
  return new Promise((resolve, reject) => {
    const opening = indexedDB.open("smallprint", 1);
    opening.onupgradeneeded = () => opening.result.createObjectStore("lists");
    opening.onerror = () => reject(opening.error);
    opening.onsuccess = () => {
      const db = opening.result;
      const tx = db.transaction("lists", mode);
      const request = act(tx.objectStore("lists"));
      tx.oncomplete = () => {
        db.close();
        resolve(request.result);
      };
      tx.onerror = tx.onabort = () => {
        db.close();
        reject(tx.error);
      };
    };
  });
}

// Firefox gives an extension no IndexedDB where every window is private ("Never remember history": the background is
// private too; measured: "A mutation operation was attempted on a database that did not allow mutations"). There
// the list stays where earlier versions kept it, in storage.local's settings, as readable as it was then.
let indexedDbWorks = null;
async function sitesInIndexedDb() {
  indexedDbWorks ??= sitesTransaction("readonly", (store) => store.count()).then(() => true, () => false);
  return indexedDbWorks;
}

async function readSites() {
  if (!(await sitesInIndexedDb())) return (await SP.loadSettingsWithSites()).disabledSites;
  return (await sitesTransaction("readonly", (store) => store.get("disabledSites"))) ?? [];
}

async function writeSites(sites) {
  if (await sitesInIndexedDb()) return sitesTransaction("readwrite", (store) => store.put(sites, "disabledSites"));
  const { settings } = await api.storage.local.get("settings");
  return api.storage.local.set({ settings: { ...(settings ?? {}), disabledSites: sites } });
}

async function migrateSites() {
  const old = (await api.storage.local.get("settings")).settings?.disabledSites;
  if (old === undefined || !(await sitesInIndexedDb())) return;
  const sites = await readSites();
  const moved = Array.isArray(old) ? old.filter((site) => typeof site === "string" && !sites.includes(site)) : [];
  if (moved.length) await writeSites([...sites, ...moved]);
  // read again: an extension page may have saved other settings meanwhile
  const { disabledSites, ...settings } = (await api.storage.local.get("settings")).settings ?? {};
  await api.storage.local.set({ settings });
}

// Runs `fn` once any list left in storage.local has been moved; one at a time, so that two writes do not interleave.
let sitesQueue = Promise.resolve();
function withSites(fn) {
  const run = sitesQueue.then(migrateSites).then(fn);
  sitesQueue = run.catch(() => {});
  return run;
}
withSites(() => null); // move an earlier version's list as soon as the background starts

async function setDisabledSites(sites) {
  const valid = Array.isArray(sites) && sites.length <= MAX_DISABLED_SITES &&
    sites.every((site) => typeof site === "string" && site.length > 0 && site.length <= 300);
  if (!valid) return { ok: false, error: { code: "bad_request", message: "not a list of sites" } };
  return withSites(async () => {
    const before = await readSites();
    if (before.length !== sites.length || before.some((site, i) => site !== sites[i])) {
      await writeSites(sites);
      await api.storage.local.set({ sitesRevision: Math.random().toString(36).slice(2) });
    }
    return { ok: true };
  });
}

// ---- forgetting -------------------------------------------------------------------------------------------------
// The reader asks the daemon to forget one site's remembered policies (`site`: the page's host, which the daemon
// reduces to its site) or everything (`all`). Only the extension's own pages may ask: `forget` is not among the
// messages a content script may send (CONTENT_MESSAGES), so a page that took over its renderer cannot wipe the
// reader's history. Private windows never offer it (their pages are not remembered in the first place).
async function forget(msg) {
  const all = msg.all === true;
  const site = typeof msg.site === "string" && msg.site ? msg.site : null;
  if (all === (site !== null)) {
    return { ok: false, error: { code: "bad_request", message: "a forget names one site, or all of them" } };
  }
  try {
    const { reply } = await nativeRequest(all ? { type: "forget", all: true } : { type: "forget", site });
    await dropChanges(all ? null : reply.site);
    return { ok: true, forgotten: reply };
  } catch (err) {
    return { ok: false, error: errorOf(err) };
  }
}

// Once a site is forgotten, no version of its policy is left to have changed since: its tabs (every tab, for
// `all`) keep their reading without the "changes since your last visit", their badges lose the mark, and their
// pages drop the outlines of the clauses that were new (content.js).
async function dropChanges(site) {
  const ofSite = (url) => {
    const host = SP.siteOf(url ?? "").replace(/^\[(.*)\]$/, "$1"); // an IPv6 address is its site without brackets
    return site === null || host === site || host.endsWith(`.${site}`);
  };
  for (const tabId of (await everyState()).keys()) {
    const state = await getState(tabId); // as it is now, not as it was when the forget began
    if (!state?.changes || !ofSite(state.url)) continue;
    await setState(tabId, { ...state, changes: null });
    await api.tabs.sendMessage(tabId, { type: "forgotten" }, { frameId: 0 }).catch(() => null);
  }
}

// ---- who sent a message ------------------------------------------------------------------------------------
// The extension's own pages (the popup, the options page, in a tab or not) may ask about any tab. A content script
// speaks for its own tab only: its tab is the browser's (`sender`), never the message's, and so is its page's origin,
// so that a page which took over its renderer can neither write another tab's state nor put another site's address
// into the daemon's policy memory; and it may only send what content.js sends.
const CONTENT_MESSAGES = new Set(["page", "analyze", "painted", "skipped", "site-off"]);

const fromExtensionPage = (sender) =>
  sender.id === api.runtime.id && typeof sender.url === "string" && sender.url.startsWith(api.runtime.getURL(""));

const originOf = (url) => {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
};

// {tabId, url, incognito} of a content script's message, or null when it is refused: not our content script in the
// top frame of a tab, a message content scripts do not send, or an address on another origin than its frame's.
// The browser's `sender.url` is the document's address when it loaded: a single-page app's history.pushState moves
// the address (within its origin only) without changing it, so the address within the origin is the message's.
function contentSender(msg, sender) {
  // (a prerendered page's outermost frame has another frameId than 0 until it is shown: its frameType says which)
  const top = sender.frameId === 0 || sender.frameType === "outermost_frame";
  if (sender.id !== api.runtime.id || !sender.tab || !top || !CONTENT_MESSAGES.has(msg?.type)) {
    return null;
  }
  const frame = sender.url ?? sender.tab.url;
  const claimed = msg.type === "analyze" ? msg.page?.url : msg.url;
  const url = typeof claimed === "string" ? claimed : frame;
  const origin = originOf(frame);
  if (!origin || origin === "null" || originOf(url) !== origin) return null;
  return { tabId: sender.tab.id, url, incognito: Boolean(sender.tab.incognito) };
}

// Which tab and page a message is about: a content script's own (contentSender), or the one an extension page
// names; null when the message is refused.
async function subjectOf(msg, sender) {
  if (!fromExtensionPage(sender)) return contentSender(msg, sender);
  const tab = msg.type === "analyze" ? await api.tabs.get(msg.tabId).catch(() => null) : null;
  return { tabId: msg.tabId, url: msg.type === "analyze" ? msg.page?.url : msg.url, incognito: Boolean(tab?.incognito) };
}

async function handle(msg, sender) {
  const subject = await subjectOf(msg, sender);
  if (!subject) return { ok: false, error: { code: "refused", message: "not a message this sender may send" } };
  const { tabId, url } = subject;
  if (msg.type !== "analyze" && typeof url === "string" && url.length > LIMITS.MAX_URL_CHARS) {
    // (an `analyze` gets oversized()'s answer)
    return { ok: false, error: { code: "too_large", message: `an address over ${LIMITS.MAX_URL_CHARS} characters` } };
  }
  switch (msg.type) {
    case "page": // a content script started on a new page (or the page navigated without reloading, or came back
      // from the back-forward cache)
      await setState(tabId, { status: msg.auto ? "waiting" : "off", url,
                              title: storedText(msg.title, LIMITS.MAX_STORED_TITLE_CHARS),
                              visitId: isVisitId(msg.visitId) ? msg.visitId : null });
      return { ok: true };
    case "analyze":
      return analyseWithin(tabId, { ...msg.page, url }, msg.reason, msg.depth, subject.incognito);
    case "painted": {
      const state = await getState(tabId);
      if (state && state.url === url) await setState(tabId, { ...state, painted: paintReport(msg.painted) });
      return { ok: true };
    }
    case "skipped": {
      const state = await getState(tabId);
      if (state) {
        await setState(tabId, { ...state, status: "skipped", reason: storedText(msg.reason, LIMITS.MAX_STORED_REASON_CHARS) });
      }
      return { ok: true };
    }
    case "site-off": // a content script: is automatic analysis off for its own page's site? (nothing else is said)
      return { ok: true, off: SP.siteIsOff({ disabledSites: await withSites(readSites) }, url) };
    case "disabled-sites": // the popup, the options page (content scripts: refused)
      return { ok: true, sites: await withSites(readSites) };
    case "set-disabled-sites": // the popup's per-site switch, the options page's list (content scripts: refused)
      return setDisabledSites(msg.sites);
    case "get-state": // the popup: the state of the page now in the tab, or null
      return { ok: true, tabId, state: await currentState(tabId) };
    case "find-tab": // the popup opened in a tab of its own (tests, or "open in tab"): which tab shows `url`?
      for (const [id, state] of await everyState()) if (state?.url === msg.url) return { ok: true, tabId: id };
      return { ok: false };
    case "ping-host":
      try {
        const { reply } = await nativeRequest({ type: "ping", extension_version: api.runtime.getManifest().version });
        return { ok: true, reply };
      } catch (err) {
        return { ok: false, error: errorOf(err) };
      }
    case "forget": // the popup's "Forget this site", the options page's "Forget everything" (content scripts: refused)
      return forget(msg);
    default:
      return { ok: false, error: { code: "unknown_message", message: `unknown message ${msg.type}` } };
  }
}

api.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  handle(msg, sender).then(sendResponse, (err) =>
    sendResponse({ ok: false, error: { code: "internal", message: String(err?.message ?? err) } }),
  );
  return true; // the answer comes asynchronously
});

api.tabs.onRemoved.addListener((tabId) => {
  dropState(tabId);
});
