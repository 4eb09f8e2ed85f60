"use strict";
/**
 * Message catalogs (src/messages/<lang>/<area>.json) against the code that uses them: every
 * message id in src exists in en-US and de, in the catalog of every node that can emit it, and
 * every __placeholder__ of its text is supplied where the id is used. Plus the rendering rules
 * (English default, a node's translation, nested messages, secrets masked after translation).
 */
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const ts = require("typescript");
const { ERROR_CODES, HomeEnergyError, fail } = require("../../nodes/lib/core/errors.js");
const { message, renderMessage } = require("../../nodes/lib/core/messages.js");
const { DHW_OPERATION_SETTING } = require("../../nodes/lib/navien/codec/status.js");

const root = path.join(__dirname, "..", "..");
const LANGS = ["en-US", "de"];
const AREAS = ["core", "status", "navien", "nox", "waviot"];
const VENDORS = ["navien", "nox", "waviot"];
const area = (lang, name) => JSON.parse(fs.readFileSync(path.join(root, "src", "messages", lang, `${name}.json`), "utf8"));
const lookup = (obj, key) => key.split(".").reduce((o, k) => (o && typeof o === "object" ? o[k] : undefined), obj);
const placeholders = (text) => [...text.matchAll(/__(\w+?)__/g)].map((m) => m[1]);
const NODE_SETS = Object.values(require(path.join(root, "package.json"))["node-red"].nodes).map((f) => path.basename(f, ".js"));

function sourceFiles(dir = path.join(root, "src")) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []));
}

/** The vendor whose nodes can emit what a file throws (undefined: shared code, any node). */
function vendorOf(file) {
  const rel = path.relative(path.join(root, "src"), file).split(path.sep);
  if (VENDORS.includes(rel[0])) return rel[0];
  const m = rel[0] === "nodes" && /^(navien|nox|waviot)-/.exec(rel[rel.length - 1]); // src/nodes/ and src/nodes/shared/
  return m ? m[1] : undefined;
}

const KEY = /^(core|status|navien|nox|waviot)\.[\w.-]+$/;

