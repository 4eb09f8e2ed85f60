"use strict";
/**
 * Our MQTT connection sends what mqtt.js writes in one tick as one WebSocket frame
 * (src/navien/mqtt/ws-frames.ts, docs/protocol/navien.md §4 "Frames"): the production connection
 * (mqtt.js over the SigV4 WebSocket) against the simulator's aedes broker, which counts frames.
 */
const assert = require("node:assert/strict");
const { HttpClient } = require("../../nodes/lib/core/http.js");
const { startSimulator } = require("../simulator");
const { until } = require("../support/runtime");
const { demoConnection } = require("../support/navien");

describe("Navien MQTT frames on the wire", function () {
  this.timeout(30_000);
  let sim;
  let http;
  let conn;
  let auth;

  before(async () => {
    sim = await startSimulator();
    http = new HttpClient("Navien");
  });
  after(async () => {
    await conn?.close();
    auth?.close?.();
    http.destroy();
    await sim.close();
  });

  it("200 statuses pushed at once: every one acknowledged (no redelivery), in at most one frame each, not three", async () => {
    const broker = sim.navien.broker;
    ({ conn, auth } = demoConnection(sim, http));
    const topic = "cmd/52/navilink-a1b2c3d4e5f6/res/st";
    const got = [];
    conn.subscribe("cmd/52/navilink-a1b2c3d4e5f6/#", (t, payload) => got.push(JSON.parse(String(payload)).n));
    conn.acquire();
    await until(() => conn.state === "connected" && broker.counters.subscribes["cmd/52/navilink-a1b2c3d4e5f6/#"], 5_000, "subscribed");
    await new Promise((r) => setTimeout(r, 100));
    const before = broker.counters.framesIn;
    const aedes = broker.aedes;
    for (let n = 0; n < 200; n++) {
      aedes.publish({ cmd: "publish", topic, payload: Buffer.from(JSON.stringify({ n })), qos: 1, retain: false, dup: false }, () => {});
    }
    await until(() => got.length >= 200, 10_000, "200 statuses");
    await new Promise((r) => setTimeout(r, 300)); // the last acknowledgements
    const frames = broker.counters.framesIn - before;
    assert.deepEqual(got, Array.from({ length: 200 }, (_, i) => i), "each once, in order");
    assert.ok(frames >= 1 && frames <= 200, `${frames} frames for 200 acknowledgements (mqtt.js alone: 600)`);
    // Acknowledged: nothing is left in flight for our client at the broker.
    const client = [...Object.values(aedes.clients)][0];
    const inflight = await new Promise((r) => {
      let count = 0;
      aedes.persistence.outgoingStream(client).on("data", () => count++).on("end", () => r(count));
    });
    assert.equal(inflight, 0);
  });
});
