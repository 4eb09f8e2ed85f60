"use strict";
/**
 * The source layout (issue 21, "One place per rule"): no file in src/ is longer than MAX_LINES
 * (split it along a seam instead), and src/nodes/ holds only the node adapters — one file per node
 * type of package.json, the file `nodes/<type>.js` loads — with every helper in src/nodes/shared/.
 * Each check is also run on a throw-away tree that breaks it, so that it is seen to fail.
 */
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const root = path.join(__dirname, "..", "..");
const MAX_LINES = 350;

function files(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** Lines of a file as `wc -l` counts them (a last line without a newline counts too). */
function lineCount(file) {
  const text = fs.readFileSync(file, "utf8");
  if (!text) return 0;
  return text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}

/** Files under `dir` longer than `max` lines, as "path (n lines)". */
function oversized(dir, max) {
  return files(dir)
    .map((f) => [f, lineCount(f)])
    .filter(([, n]) => n > max)
    .map(([f, n]) => `${path.relative(dir, f)} (${n} lines)`);
}

/** Files directly in `nodesDir` that are not the adapter of a node type (`<type>.ts`). */
function strayFiles(nodesDir, types) {
  return fs
    .readdirSync(nodesDir, { withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name)
    .filter((name) => !(name.endsWith(".ts") && types.includes(name.slice(0, -3))));
}

const pkg = require(path.join(root, "package.json"));
const nodeTypes = Object.keys(pkg["node-red"].nodes);

describe("Source layout", () => {
  it(`no file in src/ is longer than ${MAX_LINES} lines`, () => {
    assert.deepEqual(oversized(path.join(root, "src"), MAX_LINES), []);
  });

  it("src/nodes/ holds one adapter per node type of package.json and nothing else (helpers in src/nodes/shared/)", () => {
    const dir = path.join(root, "src", "nodes");
    assert.deepEqual(strayFiles(dir, nodeTypes), []);
    for (const type of nodeTypes) assert.ok(fs.existsSync(path.join(dir, `${type}.ts`)), `src/nodes/${type}.ts`);
  });

  it("each node file of package.json loads its adapter, nodes/lib/nodes/<type>.js", () => {
    for (const [type, file] of Object.entries(pkg["node-red"].nodes)) {
      assert.equal(file, `nodes/${type}.js`);
      assert.match(fs.readFileSync(path.join(root, file), "utf8"), new RegExp(`require\\("\\./lib/nodes/${type}\\.js"\\)`), file);
    }
  });

  describe("the checks fail on a tree that breaks them", () => {
    let tmp;
    before(() => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), "layout-"));
      fs.mkdirSync(path.join(tmp, "nodes", "shared"), { recursive: true });
      fs.writeFileSync(path.join(tmp, "nodes", "navien-device.ts"), "x\n".repeat(MAX_LINES));
      fs.writeFileSync(path.join(tmp, "nodes", "shared", "long.ts"), "x\n".repeat(MAX_LINES) + "x");
      fs.writeFileSync(path.join(tmp, "nodes", "helper.ts"), "export {};\n");
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it(`a file of ${MAX_LINES + 1} lines is too long, one of ${MAX_LINES} is not`, () => {
      assert.deepEqual(oversized(tmp, MAX_LINES), [`${path.join("nodes", "shared", "long.ts")} (${MAX_LINES + 1} lines)`]);
    });

    it("a helper directly in nodes/ is found; an adapter and a helper in shared/ are not", () => {
      assert.deepEqual(strayFiles(path.join(tmp, "nodes"), nodeTypes), ["helper.ts"]);
    });
  });
});
