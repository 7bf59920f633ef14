/* kyc-sandbox console: the vendor-neutral pages (tenants, overview,
 * scenarios, clock and faults, webhook deliveries, the request journal) and
 * the clock bar every tenant page shows. Vendors add their own pages and
 * panels from their scripts. */
(() => {
  "use strict";
  const C = window.KycConsole;
  const { h, path, link, time, badge, table, empty, facts } = C;

  /* ---- The clock bar ---- */

  const bar = document.getElementById("clockbar");
  let clock = null;
  let fetchedAt = 0;

  function nowMs() {
    if (!clock) return 0;
    return clock.frozen ? clock.nowMs : clock.nowMs + (Date.now() - fetchedAt) * clock.scale;
  }

  async function advance(ms) {
    clock = await C.api(`${C.ADMIN}/clock/advance`, { method: "POST", body: { ms } });
    fetchedAt = Date.now();
    drawBar();
    C.poke("clock");
    C.announce(`Sandbox clock advanced; now ${time(clock.now)}`);
    return clock;
  }

  async function setFrozen(frozen) {
    clock = await C.api(`${C.ADMIN}/clock/${frozen ? "freeze" : "unfreeze"}`, { method: "POST", body: {} });
    fetchedAt = Date.now();
    drawBar();
    C.poke("clock");
  }

  const STEPS = [["+1 min", 60e3], ["+1 h", 3600e3], ["+1 day", 86400e3]];

  function drawBar() {
    if (!bar || !clock) return;
    const shown = h("span.now", { title: "The tenant's sandbox clock" },
      time(new Date(nowMs()).toISOString()));
    bar.replaceChildren();
    C.add(bar, [
      h("span.visually-hidden", {}, "Sandbox clock"),
      shown,
      badge(clock.frozen ? "frozen" : "running", clock.frozen ? "info" : ""),
      h("button", { type: "button", id: "clock-freeze", onclick: () => setFrozen(!clock.frozen) },
        clock.frozen ? "Unfreeze" : "Freeze"),
      STEPS.map(([label, ms]) => h("button", {
        type: "button", "aria-label": `Advance the clock ${label.slice(1)}`, onclick: () => advance(ms),
      }, label))]);
  }

  async function loadClock() {
    if (!C.TENANT || !bar) return;
    try {
      clock = await C.api(`${C.ADMIN}/clock`);
      fetchedAt = Date.now();
      drawBar();
    } catch (e) { bar.replaceChildren(C.errorBox(e)); }
  }

  setInterval(() => {
    const el = bar && bar.querySelector(".now");
    if (el && clock && !clock.frozen) el.textContent = time(new Date(nowMs()).toISOString());
  }, 1000);

  C.onLive((now, before) => {
    if (before && JSON.stringify(now.clock) !== JSON.stringify(before.clock)) loadClock();
  });
  document.addEventListener("DOMContentLoaded", loadClock);
  C.clock = { advance, setFrozen, load: loadClock, STEPS };

  /* ---- Tenants ---- */

  function countsText(counts) {
    return Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(" · ");
  }

  C.page("/", async (ctx) => {
    ctx.title("Tenants");
    const data = await C.api(`${C.ADMIN}/tenants`, { tenant: "" });
    const key = h("input", { id: "tenant-key", name: "key", required: true, autocomplete: "off",
      placeholder: "the key or token in your app's Authorization header" });
    const open = h("form.inline", {
      onsubmit: (e) => {
        e.preventDefault();
        location.assign(`${C.BASE}/tenants/${encodeURIComponent(key.value.trim())}`);
      },
    }, h("div.field", {}, h("label", { for: "tenant-key" }, "API key or token your app uses"), key),
    h("button.primary", { type: "submit" }, "Open"));
    return [
      h("h1", {}, "Choose a tenant"),
      h("p", {}, "Each API key or token is its own sandbox. These are the ones this sandbox holds something for."),
      data.items.length
        ? table([
          { label: "Tenant", cell: (t) => h("a", { href: `${C.BASE}/tenants/${encodeURIComponent(t.tenant)}` }, h("code", {}, t.tenant)) },
          { label: "Holds", cell: (t) => countsText(t.counts) },
        ], data.items)
        : empty("Nothing yet: call the API with any key, or type the key your app uses."),
      h("h2", {}, "Open a tenant by key"),
      open,
    ];
  });

  /* ---- Overview ---- */

  C.page("/tenants/:key", async (ctx) => {
    ctx.title("Overview");
    ctx.watch(["seq", "armed", "deliveries"]);
    const [tenants, scenarios] = await Promise.all([
      C.api(`${C.ADMIN}/tenants`, { tenant: "" }),
      C.api(`${C.ADMIN}/scenarios`),
    ]);
    const mine = tenants.items.find((t) => t.tenant === C.TENANT);
    const counts = mine ? mine.counts : {};
    const reset = h("button.danger", {
      type: "button",
      onclick: async () => {
        const ok = await C.confirmDialog("Reset this tenant?",
          `Everything tenant ${C.TENANT} holds goes: resources, checks, webhooks and deliveries, armed scenarios, the journal, the clock and the fault profile. Fixtures stay.`,
          "Reset the tenant");
        if (!ok) return;
        await C.api(`${C.ADMIN}/reset`, { method: "POST", body: {} });
        C.announce("The tenant was reset");
        ctx.refresh();
      },
    }, "Reset tenant…");
    return [
      h("h1", {}, "Overview"),
      h("div.grid", {}, Object.keys(counts).length
        ? Object.entries(counts).map(([k, n]) => h("div.card", {}, h("div.stat", {}, String(n)), h("div.muted", {}, k)))
        : h("p.muted", {}, "This tenant holds nothing yet.")),
      h("section.card", { "aria-labelledby": "armed-h" },
        h("h2", { id: "armed-h" }, "Armed scenarios"),
        scenarios.armed.length
          ? h("ul", {}, scenarios.armed.map((a) => h("li", {}, h("strong", {}, a.name), " — ", a.trigger)))
          : h("p.muted", {}, "None: requests get fixture rules or the default. ", link("Choose the next outcome", path("scenarios")), ".")),
      await C.drawPanels("overview", ctx),
      h("section.card", { "aria-labelledby": "reset-h" },
        h("h2", { id: "reset-h" }, "Start over"),
        h("p", {}, "Forget everything this tenant holds."), reset),
    ];
  });

  /* ---- Scenarios ---- */

  function appliesTo(s) {
    const m = s.match || {};
    const parts = [];
    if (m.vendor) parts.push(m.vendor);
    if (m.endpoint) parts.push([m.endpoint].flat().join(" / "));
    if (m.checkType) parts.push([m.checkType].flat().join(" / "));
    return parts.join(" · ") || "any request";
  }

  C.page("/tenants/:key/scenarios", async (ctx) => {
    ctx.title("Scenarios");
    ctx.watch(["armed"]);
    const data = await C.api(`${C.ADMIN}/scenarios`);
    const filter = ctx.query.get("q") || "";
    const times = h("select", { id: "arm-times", name: "times" },
      [["1", "the next matching request"], ["2", "the next 2"], ["5", "the next 5"], ["10", "the next 10"], ["", "every request until removed"]]
        .map(([v, label]) => h("option", { value: v }, label)));
    const arm = async (name) => {
      const body = { name };
      if (times.value) body.times = Number(times.value);
      await C.api(`${C.ADMIN}/scenarios`, { method: "POST", body });
      C.announce(`Armed ${name}`);
      ctx.refresh();
    };
    const disarm = async (name) => {
      await C.api(`${C.ADMIN}/scenarios/${encodeURIComponent(name)}`, { method: "DELETE" });
      C.announce(`Disarmed ${name}`);
      ctx.refresh();
    };
    const search = h("input", { id: "scenario-filter", type: "search", name: "q", value: filter, placeholder: "attention, identity, document…" });
    const needle = filter.toLowerCase();
    const shown = data.scenarios.filter((s) => !needle || [s.name, s.description, s.trigger, appliesTo(s)].join(" ").toLowerCase().includes(needle));
    return [
      h("h1", {}, "Scenarios"),
      h("p", {}, "Choose what the next requests get. Armed scenarios win over the X-Sandbox-Scenario header, fixture rules and the default (",
        data.precedence.join(" → "), ")."),
      h("section", { "aria-labelledby": "armed-h" },
        h("h2", { id: "armed-h" }, "Armed for this tenant"),
        data.armed.length
          ? table([
            { label: "Scenario", cell: (a) => h("strong", {}, a.name) },
            { label: "Applies to", cell: (a) => a.trigger },
            { label: "Uses left", cell: (a) => (a.remainingUses === null ? "until removed" : String(a.remainingUses)) },
            { label: "Action", actions: true, cell: (a) => h("button.small", { type: "button", onclick: () => disarm(a.name), "aria-label": `Disarm ${a.name}` }, "Disarm") },
          ], data.armed)
          : empty("Nothing armed.")),
      h("section", { "aria-labelledby": "catalog-h" },
        h("h2", { id: "catalog-h" }, "Catalog"),
        h("form.inline", {
          role: "search",
          onsubmit: (e) => { e.preventDefault(); ctx.go(`?q=${encodeURIComponent(search.value)}`, { replace: true }); },
        },
        h("div.field", {}, h("label", { for: "scenario-filter" }, "Filter"), search),
        h("div.field", {}, h("label", { for: "arm-times" }, "Arm for"), times),
        h("button", { type: "submit" }, "Filter")),
        table([
          { label: "Arm", actions: true, cell: (s) => h("button.small.primary", { type: "button", onclick: () => arm(s.name), "aria-label": `Arm ${s.name}` }, "Arm") },
          { label: "Scenario", cell: (s) => [h("strong", {}, s.name), h("div.muted", {}, s.description)] },
          { label: "Applies to", cell: (s) => appliesTo(s) },
          { label: "Trigger", cell: (s) => s.trigger },
        ], shown, (s) => ({ "data-scenario": s.name }))),
    ];
  });

  /* ---- Clock and faults ---- */

  const FAULTS = [
    ["latencyMs", "Latency (ms)", "number"], ["latencyJitterMs", "Jitter (ms)", "number"],
    ["errorRate", "Error rate (0–1)", "number"], ["errorStatus", "Error status", "number"],
    ["dropRate", "Drop rate (0–1)", "number"], ["seed", "Seed", "number"], ["rateLimit", "Vendor rate limit", "checkbox"],
  ];

  C.page("/tenants/:key/clock", async (ctx) => {
    ctx.title("Clock & faults");
    ctx.watch(["clock"]);
    const [c, faults] = await Promise.all([C.api(`${C.ADMIN}/clock`), C.api(`${C.ADMIN}/faults`)]);
    const amount = h("input", { id: "advance-amount", type: "number", min: "0", step: "any", value: "30", required: true });
    const unit = h("select", { id: "advance-unit" }, [["60000", "minutes"], ["3600000", "hours"], ["86400000", "days"], ["1000", "seconds"]]
      .map(([v, l]) => h("option", { value: v }, l)));
    const after = async (p) => { await p; ctx.refresh(); };
    const inputs = {};
    const faultForm = h("form.stack", {
      onsubmit: async (e) => {
        e.preventDefault();
        const body = {};
        for (const [k, , kind] of FAULTS) {
          const el = inputs[k];
          if (kind === "checkbox") body[k] = el.checked;
          else if (el.value !== "") body[k] = Number(el.value);
        }
        try {
          await C.api(`${C.ADMIN}/faults`, { method: "POST", body });
          C.announce("Fault profile saved");
          ctx.refresh();
        } catch (err) { faultForm.append(C.errorBox(err)); }
      },
    }, h("div.grid", {}, FAULTS.map(([k, label, kind]) => {
      const id = `fault-${k}`;
      const v = faults.profile[k];
      inputs[k] = kind === "checkbox"
        ? h("input", { id, type: "checkbox", checked: v })
        : h("input", { id, type: "number", step: "any", min: "0", value: v === null || v === undefined ? "" : String(v) });
      return kind === "checkbox"
        ? h("div.check-field", {}, inputs[k], h("label", { for: id }, label))
        : h("div.stack", {}, h("label", { for: id }, label), inputs[k]);
    })), h("div.row", {},
      h("button.primary", { type: "submit" }, "Save fault profile"),
      h("button", { type: "button", onclick: () => after(C.api(`${C.ADMIN}/faults`, { method: "DELETE" })) }, "Back to the global flags")));
    return [
      h("h1", {}, "Clock & faults"),
      h("section.card", { "aria-labelledby": "clock-h" },
        h("h2", { id: "clock-h" }, "Sandbox clock"),
        facts([["Now", time(c.now)], ["State", c.frozen ? "frozen" : "running"], ["Ahead of real time", `${Math.round(c.offsetMs / 1000)} s`], ["Speed", `${c.scale}×`]]),
        h("div.row", {},
          h("button", { type: "button", onclick: () => after(C.clock.setFrozen(!c.frozen)) }, c.frozen ? "Unfreeze" : "Freeze"),
          C.clock.STEPS.map(([label, ms]) => h("button", { type: "button", onclick: () => after(C.clock.advance(ms)) }, `Advance ${label}`))),
        h("form.inline", {
          onsubmit: (e) => { e.preventDefault(); after(C.clock.advance(Math.round(Number(amount.value) * Number(unit.value)))); },
        }, h("div.field", {}, h("label", { for: "advance-amount" }, "Advance by"), amount),
        h("div.field", {}, h("label", { for: "advance-unit" }, "Unit"), unit),
        h("button.primary", { type: "submit" }, "Advance")),
        await C.drawPanels("clock", ctx)),
      h("section.card", { "aria-labelledby": "faults-h" },
        h("h2", { id: "faults-h" }, "Fault profile"),
        h("p", {}, "Injected into this tenant's vendor API calls (never the admin API). Now: ",
          badge(faults.source === "tenant" ? "this tenant's profile" : "the global flags", "info"), "."),
        faultForm),
    ];
  });
})();
