"use strict";
/**
 * Loads the vendor test vectors — the simulator's and the tests' source of truth. A copy of the
 * project's shared vectors lives in test/fixtures/vectors so that a clone works on its own.
 */
const fs = require("node:fs");
const path = require("node:path");

const CANDIDATES = [
  process.env.HOME_ENERGY_VECTORS,
  path.join(__dirname, "..", "fixtures", "vectors"),
].filter(Boolean);

const root = CANDIDATES.find((p) => fs.existsSync(path.join(p, "navien")));
if (!root) throw new Error("Test vectors not found; looked in: " + CANDIDATES.join(", "));

function vector(vendor, file) {
  return JSON.parse(fs.readFileSync(path.join(root, vendor, file), "utf8"));
}

module.exports = { vector, vectorsRoot: root };
