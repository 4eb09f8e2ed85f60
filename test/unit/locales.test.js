"use strict";
/**
 * Editor strings and help of every node in package.json `node-red.nodes`, in every language we
 * ship (en-US, de): catalogs with the same keys, every key the editor HTML uses present, no
 * hard-coded text in the edit templates, help with the Node-RED sections, the registerType
 * conventions (palette/port labels, icon, vendor colour, explaining validators), and password-type
 * credentials (editor and runtime agree).
 */
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const root = path.join(__dirname, "..", "..");
const pkg = require(path.join(root, "package.json"));
const MODULE = pkg.name;
const NODES = Object.entries(pkg["node-red"].nodes).map(([type, file]) => ({ type, base: path.basename(file, ".js"), dir: path.dirname(path.join(root, file)) }));
const LANGS = ["en-US", "de"];
/** Help headings per language: non-config nodes, config nodes. */
const HEADINGS = {
  "en-US": { node: ["Inputs", "Outputs", "Details", "References"], config: ["Properties", "Details", "References"] },
  de: { node: ["Eingaben", "Ausgaben", "Details", "Referenzen"], config: ["Eigenschaften", "Details", "Referenzen"] },
};
const COLOURS = { navien: "#7FB7E0", nox: "#8FD19E", waviot: "#F3B567" };
const SECRET_NAME = /pass|secret|token|key/i;

const read = (file) => fs.readFileSync(file, "utf8");
const catalogFile = (node, lang) => path.join(node.dir, "locales", lang, `${node.base}.json`);
const helpFile = (node, lang) => path.join(node.dir, "locales", lang, `${node.base}.html`);
const catalog = (node, lang) => JSON.parse(read(catalogFile(node, lang)));
const editorHtml = (node) => read(path.join(node.dir, `${node.base}.html`));

/** Every key path of a catalog ("a.b.c"), objects included. */
function keyPaths(obj, prefix = "") {
  const out = [];
  for (const [k, v] of Object.entries(obj)) {
    out.push(prefix + k);
    if (v && typeof v === "object") out.push(...keyPaths(v, `${prefix}${k}.`));
  }
  return out.sort();
}
function leaves(obj, prefix = "") {
  return Object.entries(obj).flatMap(([k, v]) => (v && typeof v === "object" ? leaves(v, `${prefix}${k}.`) : [[prefix + k, v]]));
}
const lookup = (cat, key) => key.split(".").reduce((o, k) => (o && typeof o === "object" ? o[k] : undefined), cat);

/**
 * Resolves a key as the editor would for this node: plain keys in the node's own catalog,
 * `<module>/<set>:key` in that set's catalog; core keys (`node-red:…`) are Node-RED's own.
 */
function resolve(node, key, lang = "en-US") {
  const colon = key.indexOf(":");
  if (colon === -1) return lookup(catalog(node, lang), key);
  const ns = key.slice(0, colon);
  if (ns === "node-red") return "(core)";
  assert.ok(ns.startsWith(`${MODULE}/`), `${node.type}: unknown catalog namespace in "${key}"`);
  const other = NODES.find((n) => n.base === ns.slice(MODULE.length + 1));
  assert.ok(other, `${node.type}: "${key}" names a node set that is not in package.json`);
  return lookup(catalog(other, lang), key.slice(colon + 1));
}

/** The `_` of an editor definition/node: the catalog string with __name__ substituted, else the key. */
function translator(node, lang) {
  return (key, subs = {}) => {
    const v = resolve(node, key, lang);
    return typeof v === "string" ? v.replace(/__(\w+)__/g, (_m, n) => String(subs[n] ?? "")) : key;
  };
}

