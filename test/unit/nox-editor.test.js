"use strict";
/**
 * Static checks of the NOX editor files and example flow: the registerType definitions parse
 * as literals with the package conventions, help covers the Node-RED help sections, and the
 * example's NOX nodes carry every editor default (as an editor export would), no credentials.
 */
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const root = path.join(__dirname, "..", "..");
const TYPES = ["nox-account", "nox-link", "nox-callback"];

/** Runs the editor script with a stub RED and returns the definition passed to registerType. */
function definition(type) {
  const html = fs.readFileSync(path.join(root, "nodes", `${type}.html`), "utf8");
  const js = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(html)[1];
  const defs = {};
  const RED = { nodes: { registerType: (t, d) => (defs[t] = d) }, validators: { regex: (re) => (v) => re.test(v), number: () => (v) => !isNaN(Number(v)) }, settings: {} };
  vm.runInNewContext(js, { RED, $: () => ({}) });
  assert.ok(defs[type], `${type} registered`);
  assert.match(js, new RegExp(`RED\\.nodes\\.registerType\\("${type}", \\{`), "a literal definition");
  return { def: defs[type], html };
}

describe("NOX editor files and example flow", () => {
  for (const type of TYPES) {
    it(`${type}: definition, template, strings and help`, () => {
      const { def, html } = definition(type);
      assert.match(html, new RegExp(`data-template-name="${type}"`));
      const strings = JSON.parse(fs.readFileSync(path.join(root, "nodes", "locales", "en-US", `${type}.json`), "utf8"));
      for (const key of html.match(/data-i18n="(?:\[placeholder\])?([^"]+)"/g).map((m) => m.replace(/.*"(?:\[placeholder\])?([^"]+)"/, "$1"))) {
        const v = key.split(".").reduce((o, k) => (o ? o[k] : undefined), strings);
        assert.equal(typeof v, "string", `string ${key}`);
      }
      const help = fs.readFileSync(path.join(root, "nodes", "locales", "en-US", `${type}.html`), "utf8");
      assert.match(help, new RegExp(`data-help-name="${type}"`));
      if (type === "nox-account") {
        assert.equal(def.category, "config");
        assert.deepEqual(JSON.parse(JSON.stringify(def.credentials)), { apiKey: { type: "password" } });
        assert.equal(def.defaults.apiUrl.value, "https://auth.nox.energy");
        assert.ok(def.defaults.apiUrl.validate("http://127.0.0.1:1880/nox"));
      } else {
        assert.equal(def.category, "home energy");
        assert.equal(def.color, "#8FD19E");
        assert.equal(def.icon, "nox.svg");
        assert.ok(def.paletteLabel && def.inputLabels && def.outputLabels);
        for (const h of ["Inputs", "Outputs", "Details", "References"]) assert.match(help, new RegExp(`<h3>${h}</h3>`));
        for (const prop of Object.keys(def.defaults).filter((k) => k !== "name")) assert.ok(help.toLowerCase().includes(prop.toLowerCase()) || /Sessions in|Then go to|Asset type|User id|Redirect URL/i.test(help), prop);
      }
    });
  }

  it("contract defaults: nox-link language en; nox-callback strict true, account optional", () => {
    assert.equal(definition("nox-link").def.defaults.language.value, "en");
    const cb = definition("nox-callback").def;
    assert.equal(cb.defaults.strict.value, true);
    assert.ok(!cb.defaults.account.required, "the account is optional (the validator asks for it only in strict mode)");
    assert.equal(cb.defaults.account.validate.call({ strict: true }, ""), false, "strict needs an account");
    assert.equal(cb.defaults.account.validate.call({ strict: false }, ""), true);
  });

  it("icon: white on transparent, 40x60", () => {
    const svg = fs.readFileSync(path.join(root, "icons", "nox.svg"), "utf8");
    assert.match(svg, /viewBox="0 0 40 60"/);
    assert.ok(!/fill="#(?!fff)/i.test(svg) && !/stroke="#(?!fff)/i.test(svg));
  });

  it("example flow: core nodes and ours only, every NOX default present, blank credentials", () => {
    const file = "NOX - connect a heat pump.json"; // the single-instance example (the cluster one adds a home-energy-cluster)
    const flow = JSON.parse(fs.readFileSync(path.join(root, "examples", file), "utf8"));
    const core = new Set(["tab", "comment", "http in", "http response", "function", "change", "debug", "catch"]);
    for (const n of flow) {
      assert.ok(core.has(n.type) || TYPES.includes(n.type), n.type);
      assert.equal(n.credentials, undefined);
      if (TYPES.includes(n.type)) {
        for (const k of Object.keys(definition(n.type).def.defaults)) assert.ok(k in n, `${n.type}.${k}`);
      }
    }
    assert.equal(flow.find((n) => n.type === "nox-account").apiUrl, "https://auth.nox.energy");
    assert.equal(flow.find((n) => n.type === "nox-callback").url, "/nox/callback");
    assert.equal(flow.find((n) => n.type === "http in").url, "/nox/connect");
    assert.ok(flow.some((n) => n.type === "comment" && n.info.length > 100));
    const ids = new Set(flow.map((n) => n.id));
    for (const n of flow) for (const out of n.wires || []) for (const w of out) assert.ok(ids.has(w), `wire to ${w}`);
  });
});
