"use strict";
/**
 * Runs a shipped example flow (examples/*.json) as imported, in the real runtime of the
 * integration tests, with its accounts pointed at the simulator as `npm start` does and the
 * credentials from the environment (the nodes' documented fallback). Core nodes come from the
 * same runtime the tests run on (Node-RED 4 or, with NR_RUNTIME, 5).
 */
const fs = require("node:fs");
const path = require("node:path");
const { DEMO_USER } = require("../simulator/navien");
const { DEMO_KEY: OPENEI_DEMO_KEY } = require("../simulator/openei");
const { pointAccountsAt } = require("../simulator");
const pkg = require("../../package.json");

// The runtime is required on the first deploy only: the unit test of the example files reads CORE
// without starting Node-RED's test helper.
const runtime = () => require("./runtime");

const EXAMPLES = path.join(__dirname, "..", "..", "examples");

/**
 * Node-RED core node modules (under @node-red/nodes/core/) by the type names an example may use.
 * A module registering several types (split and join, http in and http response) is listed under each.
 */
const CORE = {
  inject: "common/20-inject.js",
  debug: "common/21-debug.js",
  comment: "common/90-comment.js",
  catch: "common/25-catch.js",
  function: "function/10-function.js",
  switch: "function/10-switch.js",
  change: "function/15-change.js",
  template: "function/80-template.js",
  trigger: "function/89-trigger.js",
  delay: "function/89-delay.js",
  split: "sequence/17-split.js",
  join: "sequence/17-split.js",
  "http in": "network/21-httpin.js",
  "http response": "network/21-httpin.js",
  "http request": "network/21-httprequest.js",
};
/** This package's node types (package.json's node-red.nodes is named by type). */
const OURS = Object.keys(pkg["node-red"].nodes);

const core = (rel) => runtime().runtimePackage(`@node-red/nodes/core/${rel}`);

/**
 * Deploys an example with its accounts pointed at the simulator. `override` maps node ids to
 * properties to replace (time compression: a trigger's duration, a change node's rules). Returns
 * the deployed nodes' definitions.
 */
async function deployExample(file, sim, override = {}) {
  const nodes = pointAccountsAt(JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), "utf8")), sim);
  for (const [id, props] of Object.entries(override)) {
    const n = nodes.find((x) => x.id === id);
    if (!n) throw new Error(`${file}: no node ${id} to override`);
    Object.assign(n, typeof props === "function" ? props(n) : props);
  }
  const types = new Set(nodes.map((n) => n.type).filter((t) => t !== "tab"));
  const unknown = [...types].filter((t) => !CORE[t] && !OURS.includes(t));
  if (unknown.length) throw new Error(`${file}: no module for ${unknown.join(", ")}`);
  const { helper, loadNode } = runtime();
  // One entry per module: split and join (or http in and http response) share one.
  const modules = new Set([...types].map((t) => (CORE[t] ? core(CORE[t]) : loadNode(t))));
  await helper.load([...modules], nodes);
  return nodes;
}

/** Clicks an inject node's button (what POST /inject/:id does). */
function fire(id, extra) {
  runtime().helper.getNode(id).receive(extra || {});
}

/**
 * The demo login in NAVIEN_EMAIL / NAVIEN_PASSWORD, as `npm start` provides it (the examples'
 * accounts have blank credentials). Returns the function that puts the previous values back.
 */
function useDemoCredentials() {
  const before = { NAVIEN_EMAIL: process.env.NAVIEN_EMAIL, NAVIEN_PASSWORD: process.env.NAVIEN_PASSWORD, OPENEI_API_KEY: process.env.OPENEI_API_KEY };
  process.env.NAVIEN_EMAIL = DEMO_USER.email;
  process.env.NAVIEN_PASSWORD = DEMO_USER.password;
  process.env.OPENEI_API_KEY = OPENEI_DEMO_KEY;
  return () => {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

module.exports = { CORE, deployExample, fire, useDemoCredentials };