/** Every message id written in src: string literals that look like ids, with their file and the params given at the call. */
function usedIds() {
  const out = [];
  for (const file of sourceFiles()) {
    const sf = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
    const visit = (node) => {
      const symbolName = node.parent && ts.isCallExpression(node.parent) && node.parent.expression.getText(sf) === "Symbol";
      if (ts.isStringLiteral(node) && KEY.test(node.text) && !symbolName) {
        const call = callOf(node);
        out.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, key: node.text, params: call && paramNames(call) });
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return out;
}

/** The message(key, params) / invalidInput(key, params) / fail(code, key, params) call a literal is the key of (through a ?: choice). */
function callOf(literal) {
  let arg = literal;
  while (ts.isConditionalExpression(arg.parent) && arg.parent.condition !== arg) arg = arg.parent;
  const call = arg.parent;
  if (!call || !ts.isCallExpression(call) || !ts.isIdentifier(call.expression)) return undefined;
  const index = { message: 0, invalidInput: 0, fail: 1 }[call.expression.text];
  return index !== undefined && call.arguments[index] === arg ? { call, paramsArg: call.arguments[index + 1] } : undefined;
}

/** The names in an object-literal params argument; null when params are not written out (a variable). */
function paramNames({ paramsArg }) {
  if (!paramsArg || (ts.isIdentifier(paramsArg) && paramsArg.text === "undefined")) return [];
  if (!ts.isObjectLiteralExpression(paramsArg)) return null;
  return paramsArg.properties.map((p) => p.name.getText());
}

describe("message catalogs (src/messages) against their use in src", () => {
  const ids = usedIds();
  const catalogs = Object.fromEntries(LANGS.map((lang) => [lang, Object.fromEntries(AREAS.map((a) => [a, area(lang, a)]))]));

  it("finds the message ids of the package (sanity: the scan sees the throw sites)", () => {
    assert.ok(ids.length > 200, `${ids.length} ids found`);
    assert.ok(ids.some((u) => u.key === "navien.mac.notMacAddressUse"));
  });

  it("every id used in src exists, as a string, in en-US and de", () => {
    for (const u of ids) {
      for (const lang of LANGS) {
        const [a, ...rest] = u.key.split(".");
        assert.equal(typeof lookup(catalogs[lang][a], rest.join(".")), "string", `${path.relative(root, u.file)}:${u.line} ${u.key} in ${lang}/${a}.json`);
      }
    }
  });

  it("every __placeholder__ of a text is supplied where the id is used (and nothing unknown is passed)", () => {
    let checked = 0;
    for (const u of ids.filter((x) => Array.isArray(x.params))) {
      const template = lookup(catalogs["en-US"], u.key);
      if (typeof template !== "string") continue; // reported by the test above
      const wanted = new Set(placeholders(template));
      const given = new Set(u.params);
      for (const p of wanted) assert.ok(given.has(p), `${path.relative(root, u.file)}:${u.line} ${u.key} needs __${p}__`);
      for (const p of given) assert.ok(wanted.has(p), `${path.relative(root, u.file)}:${u.line} ${u.key} gets ${p}, which its text does not use`);
      checked++;
    }
    assert.ok(checked > 150, `${checked} call sites checked`);
  });

  it("a file only uses ids its nodes' catalogs hold (core/status everywhere, a vendor's only in that vendor's code)", () => {
    for (const u of ids) {
      const a = u.key.split(".")[0];
      if (a === "core" || a === "status") continue;
      assert.equal(a, vendorOf(u.file), `${path.relative(root, u.file)}:${u.line} uses ${u.key}`);
    }
  });

  it("every node's built catalog holds the areas it can emit, identical to the sources, in en-US and de", () => {
    for (const set of NODE_SETS) {
      for (const lang of LANGS) {
        const built = JSON.parse(fs.readFileSync(path.join(root, "nodes", "locales", lang, `${set}.json`), "utf8"));
        for (const a of ["core", "status", set.split("-")[0]]) assert.deepEqual(built[a], catalogs[lang][a], `${lang}/${set}.json section ${a}`);
      }
    }
  });

  it("en-US and de have the same ids and the same placeholders in every area", () => {
    const leaves = (o, p = "") => Object.entries(o).flatMap(([k, v]) => (v && typeof v === "object" ? leaves(v, `${p}${k}.`) : [[p + k, v]]));
    for (const a of AREAS) {
      const en = new Map(leaves(catalogs["en-US"][a]));
      const deMap = new Map(leaves(catalogs.de[a]));
      assert.deepEqual([...deMap.keys()].sort(), [...en.keys()].sort(), `${a}: same ids`);
      for (const [k, text] of en) assert.deepEqual(placeholders(deMap.get(k)).sort(), placeholders(text).sort(), `${a}.${k}: same placeholders`);
    }
  });

  it("ids built at run time exist: the fixed states, a status text per error code, a name per Navien mode, the store timeouts", () => {
    for (const lang of LANGS) {
      for (const state of ["working", "starting", "connecting", "connected", "reconnecting", "noDevices"]) assert.equal(typeof catalogs[lang].status[state], "string", `${lang} status.${state}`);
      for (const code of ERROR_CODES) assert.equal(typeof lookup(catalogs[lang].status, `error.${code}`), "string", `${lang} status.error.${code}`);
      for (const op of ["read", "write"]) assert.equal(typeof lookup(catalogs[lang].core, `contextSlot.${op}Timeout`), "string", `${lang} core.contextSlot.${op}Timeout`);
      for (const mode of Object.values(DHW_OPERATION_SETTING)) assert.equal(typeof lookup(catalogs[lang].navien, `modeNames.${mode}`), "string", `${lang} navien.modeNames.${mode}`);
    }
  });
});

describe("rendering a message", () => {
  const german = { "navien.mac.notMacAddressUse": "„__value__“ ist keine MAC-Adresse.", "core.http.notValidUrlEnter": "__what__ „__value__“ ist keine gültige URL.", "navien.navienAccount.navienApiUrl": "Die Navien-API-URL" };
  const t = (key, params = {}) => (key in german ? german[key].replace(/__(\w+?)__/g, (_m, n) => String(params[n])) : key);

  it("a plain client gets the English source text; a node its catalog's text; an unknown key falls back to English", () => {
    const err = fail("INVALID_INPUT", "navien.mac.notMacAddressUse", { value: "xyz" });
    assert.equal(err.message, '"xyz" is not a MAC address. Use 12 hex digits, e.g. a1:b2:c3:d4:e5:f6 (case and separators do not matter).');
    assert.equal(err.key, "navien.mac.notMacAddressUse");
    assert.deepEqual(err.params, { value: "xyz" });
    assert.equal(err.localized(t).message, "„xyz“ ist keine MAC-Adresse.");
    assert.equal(err.localized((k) => k).message, err.message, "a translator that knows nothing (test helper stub) → English");
  });

  it("a message as a parameter is rendered in the same language", () => {
    const ref = message("core.http.notValidUrlEnter", { what: message("navien.navienAccount.navienApiUrl"), value: "nope" });
    assert.equal(renderMessage(ref), 'The Navien API URL "nope" is not a valid URL. Enter an http:// or https:// address.');
    assert.equal(renderMessage(ref, t), "Die Navien-API-URL „nope“ ist keine gültige URL.");
  });

  it("secrets are masked in the parameters and in the translated text; code and status are kept", () => {
    const err = new HomeEnergyError("HTTP_ERROR", message("navien.mac.notMacAddressUse", { value: "hunter2secret" }), 502);
    const safe = err.localized(t, (s) => s.split("hunter2secret").join("***"));
    assert.equal(safe.message, "„***“ ist keine MAC-Adresse.");
    assert.deepEqual(safe.params, { value: "***" });
    assert.equal(safe.code, "HTTP_ERROR");
    assert.equal(safe.status, 502);
  });
});