/** Runs the editor script with a stub RED and returns the definition passed to registerType. */
function definition(node) {
  const html = editorHtml(node);
  const scripts = [...html.matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  const defs = {};
  const RED = {
    nodes: { registerType: (t, d) => (defs[t] = d) },
    validators: { regex: (re) => (v) => re.test(v), number: () => (v) => !isNaN(Number(v)) },
    settings: {},
    _: (k) => k,
  };
  for (const js of scripts) vm.runInNewContext(js, { RED, $: () => ({}) });
  assert.ok(defs[node.type], `${node.type} registered in its HTML`);
  return defs[node.type];
}

/** Runs the runtime module with a stub RED: its registerType options and admin routes. */
function runtime(node) {
  const registered = {};
  const routes = [];
  const RED = {
    nodes: { registerType: (t, ctor, opts) => (registered[t] = opts || {}), createNode() {}, getNode: () => null, getCredentials: () => undefined },
    httpAdmin: { get: (p, ...h) => routes.push({ method: "GET", path: p, h }), post: (p, ...h) => routes.push({ method: "POST", path: p, h }) },
    httpNode: { get() {}, post() {}, _router: { stack: [] } },
    auth: { needsPermission: (perm) => Object.assign((_q, _s, next) => next(), { permission: perm }) },
    settings: {},
    log: { info() {}, warn() {}, error() {}, debug() {}, trace() {} },
    events: { on() {}, removeListener() {} },
    _: (k) => k,
  };
  let mod = require(path.join(node.dir, `${node.base}.js`));
  if (mod && typeof mod !== "function" && typeof mod.default === "function") mod = mod.default;
  mod(RED);
  assert.ok(registered[node.type], `${node.type} registered by the runtime module`);
  return { opts: registered[node.type], routes };
}

/** Every i18n key the editor HTML uses: data-i18n attributes and _("…") calls (dynamic ones end in "."). */
function usedKeys(html) {
  const keys = [];
  for (const m of html.matchAll(/data-i18n="([^"]+)"/g)) {
    for (const part of m[1].split(";")) keys.push({ key: part.replace(/^\s*\[[\w-]+\]/, "").trim(), how: "data-i18n" });
  }
  for (const m of html.matchAll(/(?:^|[^\w$])_\(\s*"([^"]+)"(\s*\+)?/g)) keys.push({ key: m[1], how: "_()", dynamic: !!m[2] });
  return keys;
}

describe("editor strings and help (every node, en-US and de)", () => {
  it("package.json lists the nodes", () => {
    assert.ok(NODES.length >= 10, `${NODES.length} nodes`);
  });

  for (const node of NODES) {
    describe(node.type, () => {
      const isConfig = () => definition(node).category === "config";

      it("catalogs: en-US and de exist, same key set (deep), every string non-empty", () => {
        const cats = LANGS.map((lang) => {
          assert.ok(fs.existsSync(catalogFile(node, lang)), `${lang}/${node.base}.json exists`);
          return catalog(node, lang);
        });
        assert.ok(cats[0][node.type] && typeof cats[0][node.type] === "object", `strings live under "${node.type}"`);
        assert.deepEqual(keyPaths(cats[1]), keyPaths(cats[0]), "de has exactly the keys of en-US");
        for (const [lang, cat] of LANGS.map((l, i) => [l, cats[i]])) {
          for (const [k, v] of leaves(cat)) assert.ok(typeof v === "string" && v.trim() !== "", `${lang} ${k} is a non-empty string`);
          // A __placeholder__ in one language must exist in the other (same substitutions).
          for (const [k, v] of leaves(cat)) {
            const other = lookup(cats[lang === "en-US" ? 1 : 0], k);
            const names = (s) => [...s.matchAll(/__(\w+?)__/g)].map((m) => m[1]).sort();
            assert.deepEqual(names(v), names(other), `${k}: same __placeholders__ in every language`);
          }
        }
      });

      it("every key used by the editor HTML exists (data-i18n, _(\"…\")) in every language", () => {
        const keys = usedKeys(editorHtml(node));
        assert.ok(keys.length > 0, "the editor uses the catalog");
        for (const lang of LANGS) {
          for (const { key, how, dynamic } of keys) {
            const v = resolve(node, key.replace(/\.$/, ""), lang);
            if (dynamic) assert.ok(v && typeof v === "object", `${lang}: ${how} prefix "${key}" is a group of strings`);
            else assert.equal(typeof v, "string", `${lang}: ${how} key "${key}"`);
          }
        }
      });

      it("edit template: no hard-coded text, placeholder or title", () => {
        const html = editorHtml(node);
        const m = new RegExp(`<script type="text/html" data-template-name="${node.type}">([\\s\\S]*?)</script>`).exec(html);
        assert.ok(m, "edit template present");
        const template = m[1];
        assert.doesNotMatch(template, /\s(placeholder|title)="/, "placeholder/title come from data-i18n");
        const text = template.replace(/<[^>]*>/g, " ").replace(/&nbsp;/g, " ").trim();
        assert.equal(text, "", "every visible text comes from data-i18n");
      });

      it("help: en-US and de, data-help-name, required sections, same structure", () => {
        const shapes = LANGS.map((lang) => {
          assert.ok(fs.existsSync(helpFile(node, lang)), `${lang}/${node.base}.html exists`);
          const help = read(helpFile(node, lang));
          assert.match(help, new RegExp(`<script type="text/html" data-help-name="${node.type}">`));
          const h3 = [...help.matchAll(/<h3>([^<]+)<\/h3>/g)].map((x) => x[1]);
          const want = HEADINGS[lang][isConfig() ? "config" : "node"];
          assert.deepEqual(h3.filter((h) => want.includes(h)), want, `${lang}: sections ${want.join(", ")} in this order`);
          return { h3: h3.length, dt: (help.match(/<dt[ >]/g) || []).length, li: (help.match(/<li>/g) || []).length };
        });
        assert.deepEqual(shapes[1], shapes[0], "de help has the structure of en-US (sections, properties, list items)");
      });

      it("registerType: palette/port labels, icon, vendor colour, validators that explain themselves", () => {
        const def = definition(node);
        const vendor = node.type.split("-")[0];
        const _ = translator(node, "en-US");
        def._ = _;
        const fake = Object.assign({ _ }, Object.fromEntries(Object.entries(def.defaults).map(([k, d]) => [k, d.value])));
        const text = (v, what) => {
          const s = typeof v === "function" ? v.call(what === "palette" ? def : fake, 0) : v;
          assert.ok(typeof s === "string" && s.trim() !== "", `${what} label is a string`);
          assert.ok(!/^[\w-]+\.[\w.]+$/.test(s) || s.includes(" "), `${what} label "${s}" is not an unresolved key`);
          return s;
        };
        text(def.label, "node");
        if (def.category !== "config") {
          text(def.paletteLabel, "palette");
          text(def.inputLabels, "input");
          text(def.outputLabels, "output");
          assert.equal(def.category, "home energy");
          assert.equal(def.color, COLOURS[vendor], `${vendor} colour`);
          assert.equal(def.icon, `${vendor}.svg`);
          assert.ok(fs.existsSync(path.join(root, "icons", def.icon)), "icon file");
        }
        for (const [prop, d] of Object.entries(def.defaults)) {
          if (typeof d.validate !== "function" || d.validate.length !== 2) continue;
          // Called the way the editor calls it with a hopeless value: false, or a resolved message.
          const r = d.validate.call(fake, "\u0000 not valid \u0000", {});
          if (r === true) continue;
          assert.equal(typeof r, "string", `${prop}: a 2-argument validator explains itself`);
          assert.ok(r.includes(" "), `${prop}: message "${r}" resolves in the catalog`);
          assert.equal(d.validate.call(fake, "\u0000 not valid \u0000"), false, `${prop}: without opt it answers false (older callers)`);
        }
      });

      it("credentials: secrets are password-type, editor and runtime agree; admin routes need a permission", () => {
        const def = definition(node);
        const { opts, routes } = runtime(node);
        const editorCreds = JSON.parse(JSON.stringify(def.credentials || {}));
        assert.deepEqual(JSON.parse(JSON.stringify(opts.credentials || {})), editorCreds, "same credentials in editor and runtime");
        for (const [name, c] of Object.entries(editorCreds)) {
          if (SECRET_NAME.test(name)) assert.equal(c.type, "password", `${name} is declared as password, not ${c.type}`);
        }
        for (const r of routes) {
          const perm = r.h.find((h) => typeof h === "function" && h.permission);
          assert.ok(perm, `${r.method} ${r.path} is behind RED.auth.needsPermission`);
          assert.match(perm.permission, /^[a-z-]+\.(read|write)$/, `${r.path}: permission ${perm.permission}`);
          assert.match(r.path, /^\/home-energy\//, `${r.path} under /home-energy`);
        }
      });
    });
  }
});
