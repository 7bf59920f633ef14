/* kyc-sandbox console: ComplyCube's pages — clients (search, one client with
 * everything it owns), checks (the list, one check with its result tree,
 * the scenario that decided it and its timeline) — and its panels on the
 * overview, clock and webhooks pages. Data comes from /__admin/complycube/. */
(() => {
  "use strict";
  const C = window.KycConsole;
  const { h, path, link, time, badge, table, empty, facts } = C;
  const CC = `${C.ADMIN}/complycube`;

  function outcomeBadge(c, props) {
    return c.status === "complete" && c.outcome ? badge(c.outcome, undefined, props) : badge(c.status, undefined, props);
  }

  function checksTable(items) {
    return table([
      { label: "Created", cell: (c) => time(c.createdAt) },
      { label: "Check", cell: (c) => link(c.type, path("checks", c.id)) },
      { label: "Client", cell: (c) => link(c.entityName || c.clientId, path("clients", c.clientId)) },
      { label: "Result", cell: (c) => outcomeBadge(c) },
      { label: "Decided by", cell: (c) => (c.scenario ? [c.scenario, " ", badge(c.scenarioSource, "info")] : h("span.muted", {}, "default")) },
    ], items, (c) => ({ "data-check": c.id }));
  }

  /* ---- Clients ---- */

  C.page("/tenants/:key/clients", async (ctx) => {
    ctx.title("Clients");
    ctx.watch(["seq"]);
    const q = ctx.query.get("q") || "";
    const data = await C.api(`${CC}/clients?q=${encodeURIComponent(q)}`);
    const input = h("input", { id: "client-search", type: "search", name: "q", value: q, placeholder: "Name, email, external id or id" });
    return [
      h("h1", {}, "Clients"),
      h("form.inline", {
        role: "search",
        onsubmit: (e) => { e.preventDefault(); ctx.go(`?q=${encodeURIComponent(input.value.trim())}`); },
      }, h("div.field", {}, h("label", { for: "client-search" }, "Find a client"), input),
      h("button.primary", { type: "submit" }, "Search")),
      h("p.muted", {}, `${data.total} client${data.total === 1 ? "" : "s"}${q ? ` matching “${q}”` : ""}.`),
      data.items.length ? table([
        { label: "Name", cell: (c) => link(c.entityName || "(no name)", path("clients", c.id)) },
        { label: "Email", cell: (c) => c.email },
        { label: "External id", cell: (c) => c.externalId || "–" },
        { label: "Type", cell: (c) => c.type },
        { label: "Checks", num: true, cell: (c) => String(c.checks) },
        { label: "Created", cell: (c) => time(c.createdAt) },
      ], data.items) : empty(q ? "No client matches." : "No clients yet."),
    ];
  });

  function person(c) {
    const p = c.personDetails || {};
    const co = c.companyDetails || {};
    return [
      ["Id", h("code", {}, c.id)], ["Type", c.type], ["Email", c.email], ["External id", c.externalId],
      ["Mobile", c.mobile], ["First name", p.firstName], ["Middle name", p.middleName], ["Last name", p.lastName],
      ["Date of birth", p.dob], ["Nationality", p.nationality], ["Company", co.name],
      ["Incorporation country", co.incorporationCountry], ["Created", time(c.createdAt)], ["Updated", time(c.updatedAt)],
    ];
  }

  C.page("/tenants/:key/clients/:id", async (ctx) => {
    ctx.watch(["seq"]);
    const d = await C.api(`${CC}/clients/${encodeURIComponent(ctx.params.id)}`);
    const c = d.client;
    ctx.title(c.entityName || "Client");
    const risk = d.riskProfile;
    return [
      h("p", {}, link("← Clients", path("clients"))),
      h("div.spread", {}, h("h1", {}, c.entityName || "(no name)"), badge(`risk: ${risk.overall}`, { low: "ok", medium: "warn", high: "bad" }[risk.overall] || "")),
      h("div.grid", {},
        h("section.card", { "aria-labelledby": "details-h" }, h("h2", { id: "details-h" }, "Details"), facts(person(c)),
          c.metadata ? [h("h3", {}, "Metadata"), C.tree(c.metadata)] : null),
        h("section.card", { "aria-labelledby": "risk-h" }, h("h2", { id: "risk-h" }, "Risk profile"),
          facts([["Overall", badge(risk.overall)], ["Country", risk.countryRisk.country || "–"],
            ["Decided by", risk.scenario || "the sandbox rule (address or country → low)"]]),
          h("p.muted", {}, "As the API answers now by fixture rules; an armed scenario or header applies on the next call."))),
      h("section", { "aria-labelledby": "checks-h" }, h("h2", { id: "checks-h" }, "Checks"),
        d.checks.length ? checksTable(d.checks) : empty("No checks yet.")),
      h("section", { "aria-labelledby": "docs-h" }, h("h2", { id: "docs-h" }, "Documents"),
        d.documents.length ? h("div.grid", {}, d.documents.map((doc) => h("div.card", { "data-document": doc.id },
          h("h3", {}, `${doc.type}${doc.issuingCountry ? ` · ${doc.issuingCountry}` : ""}`),
          h("div.thumbs", {}, (doc.images || []).map((img) => C.thumb(`${CC}/documents/${encodeURIComponent(doc.id)}/images/${img.documentSide}`,
            `${img.documentSide} · ${img.fileName}`))),
          (doc.images || []).length ? null : h("p.muted", {}, "No image uploaded."),
          facts([["Id", h("code", {}, doc.id)], ["Classification", doc.classification], ["Created", time(doc.createdAt)]]))))
          : empty("No documents.")),
      h("section", { "aria-labelledby": "photos-h" }, h("h2", { id: "photos-h" }, "Live photos"),
        d.livePhotos.length ? h("div.thumbs", {}, d.livePhotos.map((p) => C.thumb(`${CC}/livePhotos/${encodeURIComponent(p.id)}/image`,
          `live photo · ${time(p.createdAt)}`))) : empty("No live photos.")),
      h("section", { "aria-labelledby": "videos-h" }, h("h2", { id: "videos-h" }, "Live videos"),
        d.liveVideos.length ? table([
          { label: "Id", cell: (v) => h("code", {}, v.id) },
          { label: "Language", cell: (v) => v.language || "–" },
          { label: "Challenges", cell: (v) => (v.challenges || []).map((ch) => `${ch.type}: ${ch.value.join(", ")}`).join(" · ") || "–" },
          { label: "Created", cell: (v) => time(v.createdAt) },
        ], d.liveVideos) : empty("No live videos.")),
      h("section", { "aria-labelledby": "addr-h" }, h("h2", { id: "addr-h" }, "Addresses"),
        d.addresses.length ? table([
          { label: "Address", cell: (a) => [a.propertyNumber, a.buildingName, a.line, a.city, a.state, a.postalCode].filter(Boolean).join(", ") },
          { label: "Country", cell: (a) => a.country },
          { label: "Type", cell: (a) => a.type || "–" },
        ], d.addresses) : empty("No addresses.")),
      h("details", {}, h("summary", {}, "Client JSON"), h("pre", {}, JSON.stringify(c, null, 2))),
    ];
  });

  /* ---- Checks ---- */

  C.page("/tenants/:key/checks", async (ctx) => {
    ctx.title("Checks");
    ctx.watch(["seq", "clock"]);
    const status = ctx.query.get("status") || "";
    const data = await C.api(`${CC}/checks?status=${encodeURIComponent(status)}`);
    const pick = h("select", { id: "check-status", onchange: () => ctx.go(pick.value ? `?status=${pick.value}` : "?", { replace: true }) },
      ["", "pending", "complete", "failed"].map((s) => h("option", { value: s, selected: s === status }, s || "any status")));
    return [
      h("h1", {}, "Checks"),
      h("form.inline", { onsubmit: (e) => e.preventDefault() }, h("div.field", {}, h("label", { for: "check-status" }, "Status"), pick)),
      data.items.length ? checksTable(data.items) : empty("No checks yet."),
    ];
  });

  function timeline(d) {
    const items = d.timeline.map((t) => ({ at: t.at, node: [h("strong", {}, t.detail),
      t.events.length ? h("div", {}, "Events: ", t.events.map((e, i) => [i ? ", " : "", h("code", {}, e)])) : null] }));
    for (const del of d.deliveries) {
      items.push({ at: del.createdAt, node: [h("strong", {}, "Webhook delivery "), link(del.eventType, path("webhooks", "deliveries", del.id)),
        " ", badge(del.state), h("div.muted", {}, `to ${del.url} · ${del.attemptCount} attempt${del.attemptCount === 1 ? "" : "s"}`)] });
    }
    items.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    return h("ol.timeline", {}, items.map((i) => h("li", {}, h("time", { datetime: i.at }, time(i.at)), i.node)));
  }

  C.page("/tenants/:key/checks/:id", async (ctx) => {
    ctx.watch(["seq", "clock", "deliveries"]);
    const d = await C.api(`${CC}/checks/${encodeURIComponent(ctx.params.id)}`);
    const c = d.check;
    ctx.title(`${c.type} ${c.status}`);
    if (c.status === "pending") ctx.every(3000, () => ctx.refresh());
    const by = d.decidedBy;
    const json = JSON.stringify(c, null, 2);
    return [
      h("p", {}, link("← Checks", path("checks"))),
      h("div.spread", {}, h("h1", {}, c.type),
        h("div.row", {}, badge(c.status, undefined, { id: "check-status", class: "big" }),
          c.result ? badge(c.result.outcome, undefined, { id: "check-outcome", class: "big" }) : null)),
      h("div.grid", {},
        h("section.card", { "aria-labelledby": "about-h" }, h("h2", { id: "about-h" }, "About"), facts([
          ["Id", h("code", {}, c.id)], ["Client", link(c.entityName || c.clientId, path("clients", c.clientId))],
          ["Created", time(c.createdAt)], [c.status === "pending" ? "Completes at" : "Completed at", time(d.completeAt)],
          ["Tenant time now", time(d.now)],
        ]), c.status === "pending" ? h("p.muted", {}, "Pending until the tenant's clock reaches the completion time: advance it from the clock bar.") : null),
        h("section.card", { "aria-labelledby": "decided-h", id: "decided-by" }, h("h2", { id: "decided-h" }, "Decided by"),
          h("p", {}, h("strong", {}, by.name), " ", badge(by.source, by.source === "default" ? "" : "info")),
          h("p", {}, by.why), by.description ? h("p.muted", {}, by.description) : null,
          by.file ? h("p.muted", {}, `From the fixture file ${by.file}`) : null)),
      h("section", { "aria-labelledby": "result-h" }, h("h2", { id: "result-h" }, "Result"),
        c.result ? h("div.card", { id: "breakdown" }, h("p", {}, "Outcome ", badge(c.result.outcome)),
          c.result.breakdown ? C.tree(c.result.breakdown) : empty("No breakdown."))
          : empty("No result while the check is pending.")),
      h("section", { "aria-labelledby": "timeline-h" }, h("h2", { id: "timeline-h" }, "Timeline"), h("div.card", {}, timeline(d))),
      h("section", { "aria-labelledby": "json-h" }, h("div.spread", {}, h("h2", { id: "json-h" }, "Check JSON"), C.copyButton("Copy JSON", json)),
        h("pre", { id: "check-json" }, json)),
    ];
  });

  /* ---- Panels on the core pages ---- */

  C.panel("overview", async () => {
    const data = await C.api(`${CC}/checks`);
    return h("section.card", { "aria-labelledby": "recent-checks-h" }, h("h2", { id: "recent-checks-h" }, "Recent checks"),
      data.items.length ? checksTable(data.items.slice(0, 10)) : empty("No checks yet."),
      h("p", {}, link("All checks", path("checks")), " · ", link("Clients", path("clients"))));
  });

  C.panel("clock", async (ctx) => {
    const data = await C.api(`${CC}/checks?status=pending`);
    const go = async () => {
      const r = await C.api(`${CC}/checks/complete-pending`, { method: "POST", body: {} });
      C.announce(`${r.completed} pending checks completed`);
      await C.clock.load();
      ctx.refresh();
    };
    return h("div", {}, h("h3", {}, "Pending checks"),
      h("p", {}, `${data.total} pending. `, "Completing them moves the clock to the last one's completion time, so each raises its events once."),
      h("button.primary", { type: "button", onclick: go, disabled: data.total === 0 }, "Complete pending checks now"));
  });

  C.panel("webhooks", async () => {
    const data = await C.api(`${CC}/webhooks`);
    return h("section", { "aria-labelledby": "hooks-h" }, h("h2", { id: "hooks-h" }, "Endpoints"),
      data.items.length ? table([
        { label: "URL", cell: (w) => h("code", {}, w.url) },
        { label: "Events", cell: (w) => w.events.join(", ") },
        { label: "Enabled", cell: (w) => badge(w.enabled ? "enabled" : "disabled", w.enabled ? "ok" : "bad") },
        { label: "Created", cell: (w) => time(w.createdAt) },
      ], data.items) : empty("No webhooks: create one with POST /v1/webhooks."));
  });
})();
