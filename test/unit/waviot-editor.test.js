"use strict";
/**
 * Static checks of the WAVIoT editor files and example flows: the registerType literal that the
 * Flow Library scorecard parses, help and strings present, and example flows that are complete
 * (every property the editor would export), use only core nodes, and hold no credentials.
 */
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.join(__dirname, "..", "..");
const read = (p) => fs.readFileSync(path.join(ROOT, p), "utf8");
const TYPES = ["waviot-account", "waviot-user", "waviot-history", "waviot-meter"];
const DEFAULT_KEYS = { "waviot-account": ["name", "authUrl"], "waviot-meter": ["name", "account", "operation", "meter", "onlyNew"], "waviot-user": ["name", "account", "operation"], "waviot-history": ["name", "account", "onlyNew"] };
const CORE = new Set(["tab", "comment", "inject", "debug", "catch", "split", "template", "function"]);

describe("WAVIoT editor files and examples", () => {
  for (const type of TYPES) {
    it(`${type}: registerType literal, entry shim, help with every section, strings`, () => {
      const html = read(`nodes/${type}.html`);
      assert.match(html, new RegExp(`<script type="text/javascript">\\s*RED\\.nodes\\.registerType\\("${type}", \\{`));
      assert.match(html, new RegExp(`data-template-name="${type}"`));
      for (const key of DEFAULT_KEYS[type]) assert.match(html, new RegExp(`\\b${key}: \\{\\s*value:`), `${type} default ${key}`);
      if (type !== "waviot-account") {
        assert.match(html, /category: "home energy"/);
        assert.match(html, /color: "#F3B567"/);
        assert.match(html, /icon: "waviot\.svg"/);
        assert.match(html, /paletteLabel:/);
        assert.match(html, /inputLabels:/);
        assert.match(html, /outputLabels:/);
      }
      assert.match(read(`nodes/${type}.js`), new RegExp(`require\\("\\./lib/nodes/${type}\\.js"\\)`));
      const help = read(`nodes/locales/en-US/${type}.html`);
      assert.match(help, new RegExp(`data-help-name="${type}"`));
      const sections = type === "waviot-account" ? ["Properties", "Details", "References"] : ["Inputs", "Outputs", "Details", "References"];
      for (const s of sections) assert.match(help, new RegExp(`<h3>${s}</h3>`), `${type} help: ${s}`);
      const strings = JSON.parse(read(`nodes/locales/en-US/${type}.json`));
      for (const m of html.matchAll(new RegExp(`data-i18n="(?:\\[\\w+\\])?${type}\\.([\\w.]+)"`, "g"))) {
        const value = m[1].split(".").reduce((o, k) => (o ? o[k] : undefined), strings[type]);
        assert.equal(typeof value, "string", `${type}: string ${m[1]}`);
      }
    });
  }

  it("icon: white on transparent, 40x60 viewBox", () => {
    const svg = read("icons/waviot.svg");
    assert.match(svg, /viewBox="0 0 40 60"/);
    assert.doesNotMatch(svg, /fill="#(?!fff)/i);
  });

  for (const file of ["WAVIoT - who am I.json", "WAVIoT - alert on a new login.json", "WAVIoT - daily consumption per tariff.json"]) {
    it(`example "${file}": comment, default authUrl, no credentials, complete nodes, core nodes only, wired ids exist`, () => {
      const flow = JSON.parse(read(`examples/${file}`));
      const ids = new Set(flow.map((n) => n.id));
      assert.ok(flow.some((n) => n.type === "comment" && n.info.length > 100));
      for (const n of flow) {
        assert.ok(CORE.has(n.type) || TYPES.includes(n.type), `unexpected node type ${n.type}`);
        assert.equal(n.credentials, undefined);
        if (TYPES.includes(n.type)) for (const key of DEFAULT_KEYS[n.type]) assert.ok(key in n, `${n.id} lacks ${key}`);
        if (n.type === "waviot-account") assert.equal(n.authUrl, "https://auth.waviot.com");
        if (n.type === "waviot-account" && "dataUrl" in n) assert.equal(n.dataUrl, "https://lk.waviot.ru");
        if (n.account) assert.ok(ids.has(n.account));
        for (const out of n.wires || []) for (const id of out) assert.ok(ids.has(id), `${n.id} → ${id}`);
      }
      assert.ok(!/password|WAVIOT_JWT|bearer/i.test(JSON.stringify(flow.map((n) => ({ ...n, info: "" })))));
    });
  }
});
