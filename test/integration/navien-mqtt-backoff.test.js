"use strict";
/**
 * The reconnect back-off starts over after every successful reconnect (docs/protocol/navien.md,
 * "Reliability"): a few short outages in a row each recover after the shortest wait, instead of
 * doubling across them; while the gateway refuses upgrades with 5xx the wait doubles to its cap and
 * no sign-in is made (CONTRACT.md, "When a cloud fails"). Real aedes broker over a WebSocket on loopback.
 */
const assert = require("node:assert/strict");
const { HttpClient } = require("../../nodes/lib/core/http.js");
const { startSimulator } = require("../simulator");
const { until } = require("../support/runtime");
const { demoConnection } = require("../support/navien");

describe("Navien MQTT reconnect back-off", function () {
  this.timeout(30_000);
  let sim;
  let http;
  let conn;

  before(async () => {
    sim = await startSimulator();
    http = new HttpClient("Navien");
  });
  afterEach(async () => {
    await conn?.close();
    conn = undefined;
  });
  after(async () => {
    http.destroy();
    await sim.close();
  });

  it("4 short outages in a row: each reconnect waits the initial 300 ms (not 300, 600, 1200, 2400)", async () => {
    const broker = sim.navien.broker;
    let auth;
    ({ conn, auth } = demoConnection(sim, http, { initialMs: 300, maxMs: 5_000, factor: 2, jitter: 0 }));
    const waits = [];
    conn.on("state", (state, detail) => {
      if (state === "reconnecting") waits.push(detail.retryInMs);
    });
    conn.acquire();
    await until(() => conn.state === "connected", 5_000, "connected");
    const t0 = Date.now();
    for (let i = 0; i < 4; i++) {
      const accepted = broker.counters.accepted;
      broker.dropAll();
      await until(() => broker.counters.accepted > accepted && conn.state === "connected", 5_000, `reconnect ${i}`);
    }
    assert.deepEqual(waits, [300, 300, 300, 300]);
    assert.ok(Date.now() - t0 < 4 * 300 + 2_500, `4 outages recovered in ${Date.now() - t0} ms`);
    auth.close?.();
  });

  it("the reconnect wait doubles to its cap, no 5xx causes a sign-in (also past the 10th attempt), and a success resets the wait", async () => {
    // The account's own realtime layer, whose credentials provider decides when to sign in again.
    const { NavienAccountClient } = require("../../nodes/lib/navien/account.js");
    const { DEMO_USER } = require("../simulator/navien");
    const client = new NavienAccountClient(
      { apiUrl: sim.navien.apiUrl, mqttUrl: sim.navien.mqttUrl, region: "us-east-1", unit: "F", email: DEMO_USER.email, password: DEMO_USER.password },
      { backoff: { initialMs: 20, maxMs: 160, factor: 2, jitter: 0 } },
    );
    const broker = sim.navien.broker;
    const rt = client.realtime;
    const waits = [];
    rt.onState((state, detail) => {
      if (state === "reconnecting") waits.push(detail.retryInMs);
    });
    const release = rt.hold();
    try {
      await until(() => rt.state === "connected", 5_000, "connected");
      const signIns = sim.navien.counters.signIn;
      sim.outage({ vendor: "navien", endpoint: "mqtt", status: 503, seconds: 2.5 });
      broker.dropAll();
      await until(() => waits.length >= 12, 10_000, "12 refused reconnects");
      assert.deepEqual(waits.slice(0, 6), [20, 40, 80, 160, 160, 160], "doubling to the cap while refused");
      await until(() => rt.state === "connected", 10_000, "reconnected after the outage");
      assert.equal(sim.navien.counters.signIn, signIns, "a gateway 5xx is no credential problem: no sign-in");
      const before = waits.length;
      broker.dropAll();
      await until(() => rt.state === "connected" && waits.length > before, 5_000, "reconnect after a drop");
      assert.equal(waits[before], 20, "the wait starts over after a successful connection");
    } finally {
      await release();
      await client.close();
    }
  });
});
