/* kyc-sandbox console: the framework every page uses.
 *
 * Dependency-free. Pages are registered with KycConsole.page(pattern, draw)
 * by pages.js and by each vendor's script; the router draws the page that
 * matches the URL, follows console links with the History API (so every view
 * has its own URL and the back button works) and redraws what changed when
 * the tenant's live feed (Server-Sent Events from /__admin/events) says so.
 *
 * Safety: every element is built with DOM calls and data is only ever set
 * as text (textContent, attribute values); links are only built to console
 * paths. Nothing here parses markup from data.
 */
(() => {
  "use strict";

  const body = document.body;
  const BASE = body.dataset.base || "/__admin/ui";
  const ADMIN = BASE.replace(/\/ui$/, "");
  const TENANT = body.dataset.tenant || "";
  const pages = [];
  const panels = {};
  let drawn = 0;
  let live = null;
  let lastLive = null;
  let watchers = [];
  let timers = [];
  let objectUrls = [];

  /* ---- DOM ---- */

  /** h("tag.class", {attr: value, onclick: fn}, ...children) */
  function h(tag, props, ...kids) {
    const [name, ...classes] = tag.split(".");
    const el = document.createElement(name || "div");
    if (classes.length) el.className = classes.join(" ");
    for (const [k, v] of Object.entries(props || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
      else if (k === "class") el.classList.add(...String(v).split(/\s+/).filter(Boolean));
      else if (k === "text") el.textContent = String(v);
      else if (k === "value") el.value = v;
      else if (k === "checked") el.checked = Boolean(v);
      else if (k === "href" && !/^[/#?]/.test(String(v))) continue; // console paths only
      else el.setAttribute(k, v === true ? "" : String(v));
    }
    add(el, kids);
    return el;
  }

  function add(el, kids) {
    for (const k of kids.flat(Infinity)) {
      if (k === null || k === undefined || k === false) continue;
      el.append(k instanceof Node ? k : document.createTextNode(String(k)));
    }
    return el;
  }

  /** A link to a console page: `link("Checks", "checks")` under the tenant. */
  function path(...segments) {
    return [BASE, "tenants", TENANT, ...segments].map((s, i) => (i === 0 ? s : encodeURIComponent(s))).join("/");
  }

  function link(text, href, props) {
    return h("a", Object.assign({ href }, props || {}), text);
  }

  function time(iso) {
    if (!iso) return "–";
    return String(iso).replace("T", " ").replace(/\.\d+Z$/, " UTC").replace(/Z$/, " UTC");
  }

  const TONES = {
    clear: "ok", complete: "ok", delivered: "ok", pass: "ok", passed: "ok", low: "ok", ok: "ok",
    attention: "warn", medium: "warn", pending: "info", armed: "info", header: "info", fixture: "info",
    rejected: "bad", failed: "bad", not_processed: "bad", high: "bad", fail: "bad", disabled: "",
  };

  function badge(text, tone, props) {
    const t = tone === undefined ? TONES[String(text)] || "" : tone;
    const extra = props && props.class ? ` ${props.class}` : "";
    return h("span.badge", Object.assign({}, props || {}, { class: `${t}${extra}`.trim() || null }), String(text));
  }

  function table(columns, rows, rowProps) {
    return h("div.table-wrap", {},
      h("table", {},
        h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col", class: c.num ? "num" : null }, c.label)))),
        h("tbody", {}, rows.map((r, i) => h("tr", rowProps ? rowProps(r, i) : {},
          columns.map((c) => h("td", { class: c.num ? "num" : c.actions ? "actions" : null }, c.cell(r, i))))))));
  }

  function empty(text) {
    return h("p.muted", {}, text);
  }

  function facts(pairs) {
    return h("dl.facts", {}, pairs.filter((p) => p && p[1] !== undefined && p[1] !== null && p[1] !== "")
      .map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
  }

  const HIGHLIGHT = { attention: "attention", rejected: "bad", not_processed: "bad", failed: "bad" };

  /** A JSON value as a nested list; "attention" leaves (and their keys) stand out. */
  function tree(value, root = true) {
    if (value === null || typeof value !== "object") {
      const tone = HIGHLIGHT[value] || (value === "clear" ? "clear" : "");
      return h("span.leaf", { class: tone || null }, JSON.stringify(value));
    }
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
    if (!entries.length) return h("span.leaf", {}, Array.isArray(value) ? "[]" : "{}");
    return h("ul.tree", { class: root ? "root" : null }, entries.map(([k, v]) => {
      const leafTone = v !== null && typeof v !== "object" ? HIGHLIGHT[v] : null;
      return h("li", { class: leafTone === "attention" ? "attention" : null, "data-key": k },
        h("span.key", {}, k + ": "), tree(v, false));
    }));
  }

  const announcer = h("div.visually-hidden", { "aria-live": "polite", role: "status" });
  body.append(announcer);
  function announce(text) {
    announcer.textContent = "";
    setTimeout(() => { announcer.textContent = text; }, 30);
  }

  async function copy(text) {
    try {
      await navigator.clipboard.writeText(text);
    } catch (_) {
      const area = h("textarea", { "aria-hidden": "true", class: "visually-hidden" });
      area.value = text;
      body.append(area);
      area.select();
      try { document.execCommand("copy"); } catch (_) { /* nothing else to try */ }
      area.remove();
    }
  }

  function copyButton(label, text) {
    const b = h("button.small", { type: "button" }, label);
    b.addEventListener("click", async () => {
      await copy(typeof text === "function" ? text() : text);
      b.textContent = "Copied";
      announce("Copied to the clipboard");
      setTimeout(() => { b.textContent = label; }, 1500);
    });
    return b;
  }

  /** Asks before something that cannot be undone; resolves true or false. */
  function confirmDialog(title, text, action) {
    return new Promise((resolve) => {
      const dialog = h("dialog", { "aria-labelledby": "confirm-title" },
        h("h2", { id: "confirm-title" }, title), h("p", {}, text));
      const done = (v) => { dialog.close(); dialog.remove(); resolve(v); };
      add(dialog, [h("div.row", {},
        h("button.danger", { type: "button", onclick: () => done(true) }, action),
        h("button", { type: "button", onclick: () => done(false), autofocus: true }, "Cancel"))]);
      dialog.addEventListener("cancel", (e) => { e.preventDefault(); done(false); });
      body.append(dialog);
      dialog.showModal();
    });
  }

  /* ---- The admin API ---- */

  class ApiError extends Error {
    constructor(message, status) { super(message); this.status = status; }
  }

  async function api(url, opts = {}) {
    const headers = { "X-Sandbox-Console": "1", Accept: "application/json" };
    const tenant = opts.tenant === undefined ? TENANT : opts.tenant;
    if (tenant) headers.Authorization = tenant;
    if (opts.body !== undefined) headers["Content-Type"] = "application/json";
    const res = await fetch(url, {
      method: opts.method || "GET",
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      credentials: "same-origin",
      cache: "no-store",
    });
    if (res.status === 401) {
      location.assign(`${BASE}/login?next=${encodeURIComponent(location.pathname + location.search)}`);
      throw new ApiError("Signed out", 401);
    }
    if (opts.raw) {
      if (!res.ok) throw new ApiError(res.statusText, res.status);
      return res;
    }
    const text = await res.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (_) { data = { message: text }; }
    if (!res.ok) throw new ApiError((data && (data.message || data.error)) || res.statusText, res.status);
    return data;
  }

  /** An <img> of stored bytes, fetched with the tenant's key. */
  function thumb(url, caption) {
    const img = h("img", { alt: caption, loading: "lazy" });
    const fig = h("figure.thumb", {}, img, h("figcaption", {}, caption));
    api(url, { raw: true }).then(async (res) => {
      const blob = await res.blob();
      if (!blob.type.startsWith("image/")) {
        img.replaceWith(h("p.muted", {}, blob.type === "application/pdf" ? "PDF (no preview)" : "No preview"));
        return;
      }
      const u = URL.createObjectURL(blob);
      objectUrls.push(u);
      img.src = u;
    }).catch(() => img.replaceWith(h("p.muted", {}, "Image unavailable")));
    return fig;
  }

  /* ---- Pages and navigation ---- */

  function page(pattern, draw) {
    const keys = [];
    const re = new RegExp("^" + pattern.replace(/:(\w+)/g, (_, k) => { keys.push(k); return "([^/]+)"; }) + "/?$");
    pages.push({ re, keys, draw });
  }

  /** Adds a section to a core page (`overview`, `clock`, `webhooks`). */
  function panel(name, draw) {
    (panels[name] = panels[name] || []).push(draw);
  }

  async function drawPanels(name, ctx) {
    const list = panels[name] || [];
    const drawnPanels = await Promise.all(list.map((d) => d(ctx).catch((e) => errorBox(e))));
    return drawnPanels.filter(Boolean);
  }

  function errorBox(e) {
    return h("p.error", { role: "alert" }, e && e.message ? e.message : String(e));
  }

  function stop() {
    watchers = [];
    timers.forEach(clearInterval);
    timers = [];
    objectUrls.forEach((u) => URL.revokeObjectURL(u));
    objectUrls = [];
  }

  function markNav() {
    const here = location.pathname.replace(/\/$/, "");
    let best = null;
    for (const a of document.querySelectorAll(".side a")) {
      a.removeAttribute("aria-current");
      const p = a.pathname.replace(/\/$/, "");
      if ((here === p || here.startsWith(p + "/")) && (!best || p.length > best.pathname.length)) best = a;
    }
    if (best) best.setAttribute("aria-current", "page");
  }

  async function show(how) {
    const me = ++drawn;
    const refreshing = how === "refresh";
    const main = document.getElementById("main");
    const focusedId = refreshing && document.activeElement ? document.activeElement.id : null;
    const scroll = window.scrollY;
    if (!refreshing) stop();
    const rest = location.pathname.slice(BASE.length).replace(/\/$/, "") || "/";
    const query = new URLSearchParams(location.search);
    for (const p of pages) {
      const m = p.re.exec(rest);
      if (!m) continue;
      const params = {};
      p.keys.forEach((k, i) => { params[k] = decodeURIComponent(m[i + 1]); });
      const ctx = context(params, query, me);
      let node;
      try {
        node = await p.draw(ctx);
      } catch (e) {
        node = [h("h1", {}, e && e.status === 404 ? "Not found" : "Something went wrong"), errorBox(e)];
      }
      if (me !== drawn) return;
      if (refreshing) stop();
      watchers = ctx.watchers;
      timers = ctx.timers;
      main.replaceChildren();
      add(main, [node]);
      markNav();
      if (refreshing) {
        window.scrollTo(0, scroll);
        const again = focusedId && document.getElementById(focusedId);
        if (again) again.focus();
      } else if (how === "navigate") {
        const heading = main.querySelector("h1");
        (heading || main).setAttribute("tabindex", "-1");
        (heading || main).focus();
        window.scrollTo(0, 0);
      }
      return;
    }
    main.replaceChildren(h("h1", {}, "Page not found"),
      h("p", {}, "No console page lives here. ", link("Choose a tenant", BASE + "/"), "."));
  }

  function context(params, query, me) {
    const ctx = {
      params,
      query,
      tenant: TENANT,
      admin: ADMIN,
      watchers: [],
      timers: [],
      api,
      title(t) { document.title = `${t} · kyc-sandbox console`; },
      refresh() { if (me === drawn) show("refresh"); },
      /** Redraws when one of `parts` (seq, deliveries, clock, armed) changes. */
      watch(parts, fn) { ctx.watchers.push({ parts, fn: fn || (() => ctx.refresh()) }); },
      every(ms, fn) { ctx.timers.push(setInterval(fn, ms)); },
      go,
    };
    return ctx;
  }

  function go(url, opts = {}) {
    const target = new URL(url, location.href);
    if (opts.replace) history.replaceState(null, "", target);
    else history.pushState(null, "", target);
    show(opts.replace ? "refresh" : "navigate");
  }

  /** Follows console links in place when they stay with the same tenant. */
  document.addEventListener("click", (e) => {
    const a = e.target.closest && e.target.closest("a[href]");
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    if (a.origin !== location.origin || !a.pathname.startsWith(BASE + "/") || a.target) return;
    const tenantOf = (p) => (p.slice(BASE.length).match(/^\/tenants\/([^/]+)/) || [])[1] || "";
    if (tenantOf(a.pathname) !== encodeURIComponent(TENANT) || !TENANT) return;
    e.preventDefault();
    go(a.href);
  });
  window.addEventListener("popstate", () => show("navigate"));

  /* ---- Live: the tenant's change feed ---- */

  const liveListeners = [];

  function connect() {
    if (!TENANT || live) return;
    live = new EventSource(`${ADMIN}/events?tenant=${encodeURIComponent(TENANT)}`);
    live.addEventListener("change", (e) => {
      const now = JSON.parse(e.data);
      const before = lastLive;
      lastLive = now;
      liveListeners.forEach((fn) => fn(now, before));
      if (!before) return;
      const changed = (part) => JSON.stringify(now[part]) !== JSON.stringify(before[part]);
      const due = watchers.filter((w) => w.parts.some(changed));
      if (due.length) debounce(() => due.forEach((w) => w.fn(now)));
    });
  }

  let pending = null;
  function debounce(fn) {
    clearTimeout(pending);
    pending = setTimeout(fn, 150);
  }

  function onLive(fn) { liveListeners.push(fn); }

  /** Redraws what depends on `part` now, without waiting for the live feed
   * (the console itself just changed it). */
  function poke(part) {
    const due = watchers.filter((w) => w.parts.includes(part));
    if (due.length) debounce(() => due.forEach((w) => w.fn(lastLive || {})));
  }

  window.KycConsole = {
    BASE, ADMIN, TENANT, h, add, path, link, time, badge, table, empty, facts, tree, copy, copyButton,
    confirmDialog, announce, api, ApiError, thumb, page, panel, drawPanels, errorBox, go, onLive, poke,
  };

  document.addEventListener("DOMContentLoaded", () => {
    connect();
    show("first");
  });
})();
