"use strict";
/** `npm run bench`: every benchmark in bench/, each printing its figures and its ratio to the baseline. */
const { spawnSync } = require("node:child_process");
const path = require("node:path");

const benches = ["status-throughput.js", "status-fanout.js", "status-fanout-core.js", "require-time.js"];
let failed = 0;
for (const b of benches) {
  console.log(`\n=== ${b}`);
  const r = spawnSync(process.execPath, ["--expose-gc", path.join(__dirname, b)], { stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
