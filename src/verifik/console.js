/* kyc-sandbox console: Verifik's page — the tenant's recent face-recognition
 * calls with their scores and pass/fail decisions — and its overview panel.
 * Data comes from /__admin/verifik/calls. */
(() => {
  "use strict";
  const C = window.KycConsole;
  const { h, path, link, time, badge, table, empty } = C;

  function decision(d) {
    if (!d) return h("span.muted", {}, "–");
    const verdict = d.passed === undefined ? badge("no threshold", "") : badge(d.passed ? "pass" : "fail");
    return [h("code", {}, String(d.score)), d.minScore !== undefined ? h("span.muted", {}, ` / ${d.minScore} `) : " ", verdict];
  }

  function callsTable(items) {
    return table([
      { label: "At", cell: (c) => time(c.at) },
      { label: "Endpoint", cell: (c) => h("code", {}, c.endpoint) },
      { label: "Status", cell: (c) => badge(String(c.status), c.status < 300 ? "ok" : "bad") },
      { label: "Comparison (score / min)", cell: (c) => decision(c.comparison) },
      { label: "Liveness (score / min)", cell: (c) => decision(c.liveness) },
      { label: "Decided by", cell: (c) => (c.scenario === "default" ? h("span.muted", {}, "default") : [c.scenario, " ", badge(c.scenarioSource, "info")]) },
      { label: "Images", num: true, cell: (c) => String(c.images) },
    ], items);
  }

  C.page("/tenants/:key/face-recognition", async (ctx) => {
    ctx.title("Face recognition");
    ctx.watch(["seq"]);
    const data = await C.api(`${C.ADMIN}/verifik/calls`);
    return [
      h("h1", {}, "Face recognition"),
      h("p", {}, `The newest ${data.kept} Verifik calls this token made are kept, with the scores the sandbox answered and what they decided. `,
        "Comparisons pass at or above their minimum; liveness passes only above it."),
      data.items.length ? callsTable(data.items) : empty("No face-recognition calls with this token yet."),
    ];
  });

  C.panel("overview", async () => {
    const data = await C.api(`${C.ADMIN}/verifik/calls`);
    if (!data.items.length) return null;
    return h("section.card", { "aria-labelledby": "recent-calls-h" }, h("h2", { id: "recent-calls-h" }, "Recent face-recognition calls"),
      callsTable(data.items.slice(0, 5)), h("p", {}, link("All calls", path("face-recognition"))));
  });
})();
