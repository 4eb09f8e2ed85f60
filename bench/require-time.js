"use strict";
/**
 * Benchmark (issue 10 §5): the time `require` of all our node files (the entry files package.json
 * lists under "node-red".nodes) adds to Node-RED's start. Measured in fresh child processes (a
 * warm module cache would hide it): each child first loads the Node-RED runtime, as the
 * `node-red` process has done before it loads node modules, then times requiring our files.
 * Prints the median of RUNS children, the heavy dependencies the require pulled in, and the ratio
 * to the 80 ms budget (goal < 1.0).
 */
const { spawnSync } = require("node:child_process");
const path = require("node:path");

const ROOT = path.join(__dirname, "..");
const RUNS = Number(process.env.BENCH_REQUIRE_RUNS || 7);
const BUDGET_MS = 80;
/** Dependencies worth naming when a plain require loads them (they belong to the first use). */
const HEAVY = ["mqtt", "axios", "ajv", "aws4", "ws"];

/**
 * In a fresh child: loads the runtime, then times `only` (one dependency) or all our node files;
 * `only` = "--own" preloads the heavy dependencies first, leaving our own modules' cost.
 */
function child(only) {
  const { performance } = require("node:perf_hooks");
  require(process.env.NR_RUNTIME ? path.resolve(process.env.NR_RUNTIME) : "node-red");
  if (only === "--own") {
    for (const name of HEAVY) require(name);
    only = undefined;
  }
  const before = new Set(Object.keys(require.cache));
  const files = only ? [only] : Object.values(require(path.join(ROOT, "package.json"))["node-red"].nodes).map((f) => path.join(ROOT, f));
  const t0 = performance.now();
  for (const f of files) require(f);
  const ms = performance.now() - t0;
  const loaded = Object.keys(require.cache).filter((k) => !before.has(k));
  const heavy = HEAVY.filter((name) => loaded.some((k) => k.includes(`${path.sep}node_modules${path.sep}${name}${path.sep}`)));
  process.stdout.write(JSON.stringify({ ms, files: files.length, modules: loaded.length, heavy }));
}

function runChildren(n, only) {
  const results = [];
  for (let i = 0; i < n; i++) {
    const r = spawnSync(process.execPath, [__filename, "--child", ...(only ? [only] : [])], { cwd: ROOT, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
    results.push(JSON.parse(r.stdout));
  }
  return results;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function main() {
  const results = runChildren(RUNS);
  const med = median(results.map((r) => r.ms));
  const last = results.at(-1);
  console.log(`require of our ${last.files} node files after the Node-RED runtime: ${med.toFixed(1)} ms (median of ${RUNS} fresh processes; runs ${results.map((r) => r.ms.toFixed(0)).join(", ")} ms)`);
  console.log(`  ${last.modules} modules loaded; heavy dependencies loaded at require time: ${last.heavy.length ? last.heavy.join(", ") : "none"}`);
  // What limits it: each heavy dependency required alone (median of 3 fresh processes).
  const parts = last.heavy.map((name) => `${name} ${median(runChildren(3, name).map((r) => r.ms)).toFixed(0)} ms`);
  if (parts.length) console.log(`  each alone after the runtime: ${parts.join(", ")}`);
  const own = median(runChildren(3, "--own").map((r) => r.ms));
  console.log(`  our own modules with those already loaded (schema compilation included): ${own.toFixed(0)} ms`);
  console.log(`ratio require time / ${BUDGET_MS} ms budget: ${(med / BUDGET_MS).toFixed(2)} (goal < 1.00)`);
}

const at = process.argv.indexOf("--child");
if (at >= 0) child(process.argv[at + 1]);
else main();
