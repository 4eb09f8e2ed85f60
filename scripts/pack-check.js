"use strict";
/**
 * npm tarball content gate: `npm pack --dry-run --json --ignore-scripts` (lifecycle scripts are
 * skipped so that `prepack` does not rebuild nodes/lib — run the build first) and checks what a
 * Node-RED user would install.
 * Must contain: package.json, README.md, LICENSE; for every node-red.nodes entry its .js, .html
 * and locales/en-US/<name>.json|.html; nodes/lib/** (compiled runtime), nodes/icons/**, examples/**.
 * Every relative require()/import() in a shipped .js must resolve to a shipped file, and every
 * bare one must be a Node.js built-in or a runtime dependency in package.json.
 * Must NOT contain: test/, tools/, bench/, scripts/, .demo/, .e2e/, .ci/, src/ (TypeScript sources
 * are compiled into nodes/lib; with source maps excluded nothing at runtime refers to them),
 * docs/ (the README's screenshots are rendered from the repository, not from the tarball),
 * fixtures, simulator files, source maps, node_modules, tarballs, scorecard.json.
 * Prints the file count and sizes and ends with "N passed, N failed".
 */
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const { builtinModules } = require("node:module");

const root = path.join(__dirname, "..");
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const results = [];
function check(name, ok, detail) {
  results.push(!!ok);
  console.log(`${ok ? "PASS" : "FAIL"} ${name}${detail ? ` — ${detail}` : ""}`);
}
function finish() {
  const failed = results.filter((r) => !r).length;
  console.log(`pack-check: ${results.length - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

const npmCli = process.env.npm_execpath && process.env.npm_execpath.endsWith(".js") ? [process.execPath, [process.env.npm_execpath]] : ["npm", []];
const r = spawnSync(npmCli[0], [...npmCli[1], "pack", "--dry-run", "--json", "--ignore-scripts"], {
  cwd: root,
  encoding: "utf8",
  stdio: ["ignore", "pipe", "pipe"],
  timeout: 120000,
});
let info;
try {
  info = JSON.parse(r.stdout)[0];
} catch {
  process.stdout.write(r.stdout || "");
  process.stderr.write(r.stderr || "");
  check("npm pack --dry-run --json", false, `exit ${r.status}${r.error ? `, ${r.error.message}` : ""}`);
  finish();
}
const files = info.files.map((f) => f.path.replace(/\\/g, "/"));
const has = (p) => files.includes(p);
const under = (dir) => files.filter((f) => f.startsWith(dir));
console.log(`${info.filename}: ${files.length} files, ${(info.size / 1024).toFixed(1)} kB packed, ${(info.unpackedSize / 1024).toFixed(1)} kB unpacked`);

for (const f of ["package.json", "README.md", "LICENSE"]) check(f, has(f));

const nodes = (pkg["node-red"] && pkg["node-red"].nodes) || {};
for (const [set, rel] of Object.entries(nodes)) {
  const p = path.posix.normalize(rel);
  const dir = path.posix.dirname(p);
  const base = path.posix.basename(p, ".js");
  const want = [p, `${dir}/${base}.html`, `${dir}/locales/en-US/${base}.json`, `${dir}/locales/en-US/${base}.html`];
  const missing = want.filter((f) => !has(f));
  check(`node ${set}`, missing.length === 0, missing.length ? `missing ${missing.join(", ")}` : want.join(", "));
}
check("nodes/lib/**", under("nodes/lib/").some((f) => f.endsWith(".js")), under("nodes/lib/").length ? `${under("nodes/lib/").length} files` : "none — run the build first");
check("nodes/icons/**", under("nodes/icons/").length > 0, `${under("nodes/icons/").length} files`);
check("nodes/locales/**", under("nodes/locales/").length > 0, `${under("nodes/locales/").length} files`);
const exampleFiles = (function walk(dir) {
  return fs.existsSync(dir)
    ? fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.relative(root, path.join(dir, e.name)).replace(/\\/g, "/")]))
    : [];
})(path.join(root, "examples"));
const missingEx = exampleFiles.filter((f) => !has(f));
check("examples/**", exampleFiles.length > 0 && missingEx.length === 0, missingEx.length ? `missing ${missingEx.join(", ")}` : `${exampleFiles.length} files`);

const forbidden = [
  [/^test\//, "test/"],
  [/^tools\//, "tools/"],
  [/^bench\//, "bench/"],
  [/^scripts\//, "scripts/"],
  [/^\.demo\//, ".demo/"],
  [/^\.e2e\//, ".e2e/"],
  [/^\.ci\//, ".ci/"],
  [/^src\//, "src/ (TypeScript sources)"],
  [/^docs\//, "docs/"],
  [/(^|\/)fixtures?\//, "fixtures"],
  [/simulator/i, "simulator files"],
  [/\.map$/, "source maps"],
  [/(^|\/)node_modules\//, "node_modules"],
  [/\.tgz$/, "tarballs"],
  [/(^|\/)scorecard\.json$/, "scorecard.json"],
  [/\.ts$/, "TypeScript files"],
];
for (const [re, label] of forbidden) {
  const bad = files.filter((f) => re.test(f));
  check(`no ${label}`, bad.length === 0, bad.length ? bad.slice(0, 5).join(", ") + (bad.length > 5 ? ` … (${bad.length})` : "") : "");
}

// Every module a shipped file loads must ship too (or be a built-in / runtime dependency).
const deps = new Set(Object.keys(pkg.dependencies || {}));
const builtins = new Set(builtinModules);
const unresolved = [];
const undeclared = new Set();
for (const f of files.filter((x) => x.endsWith(".js"))) {
  const src = fs.readFileSync(path.join(root, f), "utf8");
  const re = /\b(?:require|import)\(\s*["']([^"']+)["']\s*\)/g;
  for (let m; (m = re.exec(src)); ) {
    const spec = m[1];
    if (spec.startsWith(".")) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(f), spec));
      const candidates = [target, `${target}.js`, `${target}.json`, `${target}/index.js`];
      if (!candidates.some(has)) unresolved.push(`${f} → ${spec}`);
    } else {
      const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
      if (!builtins.has(spec.replace(/^node:/, "")) && !builtins.has(name) && !deps.has(name)) undeclared.add(`${name} (${f})`);
    }
  }
}
check("relative requires ship", unresolved.length === 0, unresolved.join("; "));
check("bare requires are dependencies", undeclared.size === 0, [...undeclared].join("; "));
finish();
