// Renders /openapi.json: every operation by tag, with its parameters, body
// schema (references resolved), responses and links. Text only, no markup
// from the document is ever interpreted.
"use strict";

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v; else node.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    node.append(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return node;
}

// A schema with its references replaced by what they name (once per path, so cycles end).
function resolve(doc, schema, seen) {
  if (Array.isArray(schema)) return schema.map((s) => resolve(doc, s, seen));
  if (!schema || typeof schema !== "object") return schema;
  if (typeof schema.$ref === "string") {
    const name = schema.$ref.split("/").pop();
    if (seen.has(name)) return { $ref: schema.$ref };
    const target = (doc.components.schemas || {})[name];
    return resolve(doc, target, new Set([...seen, name]));
  }
  const out = {};
  for (const [k, v] of Object.entries(schema)) out[k] = resolve(doc, v, seen);
  return out;
}

function json(doc, value) {
  return el("pre", {}, JSON.stringify(resolve(doc, value, new Set()), null, 2));
}

function operation(doc, path, method, op) {
  const body = el("div", { class: "body" });
  if (op.description) body.append(el("p", {}, op.description));
  const sec = (op.security || []).map((s) => Object.keys(s).join(" + ") || "none").join(" or ");
  body.append(el("p", {}, "Security: " + (sec || "none")));
  if (op.parameters && op.parameters.length) {
    const rows = op.parameters.map((p) =>
      el("tr", {}, el("td", {}, p.name), el("td", {}, p.in), el("td", {}, p.required ? "required" : "optional"),
        el("td", {}, JSON.stringify(p.schema || {})), el("td", {}, p.description || "")));
    body.append(el("h4", {}, "Parameters"),
      el("table", {}, el("tr", {}, ...["Name", "In", "", "Schema", ""].map((h) => el("th", {}, h))), ...rows));
  }
  if (op.requestBody) {
    const content = op.requestBody.content || {};
    for (const [type, media] of Object.entries(content)) {
      body.append(el("h4", {}, "Body (" + type + (op.requestBody.required ? ", required" : ", optional") + ")"),
        json(doc, media.schema || {}));
    }
  }
  body.append(el("h4", {}, "Responses"));
  for (const [status, resp] of Object.entries(op.responses || {})) {
    const box = el("details", {}, el("summary", {}, status + " — " + (resp.description || "")));
    for (const [type, media] of Object.entries(resp.content || {})) {
      box.append(el("div", { class: "body" }, el("p", {}, type), json(doc, media.schema || {})));
    }
    if (resp.links) {
      const items = Object.entries(resp.links).map(([name, l]) =>
        el("li", {}, name + " → " + l.operationId + " " + JSON.stringify(l.parameters || l.requestBody || {})));
      box.append(el("div", { class: "body" }, el("p", {}, "Links"), el("ul", {}, ...items)));
    }
    body.append(box);
  }
  const summary = el("summary", {},
    el("span", { class: "method " + method }, method.toUpperCase()), path, el("span", { class: "sum" }, op.summary || ""));
  const node = el("details", { "data-search": (method + " " + path + " " + (op.summary || "") + " " + (op.tags || []).join(" ")).toLowerCase() }, summary, body);
  return node;
}

function render(doc) {
  const main = document.getElementById("doc");
  const byTag = new Map();
  for (const t of doc.tags || []) byTag.set(t.name, { description: t.description, ops: [] });
  for (const [path, item] of Object.entries(doc.paths || {})) {
    for (const [method, op] of Object.entries(item)) {
      const tag = (op.tags || ["Other"])[0];
      if (!byTag.has(tag)) byTag.set(tag, { description: "", ops: [] });
      byTag.get(tag).ops.push(operation(doc, path, method, op));
    }
  }
  for (const [name, t] of byTag) {
    if (!t.ops.length) continue;
    main.append(el("section", {}, el("h2", {}, name + " (" + t.ops.length + ")"), el("p", {}, t.description || ""), ...t.ops));
  }
  const info = doc.info || {};
  const meta = document.getElementById("meta");
  meta.replaceChildren("OpenAPI " + doc.openapi + " · version " + info.version + " · ",
    el("a", { href: "/openapi.json" }, "/openapi.json"));
  document.getElementById("filter").addEventListener("input", (e) => {
    const q = e.target.value.trim().toLowerCase();
    for (const d of main.querySelectorAll("details[data-search]")) {
      d.hidden = q !== "" && !d.getAttribute("data-search").includes(q);
    }
  });
}

fetch("/openapi.json")
  .then((r) => r.json())
  .then(render)
  .catch((e) => {
    document.getElementById("meta").textContent = "Could not load /openapi.json: " + e;
  });
