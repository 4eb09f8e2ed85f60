"use strict";
/**
 * The demo tab "Simulator - cloud outage" (demo/, not in the package: it drives the simulator) as
 * `npm start` runs it: its inject nodes flip the
 * simulator's outage switch through a core `http request` node (POST/DELETE /_sim/outage at
 * HOME_ENERGY_SIMULATOR_URL), the Navien node then shows the yellow pause and heals after the
 * outage is ended — all in a real runtime, the simulator on loopback.
 */
const assert = require("node:assert/strict");
const { helper, until, runtimeVersion, useSimulator } = require("../support/runtime");
const { deployExample, fire, useDemoCredentials } = require("../support/examples");

describe(`Example "Simulator - cloud outage" (Node-RED ${runtimeVersion()})`, function () {
  this.timeout(60_000);
  let sim;
  let restore;
  const saved = {};
  useSimulator((s) => (sim = s));
  before(() => {
    restore = useDemoCredentials();
    for (const [k, v] of Object.entries({ ...sim.demoEnv, HOME_ENERGY_SIMULATOR_URL: sim.url })) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
  });
  after(() => {
    restore();
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  });
  afterEach(() => helper.unload());

  it("an inject switches an outage on: the Navien node shows 'paused (HTTP 503), retry in N s'; 'End every outage' lets it heal without a redeploy", async () => {
    await deployExample("../demo/Simulator - cloud outage.json", sim, { "sim-outage-tick": { repeat: "", once: false } });
    const statuses = [];
    helper.getNode("sim-outage-navien").on("call:status", (c) => statuses.push(c.args[0]));
    const switched = [];
    helper.getNode("sim-outage-debug-switch").on("input", (m) => switched.push(m));

    fire("sim-outage-tick");
    await until(() => statuses.some((s) => s.fill === "green"), 10_000, "device list before the outage");
    fire("sim-outage-inject-0"); // Navien REST down 30 s
    await until(() => switched.length === 1, 5_000, "outage switched on");
    assert.equal(switched[0].payload.outages[0].status, 503);
    const before = sim.countRequests({ vendor: "navien", endpoint: "/device/list" });
    fire("sim-outage-tick");
    await until(() => statuses.at(-1).fill === "yellow", 10_000, "the node shows the pause");
    assert.match(statuses.at(-1).text, /paused \(HTTP 503\), retry in \d+ s/);
    assert.equal(sim.countRequests({ vendor: "navien", endpoint: "/device/list" }), before + 1, "one request met the outage");

    fire("sim-outage-inject-3"); // End every outage
    await until(() => switched.length === 2, 5_000, "outages ended");
    await until(() => statuses.at(-1).fill !== "yellow", 5_000, "the pause ran out");
    fire("sim-outage-tick");
    await until(() => statuses.at(-1).fill === "green", 10_000, "healed without a redeploy");
  });
});
