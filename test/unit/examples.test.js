"use strict";
/**
 * The shipped example flows as files: each explains itself in a comment node, and only a flow that
 * names its extra module in Node-RED 4's module hint (a global-config node) uses nodes from
 * outside this package and Node-RED's core — at the version this repository tests with.
 */
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..", "..");
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const dir = path.join(root, "examples");
const files = fs.readdirSync(dir).filter((f) => f.endsWith(".json"));
// The core types the examples' integration tests can run, plus the two an imported flow may hold.
const CORE = new Set(["tab", "global-config", ...Object.keys(require("../support/examples").CORE)]);
const OURS = new Set(Object.keys(pkg["node-red"].nodes));

describe("example flows", () => {
  for (const file of files) {
    it(file, () => {
      const nodes = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
      assert.ok(Array.isArray(nodes) && nodes.length, "a non-empty array of nodes");
      assert.equal(new Set(nodes.map((n) => n.id)).size, nodes.length, "unique ids");
      const comment = nodes.find((n) => n.type === "comment" && n.info);
      assert.ok(comment && comment.info.length > 100, "a comment node that says what the flow does");
      const hint = nodes.find((n) => n.type === "global-config");
      const extra = [...new Set(nodes.map((n) => n.type).filter((t) => !CORE.has(t) && !OURS.has(t)))];
      if (!extra.length) {
        assert.equal(hint, undefined, "a plain example needs no module hint");
        return;
      }
      assert.ok(hint && hint.modules, `uses ${extra.join(", ")}: needs a global-config module hint`);
      const hinted = new Set();
      for (const [name, version] of Object.entries(hint.modules)) {
        assert.equal(version, pkg.devDependencies[name], `${name}: the hinted version is the one the tests run`);
        const sets = require(require.resolve(`${name}/package.json`, { paths: [root] }))["node-red"].nodes;
        for (const t of Object.keys(sets)) hinted.add(t); // the dashboard's node sets are named as their types
      }
      for (const t of extra) assert.ok(hinted.has(t), `${t} comes from no module of the hint`);
    });
  }
});
