"use strict";
/**
 * Runs a shipped example flow (examples/*.json) as imported, in the real runtime of the
 * integration tests, with its accounts pointed at the simulator as `npm start` does and the
 * credentials from the environment (the nodes' documented fallback). Core nodes come from the
 * same runtime the tests run on (Node-RED 4 or, with NR_RUNTIME, 5).
 */
const fs = require("node:fs");
const path = require("node:path");
const { helper, loadNode } = require("./runtime");
const { DEMO_USER } = require("../simulator/navien");

const EXAMPLES = path.join(__dirname, "..", "..", "examples");
const runtimeMain = process.env.NR_RUNTIME ? require.resolve(path.resolve(process.env.NR_RUNTIME)) : require.resolve("node-red");
const core = (rel) => require(require.resolve(`@node-red/nodes/core/${rel}`, { paths: [path.dirname(runtimeMain)] }));

/** Core node modules by the type names an example may use. */
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
};
const OURS = ["navien-account", "navien-device", "navien-status-in", "navien-tou", "nox-account", "nox-link", "nox-callback", "waviot-account", "waviot-user", "waviot-history"];

/** The example's nodes with the accounts pointed at the simulator. */
function readExample(file, sim) {
  const nodes = JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), "utf8"));
  for (const n of nodes) {
    if (n.type === "navien-account") Object.assign(n, { apiUrl: `${sim.url}/navien/api/v2.1`, mqttUrl: `${sim.url.replace(/^http/, "ws")}/navien/mqtt` });
    if (n.type === "nox-account") n.apiUrl = `${sim.url}/nox`;
    if (n.type === "waviot-account") n.authUrl = `${sim.url}/waviot`;
  }
  return nodes;
}

/**
 * Deploys an example. `override` maps node ids to properties to replace (time compression:
 * a trigger's duration, a change node's rules). Returns the deployed nodes' definitions.
 */
async function deployExample(file, sim, override = {}) {
  const nodes = readExample(file, sim);
  for (const [id, props] of Object.entries(override)) {
    const n = nodes.find((x) => x.id === id);
    if (!n) throw new Error(`${file}: no node ${id} to override`);
    Object.assign(n, typeof props === "function" ? props(n) : props);
  }
  const types = new Set(nodes.map((n) => n.type).filter((t) => t !== "tab"));
  const unknown = [...types].filter((t) => !CORE[t] && !OURS.includes(t));
  if (unknown.length) throw new Error(`${file}: no module for ${unknown.join(", ")}`);
  const modules = [...types].map((t) => (CORE[t] ? core(CORE[t]) : loadNode(t)));
  await helper.load(modules, nodes);
  return nodes;
}

/** Clicks an inject node's button (what POST /inject/:id does). */
function fire(id, extra) {
  helper.getNode(id).receive(extra || {});
}

/**
 * The demo login in NAVIEN_EMAIL / NAVIEN_PASSWORD, as `npm start` provides it (the examples'
 * accounts have blank credentials). Returns the function that puts the previous values back.
 */
function useDemoCredentials() {
  const before = { NAVIEN_EMAIL: process.env.NAVIEN_EMAIL, NAVIEN_PASSWORD: process.env.NAVIEN_PASSWORD };
  process.env.NAVIEN_EMAIL = DEMO_USER.email;
  process.env.NAVIEN_PASSWORD = DEMO_USER.password;
  return () => {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

module.exports = { readExample, deployExample, fire, useDemoCredentials };
