// Options: automatic analysis on/off (globally and per site), which practices to highlight, and forgetting
// everything smallprint remembers.
"use strict";

const $ = (id) => document.getElementById(id);
let settings = null; // what the page shows: the stored settings, read again whenever they change

// `change(now)` gives the keys the reader changed, from the settings as they are stored now, not as this page last
// read them: the popup may have turned a site off since (its per-site switch), and writing back this page's copy
// whole would silently turn it on again.
// "Saved." is said in the changed control's section (`where`: its status line), and goes after a few seconds.
const savedTimers = {};
async function save(change, where) {
  const now = await SP.loadPageSettings();
  settings = { ...now, ...change(now) };
  await SP.saveSettings(settings);
  const line = $(`saved-${where}`);
  line.textContent = "Saved.";
  clearTimeout(savedTimers[where]);
  savedTimers[where] = setTimeout(() => { line.textContent = ""; }, 5000);
  render();
}

function render() {
  $("auto").checked = settings.autoAnalyse;
  $("paint-all").checked = settings.paintAll;
  const list = $("sites");
  list.replaceChildren();
  if (!settings.disabledSites.length) {
    const none = document.createElement("li");
    none.className = "muted";
    none.textContent = "None";
    list.append(none);
  }
  for (const site of settings.disabledSites) {
    const item = document.createElement("li");
    item.textContent = site;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = "Remove";
    // The accessible name starts with the visible label (WCAG 2.5.3: "click Remove" must work for voice control).
    remove.setAttribute("aria-label", `Remove ${site} (turn automatic analysis back on for it)`);
    remove.addEventListener("click", () =>
      save((now) => ({ disabledSites: now.disabledSites.filter((s) => s !== site) }), "auto"));
    item.append(remove);
    list.append(item);
  }
  const hidden = new Set(settings.hiddenPractices);
  for (const box of $("practices").querySelectorAll("input")) box.checked = !hidden.has(box.value);
}

function buildPractices() {
  const grid = $("practices");
  for (const [id, label] of SP.PRACTICES) {
    const row = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.value = id;
    box.addEventListener("change", () => save((now) => {
      const hidden = new Set(now.hiddenPractices);
      if (box.checked) hidden.delete(id);
      else hidden.add(id);
      return { hiddenPractices: [...hidden] };
    }, "highlight"));
    row.append(box, ` ${label}`);
    grid.append(row);
  }
}

$("auto").addEventListener("change", (e) => save(() => ({ autoAnalyse: e.target.checked }), "auto"));
$("paint-all").addEventListener("change", (e) => save(() => ({ paintAll: e.target.checked }), "highlight"));

// "Add a site": a host name or an address (a pasted page address gives its host); anything else is refused with
// why, under the field and tied to it (aria-invalid, aria-describedby), and nothing is stored.
function siteError(message) {
  const input = $("new-site");
  $("new-site-error").textContent = message ?? "";
  $("new-site-error").hidden = !message;
  if (message) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

$("new-site").addEventListener("input", () => siteError(null));
$("add-site").addEventListener("submit", (e) => {
  e.preventDefault();
  const { site, error } = SP.siteFromInput($("new-site").value);
  if (error) {
    siteError(error);
    $("new-site").focus();
    return;
  }
  siteError(null);
  $("new-site").value = "";
  save((now) => ({
    disabledSites: now.disabledSites.includes(site) ? now.disabledSites : [...now.disabledSites, site],
  }), "auto");
});

// "Forget everything smallprint remembers" takes a second, deliberate click: the first shows what it does, with
// "Yes, forget everything" and "Cancel" (Escape cancels too); the outcome, or what failed and its fix, is said under.
function closeConfirm() {
  $("forget-confirm").hidden = true;
  $("forget-all").setAttribute("aria-expanded", "false");
  $("forget-all").focus();
}

$("forget-all").addEventListener("click", () => {
  $("forget-confirm").hidden = false;
  $("forget-all").setAttribute("aria-expanded", "true");
  $("forget-all-yes").focus();
});
$("forget-all-no").addEventListener("click", closeConfirm);
$("forget-confirm").addEventListener("keydown", (e) => {
  if (e.key === "Escape") closeConfirm();
});
$("forget-all-yes").addEventListener("click", async () => {
  const yes = $("forget-all-yes");
  const result = $("forget-result");
  if (yes.getAttribute("aria-disabled") === "true") return; // one forget at a time
  yes.setAttribute("aria-disabled", "true");
  result.replaceChildren("Forgetting…");
  const answer = await SP.ask({ type: "forget", all: true });
  yes.removeAttribute("aria-disabled");
  result.dataset.outcome = answer?.ok ? "forgotten" : "error";
  result.replaceChildren(answer?.ok ? SP.forgetOutcome(answer.forgotten)
    : SP.errorBox(answer?.error ?? { code: "internal" }, "forget what it remembers"));
  closeConfirm();
});

// The settings changed elsewhere (the popup's per-site switch, this page open in another tab): show them as they are.
// (The list of sites is the background's: `sitesRevision` in storage.local changes when it does.)
api.storage.onChanged.addListener(async (changes, area) => {
  if (area !== "local" || !(changes.settings || changes.sitesRevision) || !settings) return;
  settings = await SP.loadPageSettings();
  render();
});

(async () => {
  settings = await SP.loadPageSettings();
  buildPractices();
  render();
})();
