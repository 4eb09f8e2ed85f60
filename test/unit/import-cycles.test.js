"use strict";
/** No import cycle anywhere in src/ (type-only imports included): a depth-first search over the import graph. */
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const SRC = path.join(__dirname, "..", "..", "src");

function files(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []));
}

function imports(file) {
  const text = fs.readFileSync(file, "utf8");
  const out = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\b[^;]*?from\s+"(\.[^"]+)"/gms)) {
    out.push(path.resolve(path.dirname(file), m[1].replace(/\.js$/, ".ts")));
  }
  return out;
}

describe("Source structure", () => {
  it("has no import cycles in src/", () => {
    const graph = new Map(files(SRC).map((f) => [f, imports(f)]));
    const state = new Map();
    const cycles = [];
    const visit = (f, stack) => {
      if (state.get(f) === "done") return;
      if (state.get(f) === "open") {
        cycles.push([...stack.slice(stack.indexOf(f)), f].map((x) => path.relative(SRC, x)).join(" → "));
        return;
      }
      state.set(f, "open");
      for (const g of graph.get(f) ?? []) visit(g, [...stack, f]);
      state.set(f, "done");
    };
    for (const f of graph.keys()) visit(f, []);
    assert.deepEqual(cycles, []);
  });

  it("loading the node files loads neither the MQTT client, axios nor ajv (each loads with its first use)", () => {
    const { execFileSync } = require("node:child_process");
    const root = path.join(__dirname, "..", "..");
    const nodes = Object.values(require(path.join(root, "package.json"))["node-red"].nodes).map((f) => path.join(root, f));
    assert.ok(nodes.length >= 4, "every node file of package.json");
    const out = execFileSync(process.execPath, ["-e", `
      for (const f of ${JSON.stringify(nodes)}) require(f);
      const loaded = (name) => Object.keys(require.cache).some((k) => k.split(/[\\\\/]/).join("/").includes("/node_modules/" + name + "/"));
      console.log(JSON.stringify(["mqtt", "axios", "ajv"].filter(loaded)));`], { cwd: root }).toString().trim();
    assert.deepEqual(JSON.parse(out), []);
  });
});
