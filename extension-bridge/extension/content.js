// The content script: reads the page's visible text as blocks, sends it for analysis, and paints highlights.
// Painting never parses markup: text nodes are split and wrapped in elements made with createElement, and
// every card is built from textContent. On pages that are not policies (and on any error) the DOM is untouched.
"use strict";

(() => {
  if (globalThis.__smallprintContent) return; // injected twice (e.g. extension reloaded): keep the first
  globalThis.__smallprintContent = true;

  const MARK_TAG = "smallprint-mark";
  const CARD_TAG = "smallprint-card";
  // Elements whose text is not reading text, or is not shown as text.
  const SKIP_ELEMENTS = new Set([
    "script", "style", "noscript", "template", "head", "title", "meta", "link", "textarea", "input", "select",
    "option", "button", "iframe", "object", "embed", "canvas", "svg", "math", "video", "audio", "picture", "img",
    CARD_TAG,
  ]);
  // Page chrome that is not the document: dialogs and consent banners. A cookie-consent dialog read as the page's text
  // made a "Page not found" page a graded cookie policy, and a banner's sentence a painted clause of a real policy.
  // Such a subtree is not read (so neither sent nor painted): role dialog/alertdialog, aria-modal="true", <dialog>,
  // and the containers of common consent-management platforms, matched as a whole id or class (lower-cased), never as
  // part of one: a policy's own "cookie-policy" section is read. Fixed positioning alone is not a sign of chrome (some
  // sites show the whole policy in a fixed full-screen container).
  const CHROME_ROLES = new Set(["dialog", "alertdialog"]);
  const CONSENT_NAMES = new Set([
    "onetrust-consent-sdk", "onetrust-banner-sdk", "onetrust-pc-sdk", // OneTrust
    "cybotcookiebotdialog", "cookiebotwidget", // Cookiebot
    "didomi-host", "didomi-notice", "didomi-popup", // Didomi
    "qc-cmp2-container", // Quantcast Choice
    "truste-consent-track", "consent_blackbar", "truste_box_overlay", // TrustArc
    "osano-cm-window", "osano-cm-dialog", // Osano
    "usercentrics-root", "usercentrics-cmp-ui", // Usercentrics
    "cookie-banner", "cookie_banner", "cookiebanner", "cookie-consent", "cookie_consent", "cookieconsent", // generic
  ]);
  function isPageChrome(element) {
    if (element.localName === "dialog") return true; // a closed one is not rendered anyway
    if (element.getAttribute("aria-modal") === "true") return true;
    const role = element.getAttribute("role");
    if (role && role.toLowerCase().split(/\s+/).some((r) => CHROME_ROLES.has(r))) return true;
    if (element.id && CONSENT_NAMES.has(element.id.toLowerCase())) return true;
    for (const name of element.classList) if (CONSENT_NAMES.has(name.toLowerCase())) return true;
    return false;
  }
  // Displays that keep an element inside the surrounding line; any other display starts a block of its own.
  const INLINE_DISPLAYS = new Set(["inline", "inline-block", "inline-flex", "inline-grid", "contents", "ruby", "ruby-text"]);
  const MIN_AUTO_CHARS = 80; // pages with less text are app shells or still loading: wait for more
  // The daemon reads at most 2,000,000 characters of block text (engine/blocks.py MAX_INPUT_CHARS) and refuses more:
  // a longer page is read up to here (counted word by word, so one huge <pre> is cut too), not refused.
  const MAX_TOTAL_CHARS = 2_000_000;
  const MUTATION_DEBOUNCE_MS = 600;
  const MAX_RESENDS_PER_PAGE = 8; // late-loading text: re-sends after the first one, per URL
  const MAX_PAGES = 30; // SPA navigations analysed per document
  const MAX_RECHECKS_PER_PAGE = 60; // re-reads of a page whose DOM keeps changing (a ticker): then only the URL is watched
  // Each polarity has a line style of its own, kept when painted quietly, so that polarity never rests on hue alone
  // (red and green look alike to many readers): concern solid, protective double, neutral dotted, as in the HTML
  // report (daemon/smallprint/report.py). A double line shows as double from 3px on. Key findings are filled; the
  // other clauses are quiet: no fill, and a thinner line where the style allows it.
  const POLARITY_STYLES = {
    // `line` shows on light pages (>= 5:1 on white), `lightLine` on dark ones (>= 7:1 on #1e1e1e); either is taken
    // darker or lighter where the page's background needs it (linesOn). `bg`: a key finding's fill.
    concern: { bg: "#ffe0de", line: "#c62828", lightLine: "#ff8a80", style: "solid", width: 2, quietWidth: 1 },
    protective: { bg: "#dcf3df", line: "#2e7d32", lightLine: "#81c995", style: "double", width: 3, quietWidth: 3 },
    neutral: { bg: "#e4eaf4", line: "#546e8a", lightLine: "#aebfd4", style: "dotted", width: 2, quietWidth: 1 },
  };

  let settings = { ...SP.DEFAULT_SETTINGS };
  // The page's address without its fragment: following a contents link ("#sharing") is not a navigation to another
  // page, and must neither re-read the page nor count towards MAX_PAGES.
  const pageAddress = () => location.href.split("#")[0];
  let pageUrl = pageAddress();
  let manualPage = null; // the address the reader asked to analyse ("Analyse this page"), while they stay on it
  let pagesSeen = 1;
  // One visit: this page load, or one page of a single-page app. Every reading sent during it names it, so that the
  // daemon's policy memory replaces the visit's own earlier text when the page is re-sent (late text, a cookie
  // banner) and keeps comparing with the version remembered before the visit (PROTOCOL.md, analyze `visit_id`).
  // Random (crypto.randomUUID needs a secure context; plain-http pages have none).
  const newVisitId = () => Array.from(crypto.getRandomValues(new Uint8Array(16)),
    (b) => b.toString(16).padStart(2, "0")).join("");
  let visitId = newVisitId();
  let resends = 0;
  let rechecks = 0;
  let lastSentHash = null;
  let generation = 0; // bumps with every extraction sent; a late answer to an older one is dropped
  let currentBlocks = null; // Map id -> block of the extraction that was last sent
  let painted = { marks: [], byHighlight: new Map(), analysis: null };
  let lastPainted = null; // {analysis, changes}: to repaint when the reader changes which practices to show
  let observer = null;
  let debounceTimer = null;
  let painting = false;
  // Shadow roots the reading walked into: observed for late text like the document body (a MutationObserver on
  // the body does not see inside them).
  const shadowRoots = new Set();
  const OBSERVED = { childList: true, subtree: true, characterData: true };

  // ---- reading the page --------------------------------------------------------------------------------------

  // Blocks in reading order. Each keeps its text nodes as segments {node, nodeStart, blockStart, length} so that
  // offsets into the block's (whitespace-collapsed) text map back to the DOM.
  function extractBlocks() {
    const blocks = [];
    let current = null;
    let total = 0;
    let full = false; // MAX_TOTAL_CHARS reached: the rest of the page is not read

    const closeBlock = () => {
      if (current && current.parts.length) {
        current.text = current.parts.join("");
        delete current.parts;
        current.id = `b${blocks.length}`;
        blocks.push(current);
        total += current.text.length;
      }
      current = null;
    };

    const addText = (node, owner) => {
      if (!current || current.owner !== owner) {
        closeBlock();
        current = { owner, tag: owner.localName, parts: [], length: 0, segments: [], pendingSpace: false };
      }
      const data = node.data;
      const words = /[^ \t\n\r\f]+/g;
      let lastEnd = 0;
      let m;
      while ((m = words.exec(data))) {
        if (total + current.length + m[0].length + 1 > MAX_TOTAL_CHARS) {
          full = true;
          return;
        }
        const spaced = (m.index > lastEnd || current.pendingSpace) && current.length > 0;
        if (spaced) { // a collapsed run of white space: one space in the block's text
          current.parts.push(" ");
          current.length += 1;
        }
        const prev = current.segments[current.segments.length - 1];
        if (spaced && !current.pendingSpace && prev && prev.node === node && m.index - lastEnd === 1 && data[lastEnd] === " ") {
          prev.length += 1 + m[0].length; // a single plain space: the mapping stays one contiguous segment
        } else {
          current.segments.push({ node, nodeStart: m.index, blockStart: current.length, length: m[0].length });
        }
        current.pendingSpace = false;
        current.parts.push(m[0]);
        current.length += m[0].length;
        lastEnd = m.index + m[0].length;
      }
      if (lastEnd < data.length) current.pendingSpace = true; // trailing (or only) white space
    };

    const walk = (element, owner, visible) => {
      for (const child of renderedChildren(element)) {
        if (full) return;
        if (child.nodeType === Node.TEXT_NODE) {
          if (visible && child.data.length) addText(child, owner);
          continue;
        }
        if (child.nodeType !== Node.ELEMENT_NODE) continue;
        const name = child.localName;
        if (SKIP_ELEMENTS.has(name) || isPageChrome(child)) continue;
        if (name === "br") {
          if (current && current.owner === owner) current.pendingSpace = true;
          continue;
        }
        if (name === MARK_TAG) { // our own highlight: inline, and visible whenever its parent is
          walk(child, owner, visible);
          continue;
        }
        const style = getComputedStyle(child);
        if (style.display === "none") continue;
        const childVisible = style.visibility === "visible" && style.contentVisibility !== "hidden";
        if (INLINE_DISPLAYS.has(style.display)) {
          walk(child, owner, childVisible);
        } else {
          closeBlock();
          walk(child, child, childVisible);
          closeBlock();
        }
      }
    };

    const body = document.body;
    if (body) {
      const style = getComputedStyle(body);
      if (style.display !== "none") walk(body, body, style.visibility === "visible");
    }
    closeBlock();
    return blocks;
  }

  // The nodes an element renders, in order: a shadow host shows its (open) shadow tree, not its own children; a
  // <slot> shows the light-DOM nodes assigned to it, or its fallback content when none are. Closed shadow roots are
  // out of a content script's reach.
  function renderedChildren(element) {
    if (element.shadowRoot) {
      if (!shadowRoots.has(element.shadowRoot)) {
        shadowRoots.add(element.shadowRoot);
        if (observer && !painting) observer.observe(element.shadowRoot, OBSERVED); // late text in there counts too
      }
      return element.shadowRoot.childNodes;
    }
    if (element.localName === "slot" && typeof element.assignedNodes === "function") {
      const assigned = element.assignedNodes({ flatten: true });
      if (assigned.length) return assigned;
    }
    return element.childNodes;
  }

  // A fast 53-bit string hash (cyrb53): enough to notice that the text did not change. crypto.subtle is not
  // available on plain-http pages.
  function hashText(strings) {
    let h1 = 0xdeadbeef;
    let h2 = 0x41c6ce57;
    for (const s of strings) {
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        h1 = Math.imul(h1 ^ c, 2654435761);
        h2 = Math.imul(h2 ^ c, 1597334677);
      }
      h1 = Math.imul(h1 ^ 0x1f, 2654435761); // block separator
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return 4294967296 * (2097151 & h2) + (h1 >>> 0);
  }

  // ---- talking to the background ---------------------------------------------------------------------------

  const send = (msg) => api.runtime.sendMessage(msg).catch(() => null); // the extension may be reloading

  // Whether the reader turned automatic analysis off for this site. The list of such sites is the background's
  // alone (content scripts cannot read where it keeps it), so it is asked, for this page only. Off until it answers,
  // and when it cannot: a site the reader turned off is never read by mistake.
  let siteOff = true;
  async function askSiteOff() {
    const reply = await send({ type: "site-off", url: location.href });
    siteOff = reply?.ok ? reply.off === true : true;
  }

  function autoEnabled() {
    return settings.autoAnalyse && !siteOff;
  }

  async function analysePage(reason) {
    const started = performance.now();
    // the page rewrote text that painting had split: its old parts go before the page is read (dropStaleSplits)
    if (rewrittenSplits().length) unpaint();
    const blocks = extractBlocks();
    const extracted = performance.now();
    const texts = blocks.map((b) => b.text);
    const hash = hashText([pageAddress(), ...texts]);
    const chars = texts.reduce((n, t) => n + t.length, 0);
    if (reason !== "manual") { // "auto", or "manual-again": a re-check of a page the reader asked to analyse
      if (hash === lastSentHash) return null; // never the same content twice
      if (chars < MIN_AUTO_CHARS) {
        send({ type: "skipped", url: location.href, reason: "too little text" });
        return null;
      }
    } else if (!chars) {
      return { ok: false, error: { code: "empty_page", message: "This page has no text to analyse." } };
    }
    lastSentHash = hash;
    const mine = ++generation;
    const page = {
      url: location.href,
      title: document.title || null,
      visitId,
      reading: mine, // shared by this text's quick and full reading: the background keeps the newest's state
      blocks: blocks.map((b) => ({ id: b.id, text: b.text, tag: b.tag })),
    };
    // Two readings of the same blocks: the quick one (the rules) paints at once; the full one (the learned
    // reader) replaces it when it arrives. Both answer in one schema; `analysis.depth` says which one it is.
    // One after the other, not at once: asked together they share the cores, and on two cores both came later
    // (bench_paint, 2026-12-06). The daemon's policy memory keeps the text of a visit's latest-asked reading however
    // the answers are ordered (PROTOCOL.md, `visit_id`), and the background keeps the newest reading's state.
    let first = null;
    let analysis = null;
    for (const depth of ["quick", "full"]) {
      const asked = reason === "manual-again" ? "manual" : reason;
      let reply = await send({ type: "analyze", page, reason: asked, depth });
      if (reply === null && mine === generation) {
        // No answer at all: the background was stopped mid-request (an MV3 service worker can be). Ask once more.
        reply = await send({ type: "analyze", page, reason: asked, depth });
      }
      // `busy`: the tab's other analyses fill its share (background.js MAX_ANALYSES_PER_TAB), or the bridge's queue
      // is full; nothing was done with this one. Those in flight may be older versions of this page, whose answers
      // are dropped when they come, so this version, the latest, waits its turn (a growing wait, about 15 s in all)
      // rather than give up: it is never sent again by itself (the same text is not re-read automatically).
      for (let wait = 500; reply?.error?.code === "busy" && mine === generation && wait <= 8000; wait *= 2) {
        await new Promise((resolve) => setTimeout(resolve, wait));
        if (mine !== generation) return null;
        reply = await send({ type: "analyze", page, reason: asked, depth });
      }
      if (mine !== generation) return null; // the page changed meanwhile; a newer request is on its way
      if (!reply?.ok) {
        if (depth === "quick") continue; // the full reading may still come
        if (analysis) break; // keep the quick highlights rather than none
        return reply; // host missing, daemon down...: the page stays untouched
      }
      analysis = reply.analysis;
      if (asked === "manual" || SP.isPolicyKind(analysis.kind)) {
        let paintBlocks = blocks;
        let focus = null;
        if (painted.marks.length) {
          // The quick paint split the text nodes this extraction points at: undo it, read the page again, and
          // paint the full reading only over the same text (a changed page gets a new analysis anyway).
          focus = focusedClause();
          unpaint();
          paintBlocks = extractBlocks();
          if (hashText(paintBlocks.map((b) => b.text)) !== hashText(texts)) {
            setTimeout(recheck, 0); // the page changed under us: read it again rather than leave it bare
            return null;
          }
        }
        currentBlocks = new Map(paintBlocks.map((b) => [b.id, b]));
        const answered = performance.now();
        paint(analysis, reply.changes);
        restoreFocus(focus);
        lastPainted = { analysis, changes: reply.changes, textHash: hashText(texts) };
        const timings = {
          depth: analysis.depth ?? depth,
          extractMs: Math.round(extracted - started),
          roundTripMs: Math.round(answered - extracted),
          paintMs: Math.round(performance.now() - answered),
          // of which: reading the colours behind the clauses (getComputedStyle up the tree: linesBehind)
          backgroundMs: Math.round(painted.backgroundMs * 10) / 10,
        };
        if (first) timings.first = first; // the quick paint's own report, so one record holds both times
        first = reportPainted(timings);
      } else {
        unpaint();
        lastPainted = null;
      }
    }
    if (!analysis) return { ok: false, error: { code: "host_failed", message: "no reading arrived" } };
    return { ok: true, kind: analysis.kind, marks: painted.marks.length };
  }

  // ---- painting -------------------------------------------------------------------------------------------

  // Code-point offsets (the engine's) -> UTF-16 offsets (the DOM's), for one block's text.
  function codePointIndex(text) {
    if (!/[\uD800-\uDFFF]/.test(text)) return null; // no surrogate pairs: both offsets agree
    const map = [0];
    let u16 = 0;
    for (const ch of text) {
      u16 += ch.length;
      map.push(u16);
    }
    return map;
  }

  // Inline declarations marked !important: a page's stylesheet cannot override them. Built once per polarity, way
  // (filled or quiet) and line colour, and set as one attribute (hundreds of marks on a long policy). A clause that
  // is not a key finding is painted quietly (no fill, its polarity's line, thinner), unless the reader asked to see
  // every highlight painted strongly (settings.paintAll): the few clauses that matter stand out. A filled mark's
  // fill stops at its line (background-clip: padding-box), so that the gaps of a dotted or double line show the
  // page's background, which every line's colour is chosen against (linesOn), filled or quiet.
  const markStyles = new Map();
  function markStyle(polarity, quiet, line) {
    const key = `${polarity} ${quiet} ${line}`;
    if (!markStyles.has(key)) {
      const c = POLARITY_STYLES[polarity] ?? POLARITY_STYLES.neutral;
      const declarations = quiet ? [
        "display: inline", "background-color: transparent", "color: inherit",
        `border-bottom: ${c.quietWidth}px ${c.style} ${line}`,
        "border-radius: 0", "padding: 0", "margin: 0", "cursor: help",
      ] : [
        "display: inline", `background-color: ${c.bg}`, "background-clip: padding-box", "color: #1b1b1b",
        `border-bottom: ${c.width}px ${c.style} ${line}`, "border-radius: 2px", "padding: 0", "margin: 0",
        "cursor: help", "box-decoration-break: clone", "-webkit-box-decoration-break: clone",
      ];
      markStyles.set(key, declarations.map((declaration) => `${declaration} !important;`).join(" "));
    }
    return markStyles.get(key);
  }

  // ---- the page's background, and lines that show on it ------------------------------------------------------

  // WCAG 1.4.11 (non-text contrast) asks 3:1 of a line against what lies around it. A little more is aimed at: the
  // page's colour may be in another colour space, and a browser rounds it to 8-bit sRGB its own way.
  const MIN_LINE_CONTRAST = 3;
  const LINE_CONTRAST_AIM = 3.1;
  const BLACK = [0, 0, 0];
  const WHITE = [255, 255, 255];
  // The outline of a clause new since the last visit: purple, darker on light pages and lighter on dark ones
  // (as the card's "New since" line), then adjusted to the page's background like the lines (linesOn).
  const NEW_OUTLINE_COLOURS = { line: "#6a1b9a", lightLine: "#d7a8ff" };

  function relativeLuminance([r, g, b]) {
    const channel = (v) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4);
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  }

  const contrast = (a, b) => {
    const [hi, lo] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };

  const hexRgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const rgbHex = (rgb) => `#${rgb.map((v) => Math.round(v).toString(16).padStart(2, "0")).join("")}`;

  // Computed colours come as rgb()/rgba(), or, for a colour the page wrote in a CSS Color 4 syntax (Tailwind v4 writes
  // oklch()), in that syntax: oklch(), oklab(), lab(), lch() or color(<space> ...). They are converted here, with
  // the matrices of CSS Color 4 (its sample code), rather than drawn on a canvas and read back: reading a canvas is
  // what Firefox's fingerprinting protection (private windows; resistFingerprinting) answers with noise or a
  // blank, and those readers are the ones this extension is for. Colours outside sRGB are clamped to it.
  const mat = (m, [x, y, z]) => m.map(([a, b, c]) => a * x + b * y + c * z);
  const XYZ_D65_TO_LINEAR_SRGB = [
    [12831 / 3959, -329 / 214, -1974 / 3959],
    [-851781 / 878810, 1648619 / 878810, 36519 / 878810],
    [705 / 12673, -2585 / 12673, 705 / 667],
  ];
  const XYZ_D50_TO_D65 = [ // Bradford
    [0.955473421488075, -0.02309845494876471, 0.06325924320057072],
    [-0.0283697093338637, 1.0099953980813041, 0.021041441191917323],
    [0.012314014864481998, -0.020507649298898964, 1.330365926242124],
  ];
  const D50_WHITE = [0.3457 / 0.3585, 1, (1 - 0.3457 - 0.3585) / 0.3585];
  const srgbDecode = (v) => Math.sign(v) * (Math.abs(v) <= 0.04045 ? Math.abs(v) / 12.92 : ((Math.abs(v) + 0.055) / 1.055) ** 2.4);
  const srgbEncode = (v) => Math.sign(v) * (Math.abs(v) <= 0.0031308 ? Math.abs(v) * 12.92 : 1.055 * Math.abs(v) ** (1 / 2.4) - 0.055);
  // color(<space> r g b): each space as (its transfer function, its matrix to XYZ, the white of that XYZ)
  const REC2020_ALPHA = 1.09929682680944;
  const REC2020_BETA = 0.018053968510807;
  const RGB_SPACES = {
    srgb: [srgbDecode, null],
    "srgb-linear": [(v) => v, null],
    "display-p3": [srgbDecode, [
      [608311 / 1250200, 189793 / 714400, 198249 / 1000160],
      [35783 / 156275, 247089 / 357200, 198249 / 2500400],
      [0, 32229 / 714400, 5220557 / 5000800]], "d65"],
    "a98-rgb": [(v) => Math.sign(v) * Math.abs(v) ** (563 / 256), [
      [573536 / 994567, 263643 / 1420810, 187206 / 994567],
      [591459 / 1989134, 6239551 / 9945670, 374412 / 4972835],
      [53769 / 1989134, 351524 / 4972835, 4929758 / 4972835]], "d65"],
    "prophoto-rgb": [(v) => (Math.abs(v) <= 16 / 512 ? v / 16 : Math.sign(v) * Math.abs(v) ** 1.8), [
      [0.7977666449006423, 0.13518129740053308, 0.0313477341283922],
      [0.2880748288194013, 0.711835234241873, 0.00008993693872564],
      [0, 0, 0.8251046025104602]], "d50"],
    rec2020: [(v) => (Math.abs(v) < REC2020_BETA * 4.5 ? v / 4.5
      : Math.sign(v) * ((Math.abs(v) + REC2020_ALPHA - 1) / REC2020_ALPHA) ** (1 / 0.45)), [
      [63426534 / 99577255, 20160776 / 139408157, 47086771 / 278816314],
      [26158966 / 99577255, 472592308 / 697040785, 8267143 / 139408157],
      [0, 19567812 / 697040785, 295819943 / 278816314]], "d65"],
    xyz: [(v) => v, "identity", "d65"],
    "xyz-d65": [(v) => v, "identity", "d65"],
    "xyz-d50": [(v) => v, "identity", "d50"],
  };
  const xyzToLinearSrgb = (xyz, white) =>
    mat(XYZ_D65_TO_LINEAR_SRGB, white === "d50" ? mat(XYZ_D50_TO_D65, xyz) : xyz);

  function labToLinearSrgb([l, a, b]) {
    const kappa = 24389 / 27;
    const epsilon = 216 / 24389;
    const f1 = (l + 16) / 116;
    const f0 = a / 500 + f1;
    const f2 = f1 - b / 200;
    const xyz = [
      f0 ** 3 > epsilon ? f0 ** 3 : (116 * f0 - 16) / kappa,
      l > kappa * epsilon ? f1 ** 3 : l / kappa,
      f2 ** 3 > epsilon ? f2 ** 3 : (116 * f2 - 16) / kappa,
    ].map((v, i) => v * D50_WHITE[i]);
    return xyzToLinearSrgb(xyz, "d50");
  }

  function oklabToLinearSrgb([l, a, b]) {
    const lms = [
      l + 0.3963377774 * a + 0.2158037573 * b,
      l - 0.1055613458 * a - 0.0638541728 * b,
      l - 0.0894841775 * a - 1.291485548 * b,
    ].map((v) => v ** 3);
    return mat([
      [4.0767416621, -3.3077115913, 0.2309699292],
      [-1.2684380046, 2.6097574011, -0.3413193965],
      [-0.0041960863, -0.7034186147, 1.707614701],
    ], lms);
  }

  // (lightness, chroma, hue in degrees) -> (lightness, a, b)
  const polar = ([l, c, h]) => [l, c * Math.cos((h * Math.PI) / 180), c * Math.sin((h * Math.PI) / 180)];

  // One component: a number, a percentage of `percentOf`, `none` (0), or an angle.
  function component(token, percentOf = 1) {
    if (token === "none") return 0;
    const m = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)(%|deg|rad|grad|turn)?$/i.exec(token);
    if (!m) return NaN;
    const value = Number(m[1]);
    const unit = (m[2] ?? "").toLowerCase();
    if (unit === "%") return (value * percentOf) / 100;
    return value * ({ rad: 180 / Math.PI, grad: 0.9, turn: 360 }[unit] ?? 1);
  }

  // A computed colour -> [r, g, b, alpha], r, g, b in 0..255 (sRGB, clamped); null for a syntax not known here.
  function parseColour(text) {
    const m = /^([a-z-]+)\((.*)\)$/is.exec(text.trim());
    if (!m) return text.trim().toLowerCase() === "transparent" ? [0, 0, 0, 0] : null;
    const fn = m[1].toLowerCase();
    let [main, alphaText] = m[2].split("/");
    let tokens = main.trim().split(/[\s,]+/).filter(Boolean);
    if (alphaText === undefined && main.includes(",") && tokens.length === 4) alphaText = tokens.pop(); // rgba(r, g, b, a)
    const alpha = alphaText === undefined ? 1 : component(alphaText.trim(), 1);
    let linear;
    if (fn === "rgb" || fn === "rgba") {
      const rgb = tokens.map((t) => component(t, 255));
      if (rgb.length !== 3) return null;
      linear = rgb.map((v) => srgbDecode(v / 255));
    } else if (fn === "oklab" || fn === "oklch") {
      const [l, ab1, ab2] = [component(tokens[0], 1), component(tokens[1], 0.4),
        fn === "oklab" ? component(tokens[2], 0.4) : component(tokens[2])];
      linear = oklabToLinearSrgb(fn === "oklab" ? [l, ab1, ab2] : polar([l, ab1, ab2]));
    } else if (fn === "lab" || fn === "lch") {
      const [l, ab1, ab2] = [component(tokens[0], 100), component(tokens[1], fn === "lab" ? 125 : 150),
        fn === "lab" ? component(tokens[2], 125) : component(tokens[2])];
      linear = labToLinearSrgb(fn === "lab" ? [l, ab1, ab2] : polar([l, ab1, ab2]));
    } else if (fn === "color") {
      const space = RGB_SPACES[tokens.shift()?.toLowerCase()];
      if (!space) return null;
      const [decode, toXyz, white] = space;
      const values = tokens.map((t) => decode(component(t, 1)));
      linear = !toXyz ? values : xyzToLinearSrgb(toXyz === "identity" ? values : mat(toXyz, values), white);
    } else {
      return null; // hsl() and named colours never come computed: the browser gives rgb()
    }
    if (tokens.length !== 3 || linear.length !== 3) return null;
    const colour = [...linear.map((v) => Math.min(1, Math.max(0, srgbEncode(v))) * 255), Math.min(1, Math.max(0, alpha))];
    return colour.every((v) => Number.isFinite(v)) ? colour : null;
  }

  // `top` (with its alpha) painted over the opaque `bottom`
  const over = (top, bottom) => bottom.map((v, i) => top[i] * top[3] + v * (1 - top[3]));

  // The page's canvas where no element paints a background: dark where the page asks for a dark colour scheme.
  function canvasColour() {
    const scheme = getComputedStyle(document.documentElement).colorScheme ?? "";
    const dark = /dark/.test(scheme) && (!/light/.test(scheme) || matchMedia("(prefers-color-scheme: dark)").matches);
    return dark ? [18, 18, 18] : [255, 255, 255];
  }

  // The opaque colour behind the content of `node`: the background colours of it and its ancestors (across shadow
  // roots), each composited over the one under it, down to the first opaque one or the canvas. `cache` (one per
  // paint) holds each element's result, so the clauses of one page walk each ancestor once.
  function backgroundBehind(node, cache) {
    const layers = [];
    let below = null;
    for (; node; node = node.parentNode ?? node.host ?? null) {
      if (node.nodeType !== Node.ELEMENT_NODE) continue; // a shadow root: on to its host
      if (cache.has(node)) {
        below = cache.get(node);
        break;
      }
      const colour = parseColour(getComputedStyle(node).backgroundColor);
      if (!colour) continue; // a syntax this script does not know: as if transparent, rather than guessed
      layers.push([node, colour]);
      if (colour[3] >= 1) break;
    }
    below ??= canvasColour(); // (under an opaque layer, whatever it is does not show)
    for (let i = layers.length - 1; i >= 0; i--) {
      below = over(layers[i][1], below);
      cache.set(layers[i][0], below);
    }
    return below;
  }

  // `colour` (hex), taken step by step towards `toward` (black or white) until it shows on `behind` as asked.
  function showingOn(behind, colour, toward) {
    const start = hexRgb(colour);
    for (let step = 0; step <= 20; step++) {
      const mixed = start.map((v, i) => Math.round(v + ((toward[i] - v) * step) / 20));
      if (contrast(mixed, behind) >= LINE_CONTRAST_AIM) return rgbHex(mixed);
    }
    return rgbHex(toward); // black or white: at least 4.58:1 on any colour
  }

  // The colours of each polarity's line, and of the "new" outline, that show on `behind` (>= 3:1): the dark ones
  // (`line`) where black shows better than white, else the light ones (`lightLine`), darkened or lightened as far
  // as needed (a mid-grey page takes them both below 3:1 as they are).
  function linesOn(behind) {
    const toward = contrast(BLACK, behind) >= contrast(WHITE, behind) ? BLACK : WHITE;
    const key = toward === BLACK ? "line" : "lightLine";
    const lines = Object.fromEntries(Object.entries(POLARITY_STYLES).map(([p, c]) => [p, showingOn(behind, c[key], toward)]));
    lines.newOutline = showingOn(behind, NEW_OUTLINE_COLOURS[key], toward);
    return lines;
  }

  // The line colours for the clauses in `parent`, from the colour behind them. `colours` (one per paint) holds the
  // backgrounds seen (backgroundBehind) and the lines chosen for each.
  function linesBehind(parent, colours) {
    const behind = backgroundBehind(parent, colours.backgrounds);
    const key = behind.map(Math.round).join(",");
    if (!colours.lines.has(key)) colours.lines.set(key, linesOn(behind));
    return colours.lines.get(key);
  }

  // A clause new since the last visit is outlined, but whether it is new comes from the reader's local history, and
  // must not be readable by the page's own scripts (they share the DOM with this content script): no attribute, no
  // class, no style on the mark says it. Every mark gets a closed shadow root (so having one says nothing, and the
  // page cannot attach its own), holding a <slot> for the mark's text; a new clause's slot sits in an outlined span.
  // The page sees the same mark, the same computed style and the same layout (an outline takes no space) either way.
  // The outline lies on the page's background, beside the mark: its colour is chosen against it (linesOn).

  // A page can define our tag names as custom elements of its own (the registry is the page's, shared with this
  // script): a shadow root attached to an element that is its custom element when the root is attached is the
  // page's to read, whatever its mode (ElementInternals.shadowRoot returns it). Such a mark is never outlined, and
  // the card is then a <div> (no page can make one a custom element of its own). An element whose name the page has
  // not defined is not `:defined`; a definition that comes later upgrades it without giving the page its root.
  const pageOwns = (element) => element.matches(":defined");

  // `quiet`: whether the mark goes without fill; `lines`: the colours that show on the page behind it (linesOn).
  function styleMark(mark, polarity, isNew, quiet, lines) {
    mark.setAttribute("style", markStyle(polarity, quiet, lines[polarity] ?? lines.neutral));
    let root;
    try {
      root = mark.attachShadow({ mode: "closed" });
    } catch {
      // the page's own definition of our tag gave the mark a shadow root already, or forbids one: the mark is the
      // page's (pageOwns), so it would never be outlined anyway, and its text shows through the page's root
      return;
    }
    const slot = document.createElement("slot");
    if (isNew && !pageOwns(mark)) {
      const outline = el("span", "new");
      outline.setAttribute("style", `outline: 2px dashed ${lines.newOutline}; outline-offset: 1px;`);
      outline.append(slot);
      root.append(outline);
    } else {
      root.append(slot);
    }
  }

  // Wrap node[start, end) in a new mark; node keeps the text before `start`, so earlier offsets stay valid.
  // Text nodes that exist only because painting split one of the page's: unpainting joins exactly these back, and
  // leaves alone the text nodes the page made itself (React writes {n} as nodes of its own; Vue keeps empty ones as
  // anchors), which Node.normalize() would merge or delete under the framework's feet.
  const splitFrom = new WeakMap(); // a text node painting split off -> the node it was split from
  // A framework keeps the text nodes it rendered and updates one by setting its `data` (React, Vue, Svelte): set on a
  // node painting split, the new text lands in the part the node kept, while the parts split off still show the old
  // text. So the text each split node was left with is kept (painted.splitLeft): a node whose text differs from it
  // later was written by the page, and its split-off parts are stale (dropStaleSplits).
  // Unless the page edited the kept part in place (insertData, deleteData, replaceData inside it: a page that keeps
  // its own offsets into the node): its text then changed too, but the parts split off still follow it. The text
  // alone cannot tell the two apart (a framework's new text may happen to keep the kept part's start and end), the DOM
  // can: a live Range at the end of the kept part (painted.keptEnd) stays at the node's end through edits inside it,
  // and is moved to its start by setting the whole text (`data`, `nodeValue`, `textContent`: "replace data" from 0).
  let splitThisPaint = new Set();

  function wrapRange(node, start, end) {
    const splitsAtEnd = end < node.length;
    if (splitsAtEnd) splitFrom.set(node.splitText(end), node);
    const target = start > 0 ? node.splitText(start) : node;
    if (target !== node) splitFrom.set(target, node);
    if (splitsAtEnd || target !== node) splitThisPaint.add(node);
    const mark = document.createElement(MARK_TAG);
    target.parentNode.insertBefore(mark, target);
    mark.appendChild(target);
    return mark;
  }

  // The DOM pieces of block[u16Start, u16End): one range per text node, in document order.
  function piecesOf(block, start, end) {
    const pieces = [];
    for (const seg of block.segments) {
      const segEnd = seg.blockStart + seg.length;
      if (segEnd <= start || seg.blockStart >= end) continue;
      const a = Math.max(start, seg.blockStart) - seg.blockStart + seg.nodeStart;
      const b = Math.min(end, segEnd) - seg.blockStart + seg.nodeStart;
      const last = pieces[pieces.length - 1];
      if (last && last.node === seg.node) last.end = b; // white space collapsed between them: one range
      else pieces.push({ node: seg.node, start: a, end: b });
    }
    return pieces;
  }

  // The page must still hold what was sent: a late script may have rewritten the text meanwhile.
  function stillMatches(block, pieces, expected) {
    let seen = "";
    for (const p of pieces) {
      if (!p.node.isConnected || p.end > p.node.length) return false;
      seen += p.node.data.slice(p.start, p.end);
    }
    const squeeze = (t) => t.replace(/[ \t\n\r\f]+/g, ""); // the spaces between text nodes are not in the DOM
    return squeeze(seen) === squeeze(expected);
  }

  // Which highlights are new since the last visit: those over a clause the daemon's history lists as added or
  // reworded (changes_since_last_visit.added/changed carry block + code-point start/end in this version, and `parts`:
  // every span of a sentence that a converted PDF broke over paragraphs; older daemons send block/start/end alone;
  // `elsewhere`: the spans of the same change's other places, so that a clause added in every row of a table, listed
  // once, is marked as new in each row).
  // `indices` maps each such highlight to the list its clause is in ("added" or "changed"), for the card's line.
  function newSince(analysis, changes) {
    const result = { indices: new Map(), since: null };
    if (!changes) return result;
    result.since = SP.readableDate(changes.previous_date ?? changes.since ?? null); // as the popup and summary write it
    const fresh = [["added", changes.added], ["changed", changes.changed]]
      .flatMap(([change, list]) => (list ?? []).filter((c) => c && c.block !== undefined)
        .flatMap((c) => [...(Array.isArray(c.parts) && c.parts.length ? c.parts : [c]),
          ...(Array.isArray(c.elsewhere) ? c.elsewhere : [])].map((part) => ({ ...part, change }))));
    analysis.highlights.forEach((h, i) => {
      const over = fresh.filter((c) => String(c.block) === h.block && h.start < c.end && c.start < h.end);
      // a highlight over an added clause and a reworded one is new: it says something the old version did not
      if (over.length) result.indices.set(i, over.some((c) => c.change === "added") ? "added" : "changed");
    });
    return result;
  }

  // Paints over the text nodes of `currentBlocks`, the extraction the analysis was made from.
  function paint(analysis, changes) {
    unpaint({ rejoin: false }); // keep the text nodes as they are: currentBlocks points at them
    painting = true;
    observer?.disconnect();
    splitThisPaint = new Set();
    try {
      paintClauses(analysis, changes);
    } finally {
      // whatever went wrong, every mark made is known (unpaint removes it) and the page is watched again
      painted.analysis = analysis;
      painted.splitLeft = new Map([...splitThisPaint].map((node) => [node, node.data]));
      painted.keptEnd = new Map([...splitThisPaint].map((node) => [node, rangeAtEndOf(node)]));
      painting = false;
      observe();
    }
    if (painted.marks.length) installCardListeners();
  }

  function paintClauses(analysis, changes) {
    const hidden = new Set(settings.hiddenPractices);
    const fresh = newSince(analysis, changes);
    const key = new Set((analysis.key_findings ?? []).flatMap((k) => k.highlights));
    const colours = { backgrounds: new Map(), lines: new Map() }; // linesBehind
    const byBlock = new Map();
    analysis.highlights.forEach((h, index) => {
      if (hidden.has(h.practice) || !currentBlocks.has(h.block) || h.end <= h.start) return;
      if (!byBlock.has(h.block)) byBlock.set(h.block, []);
      byBlock.get(h.block).push({ h, index });
    });
    // The colour behind every element that may hold a mark, read before any mark is added: a getComputedStyle after
    // each change to the DOM would make the browser work out the page's style again each time.
    const walkStarted = performance.now();
    for (const blockId of byBlock.keys()) {
      for (const seg of currentBlocks.get(blockId).segments) {
        if (seg.node.parentNode) backgroundBehind(seg.node.parentNode, colours.backgrounds);
      }
    }
    painted.backgroundMs = performance.now() - walkStarted;
    for (const [blockId, items] of byBlock) {
      const block = currentBlocks.get(blockId);
      const cpMap = codePointIndex(block.text);
      const toU16 = (cp) => (cpMap ? cpMap[Math.min(cp, cpMap.length - 1)] : cp);
      // Overlapping clauses share the first one's mark (the card lists all of them): marks never nest.
      items.sort((x, y) => x.h.start - y.h.start || y.h.end - x.h.end);
      const kept = [];
      for (const item of items) {
        const prev = kept[kept.length - 1];
        if (prev && item.h.start < prev.h.end) prev.also.push(item.index);
        else kept.push({ ...item, also: [] });
      }
      // Right to left, so splitting a text node never moves the offsets still to be painted in it.
      for (let k = kept.length - 1; k >= 0; k--) {
        const { h, index, also } = kept[k];
        const start = toU16(h.start);
        const end = toU16(h.end);
        const pieces = piecesOf(block, start, end);
        if (!pieces.length || !stillMatches(block, pieces, block.text.slice(start, end))) continue;
        const marks = [];
        for (let p = pieces.length - 1; p >= 0; p--) {
          const piece = pieces[p];
          const mark = wrapRange(piece.node, piece.start, piece.end);
          mark.dataset.practice = h.practice;
          mark.dataset.polarity = h.polarity;
          mark.dataset.highlight = String(index);
          // whether it is new stays out of the page's reach: see styleMark; the card reads it from the expando below,
          // which lives in this content script's isolated world
          const isKey = [index, ...also].some((i) => key.has(i));
          mark.dataset.key = String(isKey);
          painted.marks.push(mark);
          styleMark(mark, h.polarity, fresh.indices.has(index), !isKey && !settings.paintAll,
            linesBehind(mark.parentNode, colours));
          marks.unshift(mark);
        }
        const first = marks[0];
        first.tabIndex = 0; // one tab stop per clause, however many pieces it spans
        first.setAttribute("role", "mark");
        first.setAttribute("aria-description",
          `${SP.PRACTICE_LABELS[h.practice] ?? h.practice}: ${SP.POLARITY_LABELS[h.polarity] ?? h.polarity}`);
        for (const i of [index, ...also]) painted.byHighlight.set(i, first);
        for (const mark of marks) mark.__smallprint = { indices: [index, ...also], fresh };
      }
    }
  }

  // Removes every mark. `rejoin` merges the text nodes that painting split, unless the caller is about to paint
  // again over an extraction that holds references to exactly those nodes.
  function unpaint({ rejoin = true } = {}) {
    hideCard();
    if (!painted.marks.length) {
      painted = { marks: [], byHighlight: new Map(), analysis: null };
      return;
    }
    painting = true;
    observer?.disconnect();
    const moved = [];
    for (const mark of painted.marks) {
      const parent = mark.parentNode;
      if (!parent) continue;
      const children = [...mark.childNodes];
      for (const child of children) parent.insertBefore(child, mark);
      parent.removeChild(mark);
      moved.push(...children);
    }
    if (rejoin) {
      const appended = dropStaleSplits();
      for (const child of moved) if (child.nodeType === Node.TEXT_NODE && child.parentNode) rejoinSplits(child);
      for (const [node, tail] of appended) node.appendData(tail);
    }
    painted = { marks: [], byHighlight: new Map(), analysis: null };
    painting = false;
    observe();
  }

  function rangeAtEndOf(node) {
    const range = document.createRange();
    range.setStart(node, node.length);
    return range;
  }

  // The page changed the text of split `node` only inside the part it kept (see splitThisPaint): the end of that part
  // is still the node's end. An append (appendData) leaves the range where the kept part ended, short of the node's
  // end, and is told by dropStaleSplits; a node emptied is read as rewritten.
  function editedInsideKeptPart(node) {
    const end = painted.keptEnd?.get(node);
    return !!end && node.length > 0 && end.startContainer === node && end.startOffset === node.length;
  }

  // The split nodes whose text the page changed since they were painted (painted.splitLeft).
  function rewrittenSplits() {
    return [...(painted.splitLeft ?? new Map())].filter(([node, left]) => node.data !== left);
  }

  // Before the rejoin, for each split node the page changed: text it appended (a page writing as it goes) is taken
  // off, to go back after the parts split off are joined again (returned: node -> tail); a node it rewrote (a
  // framework rendering it again) holds the page's whole new text, so the parts split off it, which hold the old
  // text, are removed. A new text that begins with the node's whole old text (its part and the parts split off) is
  // such a rewrite (a framework's text that grew): read as appended, the old text after the part showed twice.
  function dropStaleSplits() {
    const appended = new Map();
    for (const [node, left] of rewrittenSplits()) {
      if (editedInsideKeptPart(node)) continue; // its parts still follow it: rejoined, as the page has the text
      const pieces = [...(node.parentNode?.childNodes ?? [])].filter((piece) => splitFrom.get(piece) === node);
      const wholeOldText = left + pieces.map((piece) => piece.data).join("");
      if (node.data.startsWith(left) && !(pieces.length && node.data.startsWith(wholeOldText))) {
        appended.set(node, node.data.slice(left.length));
        node.data = left;
        continue;
      }
      for (const piece of pieces) {
        splitFrom.delete(piece);
        piece.remove();
      }
    }
    return appended;
  }

  // Join `text` back into the node painting split it from, and the pieces split from that node that follow it, as
  // the page had them; nothing else (a node the page put in between stops the join).
  function rejoinSplits(text) {
    let node = text;
    if (splitFrom.get(node) === node.previousSibling) {
      node.previousSibling.appendData(node.data);
      const into = node.previousSibling;
      splitFrom.delete(node);
      node.remove();
      node = into;
    }
    for (let next = node.nextSibling; next && splitFrom.get(next) === node; next = node.nextSibling) {
      node.appendData(next.data);
      splitFrom.delete(next);
      next.remove();
    }
  }

  // A repaint (quick -> full reading, or other settings) removes every mark: a clause the reader had focused (by Tab,
  // or from the popup) would drop the focus to <body>, close its card and send the next Tab back to the top. Where
  // the focus is, as a text position: the block and start of the focused mark's clause (the repaint is made over the
  // same blocks, so the position holds in the new reading).
  function focusedClause() {
    const mark = markOf(deepActiveElement());
    const h = mark?.__smallprint && painted.analysis?.highlights[mark.__smallprint.indices[0]];
    return h ? { block: blockNumber(h.block), start: h.start } : null;
  }

  const blockNumber = (id) => Number(String(id).slice(1)); // "b12" -> 12: blocks are numbered in reading order

  // After a repaint: focus the mark now over the same text position, or else the first one after it (none after
  // it: the last one), without scrolling the page. Only while the focus was dropped by the repaint, not moved since.
  function restoreFocus(position) {
    if (!position || painted.byHighlight.size === 0) return;
    const active = deepActiveElement();
    if (active && active !== document.body && active !== document.documentElement) return;
    let best = null;
    let last = null;
    for (const [index, mark] of painted.byHighlight) {
      const h = painted.analysis.highlights[index];
      const at = [blockNumber(h.block), h.start, h.end];
      if (!last || at[0] > last.at[0] || (at[0] === last.at[0] && at[1] > last.at[1])) last = { at, mark };
      const covers = at[0] === position.block && at[1] <= position.start && position.start < at[2];
      const after = at[0] > position.block || (at[0] === position.block && at[1] >= position.start);
      if (!covers && !after) continue;
      // a clause covering the position wins; then the earliest one after it
      const rank = [covers ? 0 : 1, at[0], at[1]];
      if (!best || compareRanks(rank, best.rank) < 0) best = { rank, mark };
    }
    (best ?? last).mark.focus({ preventScroll: true });
  }

  const compareRanks = (a, b) => a.reduce((d, v, i) => d || v - b[i], 0);

  function reportPainted(timings) {
    const nav = performance.getEntriesByType("navigation")[0];
    const loadEnd = nav?.loadEventEnd || 0;
    const report = {
      marks: painted.marks.length,
      highlights: painted.byHighlight.size,
      msSinceLoad: loadEnd > 0 ? Math.round(performance.now() - loadEnd) : null,
      ...timings,
    };
    send({ type: "painted", url: location.href, painted: report });
    return { depth: report.depth, msSinceLoad: report.msSinceLoad, marks: report.marks };
  }

  // ---- the card shown on hover or focus ----------------------------------------------------------------

  let card = null;
  let cardRoot = null; // the card's closed shadow root: only this script holds it
  let cardFor = null;
  let cardByPointer = false; // shown because the pointer came onto its clause (not only by focus)
  let listenersInstalled = false;
  const CARD_GAP = 6; // px between a clause and its card

  // The card's shadow root is closed and its host takes no room (0 x 0, the card overflowing it) and no pointer: the
  // page's scripts can see that a card is shown, not what it says, nor (by its size, or elementFromPoint) whether it
  // has a "New since ..." line, which comes from the reader's local history.
  const CARD_CSS = `
    :host { all: initial; position: fixed; top: 0; left: 0; z-index: 2147483647; display: block; width: 0;
      height: 0; overflow: visible; pointer-events: none; }
    .card { position: absolute; top: 0; left: 0; width: max-content;
      box-sizing: border-box; max-width: 22rem; padding: .6rem .75rem; border-radius: 6px;
      background: #fff; color: #1b1b1b; font: 13px/1.4 system-ui, sans-serif; box-shadow: 0 4px 18px rgba(0,0,0,.25);
      border-left: 4px solid var(--line); }
    .entry + .entry { margin-top: .5rem; padding-top: .5rem; border-top: 1px solid #ddd; }
    .head { display: flex; gap: .5rem; align-items: baseline; justify-content: space-between; }
    .practice { font-weight: 600; }
    .polarity { font-size: 11px; padding: 0 .35rem; border-radius: 3px; background: var(--bg); color: #1b1b1b; }
    .summary { margin: .25rem 0 0; }
    .why { margin: .25rem 0 0; color: #555; font-size: 12px; }
    .new { margin: 0 0 .35rem; color: #6a1b9a; font-weight: 600; font-size: 12px; }
    @media (prefers-color-scheme: dark) {
      .card { background: #1f2228; color: #e6e7ea; box-shadow: 0 4px 18px rgba(0,0,0,.6);
        border-left-color: var(--dark-line); }
      .entry + .entry { border-top-color: #3a3f48; }
      .why { color: #b0b4bc; }
      .new { color: #d7a8ff; }
    }
  `;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function ensureCard() {
    if (card) return card;
    card = document.createElement(CARD_TAG);
    if (pageOwns(card)) card = document.createElement("div"); // the page's custom element could read it (pageOwns)
    card.id = `smallprint-card-${Math.random().toString(36).slice(2, 10)}`;
    card.setAttribute("role", "tooltip");
    cardRoot = card.attachShadow({ mode: "closed" });
    const style = document.createElement("style");
    style.textContent = CARD_CSS;
    // The card is English whatever the page is: it must not take a right-to-left page's direction, nor its language
    // (a screen reader would read it with that language's voice). `all: initial` does not reset `direction`.
    const box = el("div", "card");
    box.setAttribute("dir", "ltr");
    box.setAttribute("lang", "en");
    cardRoot.append(style, box);
    return card;
  }

  // The engine names its rule first ('AiTrainingRecognizer/train_models: "train our models"; context: ...');
  // a reader wants the matched words first and the rule's name last.
  function readableWhy(explanation) {
    const m = /^(\w+?)Recognizer\/([\w-]+): ([\s\S]*)$/.exec(explanation);
    return m ? `matched ${m[3]} (rule ${m[1]}, pattern ${m[2].replace(/_/g, " ")})` : explanation;
  }

  function showCard(mark, byPointer = false) {
    const info = mark.__smallprint;
    const analysis = painted.analysis;
    if (!info || !analysis) return;
    const first = painted.byHighlight.get(info.indices[0]) ?? mark;
    if (cardFor === first && card?.isConnected) {
      cardByPointer ||= byPointer;
      return;
    }
    const c = ensureCard();
    const box = cardRoot.querySelector(".card");
    box.replaceChildren();
    const primary = analysis.highlights[info.indices[0]];
    const colours = POLARITY_STYLES[primary.polarity] ?? POLARITY_STYLES.neutral;
    box.style.setProperty("--line", colours.line);
    box.style.setProperty("--dark-line", colours.lightLine); // the dark card's: `line` is below 3:1 on it
    box.style.setProperty("--bg", colours.bg);
    if (info.fresh.indices.has(info.indices[0])) {
      box.append(el("p", "new", SP.sinceLine(info.fresh.indices.get(info.indices[0]), info.fresh.since)));
    }
    for (const i of info.indices) {
      const h = analysis.highlights[i];
      const entry = el("div", "entry");
      const head = el("div", "head");
      head.append(el("span", "practice", SP.PRACTICE_LABELS[h.practice] ?? h.practice),
        el("span", "polarity", `${SP.POLARITY_MARKS[h.polarity] ?? ""} ${SP.POLARITY_LABELS[h.polarity] ?? h.polarity}`.trim()));
      entry.append(head, el("p", "summary", h.summary));
      // `reason` is one plain sentence (daemon: highlights carry it beside the explainer's record); an older daemon
      // sends only the record, which is shown as before.
      const why = h.reason || (h.explanation ? readableWhy(h.explanation) : "");
      if (why) entry.append(el("p", "why", `Why flagged: ${why}`));
      box.append(entry);
    }
    if (!c.isConnected) document.documentElement.appendChild(c); // outside <body>: not part of the page's text
    // Below the clause, or above it where there is no room below; CARD_GAP away either way, so that the pointer can
    // cross from the clause onto the card (pointerOnCard).
    // The box is placed inside the closed shadow root, the host staying at the viewport's corner: a position on the
    // host (in the page's DOM) would tell the page's scripts the card's size, and so whether it says "New since".
    const rect = first.getBoundingClientRect();
    const size = box.getBoundingClientRect();
    const below = rect.bottom + CARD_GAP;
    box.style.setProperty("left", `${Math.max(4, Math.min(rect.left, innerWidth - size.width - 4))}px`);
    box.style.setProperty("top", `${below + size.height <= innerHeight - 4 ? below
      : Math.max(4, rect.top - CARD_GAP - size.height)}px`);
    if (cardFor && cardFor !== first) cardFor.removeAttribute("aria-describedby");
    first.setAttribute("aria-describedby", c.id);
    cardFor = first;
    cardByPointer = byPointer;
  }

  function hideCard() {
    if (cardFor) cardFor.removeAttribute("aria-describedby");
    cardFor = null;
    cardByPointer = false;
    card?.remove();
  }

  // Whether the pointer at (x, y) is on the shown card, or in the gap between it and its clause (WCAG 1.4.13: the
  // reader can move the pointer onto the card without it going away). The card takes no pointer events, or the
  // page's scripts could find its size (and so whether it says "New since ...") with elementFromPoint: so this is
  // measured from inside its closed shadow root, not hit-tested.
  function pointerOnCard(x, y) {
    if (!cardFor || !card?.isConnected) return false;
    const r = cardRoot.querySelector(".card").getBoundingClientRect();
    const margin = CARD_GAP + 2;
    return x >= r.left - margin && x <= r.right + margin && y >= r.top - margin && y <= r.bottom + margin;
  }

  const markOf = (target) => (target instanceof Element ? target.closest(MARK_TAG) : null);
  // At the document, an event from inside a shadow tree names the host as its target: the real one is the first
  // node of its composed path (open shadow roots only, which are the ones painted).
  const eventMark = (e) => markOf(e.composedPath?.()[0] ?? e.target);
  // The focused element, looked for inside shadow roots too (document.activeElement stops at the host).
  function deepActiveElement() {
    let active = document.activeElement;
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
    return active;
  }

  // Every listener ignores events a script made (isTrusted false): a page's scripts must not open the card, which
  // they could then measure, by dispatching a mouseover or a focusin of their own.
  function installCardListeners() {
    if (listenersInstalled) return;
    listenersInstalled = true;
    document.addEventListener("mouseover", (e) => {
      if (!e.isTrusted) return;
      // on the card, the pointer is over whatever the page has under it: a clause there must not take the card over
      if (cardByPointer && pointerOnCard(e.clientX, e.clientY)) return;
      const mark = eventMark(e);
      if (mark && mark.__smallprint) showCard(mark, true);
    }, true);
    document.addEventListener("mouseout", (e) => {
      if (!e.isTrusted || !eventMark(e) || markOf(e.relatedTarget)) return;
      if (deepActiveElement() !== cardFor && !pointerOnCard(e.clientX, e.clientY)) hideCard();
    }, true);
    // The pointer left the card (or the gap to its clause) for anything but its clause: the card goes.
    document.addEventListener("mousemove", (e) => {
      if (!e.isTrusted || !cardFor || !cardByPointer || deepActiveElement() === cardFor) return;
      if (pointerOnCard(e.clientX, e.clientY)) return;
      const mark = eventMark(e);
      if (!mark || (painted.byHighlight.get(mark.__smallprint?.indices[0]) ?? mark) !== cardFor) hideCard();
    }, { capture: true, passive: true });
    document.addEventListener("focusin", (e) => {
      if (!e.isTrusted) return;
      const mark = eventMark(e);
      if (mark && mark.__smallprint) showCard(mark);
    }, true);
    document.addEventListener("focusout", (e) => {
      if (e.isTrusted && eventMark(e)) hideCard();
    }, true);
    // The card is placed once (position: fixed); a hover card goes when the page scrolls, a focused one follows.
    addEventListener("scroll", () => {
      if (!cardFor) return;
      if (deepActiveElement() === cardFor) {
        const focused = cardFor;
        cardFor = null;
        showCard(focused);
      } else {
        hideCard();
      }
    }, { capture: true, passive: true });
    document.addEventListener("keydown", (e) => {
      if (e.isTrusted && e.key === "Escape" && cardFor) {
        hideCard();
        e.stopPropagation();
      }
    }, true);
  }

  function scrollToHighlight(index) {
    const mark = painted.byHighlight.get(index);
    if (!mark) return false;
    mark.scrollIntoView({ block: "center", behavior: "instant" });
    mark.focus({ preventScroll: true });
    return true;
  }

  // ---- late text and navigation without reload ----------------------------------------------------------

  function observe() {
    if (!observer || !document.body) return;
    observer.observe(document.body, OBSERVED);
    for (const root of shadowRoots) {
      if (root.host.isConnected) observer.observe(root, OBSERVED);
      else shadowRoots.delete(root); // its component left the page (an SPA view changed): forget it
    }
  }

  function onMutations() {
    if (painting) return;
    clearTimeout(debounceTimer);
    debounceTimer = setTimeout(recheck, MUTATION_DEBOUNCE_MS);
  }

  function recheck() {
    if (pageAddress() !== pageUrl) {
      if (pagesSeen >= MAX_PAGES) return stopObserving();
      pagesSeen++;
      pageUrl = pageAddress();
      visitId = newVisitId();
      generation++; // a reading of the page left, still on its way, must not be painted on this one
      resends = 0;
      rechecks = 0;
      lastSentHash = null;
      unpaint();
      startPage();
      return;
    }
    // A page the reader asked to analyse stays analysed as they asked (painted even if it is no policy), however
    // its text changes later; any other page is re-read only while automatic analysis is on.
    const again = manualPage === pageUrl;
    if (!again && !autoEnabled()) return;
    if (resends >= MAX_RESENDS_PER_PAGE || ++rechecks > MAX_RECHECKS_PER_PAGE) return;
    const before = lastSentHash;
    analysePage(again ? "manual-again" : "auto").then(() => {
      if (lastSentHash !== before) resends++;
    });
  }

  function stopObserving() {
    observer?.disconnect();
    observer = null;
  }

  async function startPage() {
    const auto = autoEnabled();
    // no need to wait: messages keep their order
    send({ type: "page", url: location.href, title: document.title || null, auto, visitId });
    if (manualPage === pageUrl) await analysePage("manual-again"); // back from the cache to a page the reader asked for
    else if (auto) await analysePage("auto");
    else unpaint(); // back from the cache after automatic analysis was turned off
  }

  // ---- messages from the popup ------------------------------------------------------------------------

  api.runtime.onMessage.addListener((msg, _sender, sendResponse) => {
    if (msg?.type === "analyse-now") {
      lastSentHash = null;
      manualPage = pageUrl;
      analysePage("manual").then(sendResponse, (err) =>
        sendResponse({ ok: false, error: { code: "internal", message: String(err?.message ?? err) } }));
      return true;
    }
    if (msg?.type === "which-visit") { // the background: is the tab's state this page's? (background.js currentState)
      sendResponse({ visitId, url: location.href });
      return false;
    }
    if (msg?.type === "scroll-to") {
      sendResponse({ ok: scrollToHighlight(msg.highlight) });
      return false;
    }
    if (msg?.type === "forgotten") { // the background: the reader forgot this site, so no clause is new since a visit
      if (lastPainted?.changes) {
        lastPainted = { ...lastPainted, changes: null };
        repaint();
      }
      sendResponse({ ok: true });
      return false;
    }
    return false;
  });

  // ---- start ------------------------------------------------------------------------------------------

  // Paints the last reading again (other settings, or no changes since the last visit any more).
  function repaint() {
    if (!lastPainted || !painted.analysis) return;
    // Painting split the text nodes, so read the page again; repaint only if its text is still what was analysed.
    const focus = focusedClause();
    unpaint();
    const blocks = extractBlocks();
    if (hashText(blocks.map((b) => b.text)) !== lastPainted.textHash) {
      lastSentHash = null;
      recheck(); // the page changed since it was read (an accordion opened): read it again rather than leave it bare
      return;
    }
    currentBlocks = new Map(blocks.map((b) => [b.id, b]));
    paint(lastPainted.analysis, lastPainted.changes);
    restoreFocus(focus);
  }

  // Settings changed in the options page or the popup: practices shown or hidden take effect at once.
  // The list of sites where it is off changed (the background bumps `sitesRevision`): ask again for this site.
  api.storage.onChanged.addListener((changes, area) => {
    if (area !== "local") return;
    if (changes.sitesRevision) askSiteOff();
    if (!changes.settings) return;
    const { disabledSites, ...stored } = changes.settings.newValue ?? {};
    settings = { ...SP.DEFAULT_SETTINGS, ...stored };
    repaint();
  });

  // Back (or forward) to this page from the back-forward cache: the page, painted as it was, comes back without a new
  // load, so this script does not start again, while the tab's state in the background is that of the page left
  // (background.js drops it as another visit's). Tell the background again which page this is, and read it again
  // in the same visit (the daemon's cache answers at once; its policy memory replaces the visit's own version).
  function onRestored(event) {
    if (!event.persisted || !observer) return;
    generation++; // a reading that was on its way when the page was left is not waited for
    lastSentHash = null; // read again even if unchanged: the background has forgotten this page meanwhile
    startPage();
  }

  Promise.all([SP.loadSettings(), askSiteOff()]).then(([loaded]) => {
    settings = loaded;
    observer = new MutationObserver(onMutations);
    observe();
    addEventListener("popstate", onMutations);
    addEventListener("pageshow", onRestored);
    startPage();
  });
})();
