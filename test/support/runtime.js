"use strict";
/**
 * The Node-RED runtime the integration tests run in: Node-RED 4 from the root devDependencies by
 * default, or the one NR_RUNTIME points at (npm test sets tools/nr5/node_modules/node-red for the
 * Node-RED 5 leg). Real runtime, real nodes, real HTTP over loopback.
 */
const path = require("node:path");
const helper = require("node-red-node-test-helper");
const { until } = require("./until");

const runtimePath = process.env.NR_RUNTIME ? require.resolve(path.resolve(process.env.NR_RUNTIME)) : require.resolve("node-red");
helper.init(runtimePath);

const NODES = path.join(__dirname, "..", "..", "nodes");

/** A node module by type name, e.g. loadNode("nox-link") → nodes/nox-link.js (the real entry file). */
function loadNode(type) {
  return require(path.join(NODES, `${type}.js`));
}

const nodes = {
  navienAccount: loadNode("navien-account"),
  navienDevice: loadNode("navien-device"),
};

/** The Node-RED version actually running the tests (shown in the suite title). */
function runtimeVersion() {
  return require(path.join(path.dirname(runtimePath), "..", "package.json")).version;
}

/**
 * Collects every string Node-RED logs, every node status and every message, so that tests can
 * assert that no secret appears anywhere.
 */
function captureEverything() {
  const seen = [];
  return {
    push: (x) => seen.push(typeof x === "string" ? x : JSON.stringify(x)),
    text() {
      // helper.log() is the sinon spy on RED.log; it exists only once a flow has been loaded.
      const log = helper.log() || {};
      const logs = log.args ? log.args.map((a) => JSON.stringify(a, (_k, v) => (v instanceof Error ? { message: v.message, stack: v.stack, code: v.code } : v))) : [];
      return seen.concat(logs).join("\n");
    },
  };
}

/**
 * The hooks every integration suite shares: one simulator of the clouds and the runtime's HTTP
 * server for the suite, both closed at its end. `ready(sim)` receives the running simulator.
 */
function useSimulator(ready, options) {
  let sim;
  before(async () => {
    sim = await require("../simulator").startSimulator(options);
    ready(sim);
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
    await sim.close();
  });
}

/**
 * After each test: the flow is unloaded and the simulator's MQTT broker must have no connection
 * left (nothing leaks). `getSim()` returns the running simulator.
 */
function unloadAfterEach(getSim) {
  afterEach(async () => {
    await helper.unload();
    await until(() => getSim().navien.broker.liveConnections === 0, 5000, "MQTT connections closed after unload");
  });
}

module.exports = { helper, nodes, loadNode, until, runtimeVersion, captureEverything, useSimulator, unloadAfterEach };

/**
 * A package of the Node-RED runtime the tests run in (e.g. "@node-red/util"), so a test can use
 * the runtime's own i18n exactly as the real loader does.
 */
function runtimePackage(name) {
  return require(require.resolve(name, { paths: [path.dirname(runtimePath)] }));
}

module.exports.runtimePackage = runtimePackage;
