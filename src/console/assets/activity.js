/* kyc-sandbox console: what happened — webhook deliveries (with the signed
 * body, its signature and one-click redelivery) and the request journal
 * (live, filterable, with "copy as curl"). */
(() => {
  "use strict";
  const C = window.KycConsole;
  const { h, path, link, time, badge, table, empty, facts } = C;

  /* ---- Webhook deliveries ---- */

  function lastAttempt(d) {
    const a = d.attempts[d.attempts.length - 1];
    if (!a) return "–";
    return a.status !== undefined ? `HTTP ${a.status}` : a.error || "error";
  }

  async function redeliver(id, ctx) {
    await C.api(`${C.ADMIN}/webhooks/deliveries/${encodeURIComponent(id)}/redeliver`, { method: "POST", body: {} });
    C.announce("Redelivery queued");
    ctx.refresh();
  }

  function deliveriesTable(items, ctx) {
    return table([
      { label: "Created", cell: (d) => time(d.createdAt) },
      { label: "Event", cell: (d) => link(d.eventType, path("webhooks", "deliveries", d.id)) },
      { label: "To", cell: (d) => h("code", {}, d.url) },
      { label: "State", cell: (d) => badge(d.state) },
      { label: "Attempts", num: true, cell: (d) => String(d.attemptCount) },
      { label: "Last answer", cell: lastAttempt },
      { label: "Action", actions: true, cell: (d) => h("button.small", { type: "button", onclick: () => redeliver(d.id, ctx), "aria-label": `Redeliver ${d.eventType}`, "data-delivery": d.id }, "Redeliver") },
    ], items, (d) => ({ "data-event": d.eventType, "data-state": d.state }));
  }
  C.deliveriesTable = deliveriesTable;

  C.page("/tenants/:key/webhooks", async (ctx) => {
    ctx.title("Webhooks");
    ctx.watch(["deliveries", "seq"]);
    const state = ctx.query.get("state") || "";
    const q = new URLSearchParams();
    if (state) q.set("state", state);
    const data = await C.api(`${C.ADMIN}/webhooks/deliveries?${q}`);
    const items = data.items.slice().reverse();
    const pick = h("select", { id: "delivery-state", onchange: () => ctx.go(pick.value ? `?state=${pick.value}` : "?", { replace: true }) },
      ["", "pending", "delivered", "failed", "disabled"].map((s) => h("option", { value: s, selected: s === state }, s || "any state")));
    return [
      h("h1", {}, "Webhooks"),
      await C.drawPanels("webhooks", ctx),
      h("h2", {}, "Deliveries"),
      h("form.inline", { onsubmit: (e) => e.preventDefault() },
        h("div.field", {}, h("label", { for: "delivery-state" }, "State"), pick)),
      items.length ? deliveriesTable(items, ctx) : empty("No deliveries yet."),
      data.dropped ? h("p.note", {}, `${data.dropped} deliveries were dropped because the outbox was full.`) : null,
    ];
  });

  C.page("/tenants/:key/webhooks/deliveries/:id", async (ctx) => {
    ctx.title("Delivery");
    ctx.watch(["deliveries"]);
    const d = await C.api(`${C.ADMIN}/webhooks/deliveries/${encodeURIComponent(ctx.params.id)}`);
    const header = d.signature ? `${d.signatureHeader}: ${d.signature}` : `${d.signatureHeader}: (the webhook was deleted)`;
    return [
      h("p", {}, link("← Webhooks", path("webhooks"))),
      h("div.spread", {}, h("h1", {}, d.eventType), badge(d.state, undefined, { class: "big" })),
      h("div.card", {}, facts([
        ["Delivery", h("code", {}, d.id)], ["Event id", h("code", {}, d.eventId)], ["To", h("code", {}, d.url)],
        ["Webhook", h("code", {}, d.webhookId)], ["Created", time(d.createdAt)],
        ["Next attempt", d.nextAttemptAt ? time(d.nextAttemptAt) : "none"], ["Attempts", String(d.attemptCount)],
      ]), h("div.row", {}, h("button.primary", { type: "button", onclick: () => redeliver(d.id, ctx) }, "Redeliver now"))),
      h("h2", {}, "Attempts"),
      d.attempts.length ? table([
        { label: "At", cell: (a) => time(a.at) },
        { label: "Answer", cell: (a) => (a.status !== undefined ? badge(`HTTP ${a.status}`, a.status < 300 ? "ok" : "bad") : badge(a.error || "error", "bad")) },
        { label: "Took", num: true, cell: (a) => `${a.durationMs.toFixed(1)} ms` },
      ], d.attempts) : empty("Not attempted yet."),
      h("h2", {}, "Signature header"),
      h("div.row", {}, h("code", {}, header), C.copyButton("Copy", header)),
      h("h2", {}, "Signed body"),
      h("p.muted", {}, "Exactly the bytes sent; the signature is HMAC-SHA256 of them with the webhook's secret."),
      h("pre", { id: "signed-body" }, d.body),
      C.copyButton("Copy body", d.body),
    ];
  });

  /* ---- The request journal ---- */

  const FILTERS = [["method", "Method"], ["pathPrefix", "Path starts with"], ["status", "Status"], ["scenario", "Scenario"]];

  function shell(s) { return `'${String(s).replace(/'/g, "'\\''")}'`; }

  /** The request as a curl command (headers the journal does not keep are left out). */
  function curl(e) {
    const url = location.origin + e.path + (e.query ? `?${e.query}` : "");
    const parts = ["curl"];
    if (e.method !== "GET") parts.push("-X", e.method);
    parts.push(shell(url));
    if (C.TENANT) parts.push("-H", shell(`Authorization: ${C.TENANT}`));
    if (e.scenarioSource === "header") parts.push("-H", shell(`X-Sandbox-Scenario: ${e.scenario}`));
    if (e.body) parts.push("-H", shell("Content-Type: application/json"), "--data-raw", shell(e.body));
    return parts.join(" ");
  }

  function statusBadge(s) {
    return badge(String(s), s >= 500 ? "bad" : s >= 400 ? "warn" : "ok");
  }

  function journalRow(e, fresh) {
    return h("tr", { class: [e.unknownRoute ? "unknown" : "", fresh ? "fresh" : ""].join(" ").trim() || null, "data-seq": e.seq },
      h("td", {}, time(e.at)),
      h("td", {}, e.method),
      h("td", {}, link(e.path + (e.query ? `?${e.query}` : ""), path("requests", String(e.seq))),
        e.unknownRoute ? [" ", badge("unknown route", "warn")] : null,
        e.body ? h("div.muted.preview", {}, e.body.length > 120 ? `${e.body.slice(0, 120)}…` : e.body) : null),
      h("td", {}, statusBadge(e.status)),
      h("td", {}, e.scenario === "default" ? h("span.muted", {}, "default") : [e.scenario, " ", badge(e.scenarioSource || "", "info")]),
      h("td.num", {}, `${e.durationMs.toFixed(1)} ms`));
  }

  C.page("/tenants/:key/requests", async (ctx) => {
    ctx.title("Journal");
    const q = new URLSearchParams();
    for (const [k] of FILTERS) if (ctx.query.get(k)) q.set(k, ctx.query.get(k));
    if (ctx.query.get("unknownRoute") === "true") q.set("unknownRoute", "true");
    q.set("limit", "200");
    const data = await C.api(`${C.ADMIN}/requests?${q}`);
    let newest = data.items.length ? data.items[0].seq : 0;
    const rows = h("tbody", { id: "journal-rows" }, data.items.map((e) => journalRow(e)));
    const count = h("p.muted", { "aria-live": "polite" }, `${data.count} shown of ${data.totalKept} kept (${data.evicted} evicted).`);
    ctx.watch(["seq"], async (now) => {
      if (now.seq < newest) { ctx.refresh(); return; } // the tenant was reset
      const more = new URLSearchParams(q);
      more.set("afterSeq", String(newest));
      const fresh = await C.api(`${C.ADMIN}/requests?${more}`);
      if (!fresh.items.length) return;
      newest = fresh.items[0].seq;
      rows.prepend(...fresh.items.map((e) => journalRow(e, true)));
      while (rows.children.length > 500) rows.lastElementChild.remove();
      C.announce(`${fresh.items.length} new request${fresh.items.length > 1 ? "s" : ""}`);
    });
    const inputs = FILTERS.map(([k, label]) => {
      const el = k === "method"
        ? h("select", { id: `f-${k}`, name: k }, ["", "GET", "POST", "PUT", "PATCH", "DELETE"].map((m) => h("option", { value: m, selected: m === (ctx.query.get(k) || "") }, m || "any")))
        : h("input", { id: `f-${k}`, name: k, value: ctx.query.get(k) || "", size: k === "status" ? 5 : 16, inputmode: k === "status" ? "numeric" : null });
      return [k, label, el];
    });
    const unknown = h("input", { id: "f-unknown", type: "checkbox", checked: ctx.query.get("unknownRoute") === "true" });
    const form = h("form.inline", {
      role: "search",
      onsubmit: (e) => {
        e.preventDefault();
        const next = new URLSearchParams();
        for (const [k, , el] of inputs) if (el.value.trim()) next.set(k, el.value.trim());
        if (unknown.checked) next.set("unknownRoute", "true");
        ctx.go(`?${next}`);
      },
    }, inputs.map(([k, label, el]) => h("div.field", {}, h("label", { for: `f-${k}` }, label), el)),
    h("div.check-field", {}, unknown, h("label", { for: "f-unknown" }, "Unknown routes only")),
    h("button.primary", { type: "submit" }, "Filter"));
    return [
      h("h1", {}, "Journal"),
      h("p", {}, "The tenant's requests, newest first; new ones appear as they arrive. Unknown routes are highlighted."),
      form,
      count,
      h("div.table-wrap", {}, h("table", {},
        h("thead", {}, h("tr", {}, ["At", "Method", "Path", "Status", "Scenario", "Took"].map((t, i) => h("th", { scope: "col", class: i === 5 ? "num" : null }, t)))),
        rows)),
    ];
  });

  C.page("/tenants/:key/requests/:seq", async (ctx) => {
    ctx.title("Request");
    const data = await C.api(`${C.ADMIN}/requests?seq=${encodeURIComponent(ctx.params.seq)}`);
    const e = data.items[0];
    if (!e) return [h("p", {}, link("← Journal", path("requests"))), h("h1", {}, "Request not kept"), empty("The journal no longer holds this request (it keeps the newest ones).")];
    const command = curl(e);
    return [
      h("p", {}, link("← Journal", path("requests"))),
      h("div.spread", {}, h("h1", {}, `${e.method} ${e.path}`), statusBadge(e.status)),
      e.unknownRoute ? h("p.note", {}, "No route matched this request: check the path and method your app sends.") : null,
      h("div.card", {}, facts([
        ["At", time(e.at)], ["Query", e.query ? h("code", {}, e.query) : null], ["Status", String(e.status)],
        ["Scenario", `${e.scenario}${e.scenarioSource ? ` (${e.scenarioSource})` : ""}`], ["Took", `${e.durationMs.toFixed(1)} ms`],
        ["Body size", `${e.bodyBytes} bytes${e.bodyTruncated ? " (cut in the journal)" : ""}`],
      ])),
      h("h2", {}, "Body"),
      e.body ? h("pre", { id: "request-body" }, e.body) : empty("No body."),
      h("h2", {}, "As curl"),
      h("pre", { id: "curl" }, command),
      h("div.row", {}, C.copyButton("Copy as curl", command),
        e.bodyTruncated ? h("span.muted", {}, "The body was cut in the journal; the command sends what was kept.") : null),
    ];
  });
})();
