"use strict";
/**
 * Mocha's spec reporter (same output, so scripts/test.js reads the same "N passing" lines), which
 * also writes how long each test file's tests took — JSON {relative path: ms} — to the file named
 * by `--reporter-option times=<path>` when the run ends. scripts/test.js starts the slowest files
 * first on the next run, so that in parallel mode a long file does not start last.
 */
const fs = require("node:fs");
const path = require("node:path");
const Spec = require("mocha/lib/reporters/spec");

const root = path.join(__dirname, "..");

class SpecTimed extends Spec {
  constructor(runner, options = {}) {
    super(runner, options);
    const out = options.reporterOption && options.reporterOption.times;
    if (!out) return;
    const times = {};
    runner.on("test end", (test) => {
      if (!test.file) return;
      const rel = path.relative(root, test.file);
      times[rel] = (times[rel] || 0) + (test.duration || 0);
    });
    runner.once("end", () => {
      try {
        fs.mkdirSync(path.dirname(out), { recursive: true });
        fs.writeFileSync(out, JSON.stringify(times, null, 1) + "\n");
      } catch {
        // Only an ordering hint for the next run.
      }
    });
  }
}

module.exports = SpecTimed;
