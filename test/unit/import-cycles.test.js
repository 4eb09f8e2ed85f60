"use strict";
/**
 * No import cycle anywhere in src/: a depth-first search over the import graph. Every kind of
 * dependency counts — `import … from`, `export … from`, type-only imports, side-effect imports
 * (`import "./x.js"`), `import x = require()`, `require()` and `import()` — in either quote style,
 * as TypeScript's own pre-processor reads them (comments and plain strings are not imports). The
 * fixtures in test/fixtures/import-cycles prove that each kind is seen.
 */
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const ts = require("typescript");

const SRC = path.join(__dirname, "..", "..", "src");
const FIXTURES = path.join(__dirname, "..", "fixtures", "import-cycles");

function files(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []));
}

/** The relative modules a file depends on, as .ts paths. */
function imports(file) {
  const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true);
  return importedFiles.map((f) => f.fileName).filter((name) => name.startsWith(".")).map((name) => path.resolve(path.dirname(file), name.replace(/\.js$/, ".ts")));
}

/** Every cycle of the import graph of the .ts files under `dir`, as "a.ts → b.ts → a.ts". */
function cyclesIn(dir) {
  const graph = new Map(files(dir).map((f) => [f, imports(f)]));
  const state = new Map();
  const cycles = [];
  const visit = (f, stack) => {
    if (state.get(f) === "done") return;
    if (state.get(f) === "open") {
      cycles.push([...stack.slice(stack.indexOf(f)), f].map((x) => path.relative(dir, x)).join(" → "));
      return;
    }
    state.set(f, "open");
    for (const g of graph.get(f) ?? []) visit(g, [...stack, f]);
    state.set(f, "done");
  };
  for (const f of graph.keys()) visit(f, []);
  return cycles;
}

describe("Source structure", () => {
  it("has no import cycles in src/", () => {
    assert.deepEqual(cyclesIn(SRC), []);
  });

  describe("the cycle check sees every kind of import (fixtures)", () => {
    for (const kind of ["side-effect", "single-quote", "require", "dynamic-import"]) {
      it(`a cycle through a ${kind} import is found`, () => {
        assert.deepEqual(cyclesIn(path.join(FIXTURES, kind)), ["a.ts → b.ts → a.ts"]);
      });
    }
    it("an import in a comment or a string is no dependency", () => {
      assert.deepEqual(cyclesIn(path.join(FIXTURES, "none")), []);
    });
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
