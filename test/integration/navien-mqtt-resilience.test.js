"use strict";
/**
 * The Navien MQTT connection never goes silent (docs/protocol/navien.md §15, §16): broker kills and restarts during a
 * status stream, duplicate client ids, redeploy-style acquire/release cycles, close().
 * Real aedes over a real WebSocket on loopback; credentials from a real NavienAuth sign-in.
 */
const assert = require("node:assert/strict");
const mqtt = require("mqtt");
const { backoffBound } = require("../../nodes/lib/navien/mqtt/connection.js");
const { presignMqttUrl } = require("../../nodes/lib/navien/mqtt/presign.js");
const { HttpClient } = require("../../nodes/lib/core/http.js");
const { startSimulator } = require("../simulator");
const { demoConnection } = require("../support/navien");
const { until } = require("../support/until");

const MACS = ["a1b2c3d4e5f6", "a1b2c3d4e5f7"];
const BACKOFF = { initialMs: 20, maxMs: 200, factor: 2, jitter: 0.5 };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe("Navien MQTT resilience (simulated AWS IoT broker)", function () {
  this.timeout(40_000);
  let sim;
  let broker;
  let http;
  let auth;
  const conns = [];

  before(async () => {
    sim = await startSimulator();
    broker = sim.navien.broker;
    http = new HttpClient("Navien");
  });
  after(async () => {
    http.destroy();
    await sim.close();
  });
  beforeEach(() => {
    broker.start();
    broker.autoStatusMs = 0;
    broker.resetCounters();
  });
  afterEach(async () => {
    broker.autoStatusMs = 0;
    for (const c of conns.splice(0)) await c.close();
    await until(() => broker.liveConnections === 0, 3_000, "no live connection after the test");
  });

  /** The demo user's connection (test/support/navien.js); `auth` is the sign-in of the last one opened. */
  function open(opts = {}) {
    const made = demoConnection(sim, http, BACKOFF, { connectTimeoutMs: 3_000, ...opts });
    auth = made.auth;
    conns.push(made.conn);
    return made.conn;
  }

  it("status resumes after 10 broker kills (dropAll and stop/start), no duplicates, never more than one connection", async () => {
    const c = open();
    const seen = new Map(); // sessionID → times delivered
    let last = 0;
    for (const mac of MACS) {
      c.subscribe(`cmd/52/navilink-${mac}/#`, (topic, payload) => {
        const m = JSON.parse(payload);
        if (!m.response || !m.response.status) return;
        seen.set(m.sessionID, (seen.get(m.sessionID) || 0) + 1);
        last = Date.now();
      });
    }
    c.acquire();
    await until(() => c.state === "connected");
    broker.autoStatusMs = 25;
    await until(() => seen.size >= 4, 3_000, "the status stream");
    const gaps = [];
    for (let i = 0; i < 10; i++) {
      const killedAt = Date.now();
      if (i % 2 === 0) {
        broker.dropAll();
      } else {
        broker.stop();
        await sleep(60);
        broker.start();
      }
      await until(() => last > killedAt + (i % 2 ? 60 : 0) && c.state === "connected", 5_000, `status after kill ${i + 1}`);
      gaps.push(Date.now() - killedAt);
      assert.ok(broker.liveConnections <= 1);
    }
    // Every successful reconnect resets the back-off; the cap bounds any wait anyway.
    const bound = BACKOFF.maxMs + 60 /* stopped */ + 25 /* next status */ + 500 /* connect + margin */;
    assert.ok(Math.max(...gaps) <= bound, `gaps ${gaps.join(", ")} ms > ${bound}`);
    assert.ok(backoffBound(20, BACKOFF) <= BACKOFF.maxMs);
    for (const [id, n] of seen) assert.equal(n, 1, `status ${id} delivered ${n} times`);
    assert.equal(broker.maxLiveConnections, 1, "never more than one live MQTT connection");
    assert.equal(broker.maxOpenWebSockets, 1, "never more than one WebSocket");
    await sleep(100);
    assert.equal(broker.liveConnections, 1);
    assert.equal(c.stats.connects, 11);
    assert.equal(broker.counters.accepted, 11, "no reconnect storm: exactly one accepted upgrade per kill");
    assert.equal(broker.counters.subscribes[`cmd/52/navilink-${MACS[0]}/#`], 11, "re-subscribed once per connection");
  });

  it("a duplicate client id kicks us once; we come back with a new id and do not flap", async () => {
    const c = open();
    c.acquire();
    await until(() => c.state === "connected");
    const stolen = c.clientId;
    const t = await auth.tokens(5_000);
    const url = presignMqttUrl({ url: sim.navien.mqttUrl, region: "us-east-1", accessKeyId: t.awsAccessKeyId, secretKey: t.awsSecretKey, sessionToken: t.awsSessionToken });
    const rogue = mqtt.connect(url, { protocolVersion: 4, clientId: stolen, clean: true, reconnectPeriod: 0 });
    rogue.on("error", () => {});
    try {
      await until(() => rogue.connected, 3_000, "rogue connected");
      await until(() => c.state === "connected" && c.clientId !== stolen, 3_000, "reconnected with a new id");
      await sleep(500);
      assert.equal(c.stats.connects, 2, "one reconnect, no flapping");
      assert.ok(rogue.connected, "the other client keeps its connection");
      assert.deepEqual(broker.clientIds.sort(), [stolen, c.clientId].sort());
    } finally {
      await new Promise((r) => rogue.end(true, {}, r));
    }
    // broker.kick (AWS closing one connection) → one reconnect.
    const before = c.clientId;
    broker.kick(before);
    await until(() => c.state === "connected" && c.clientId !== before, 3_000, "reconnected after kick");
    assert.equal(c.stats.connects, 3);
  });

  it("20 acquire/release cycles (redeploys): at most one connection, nothing left behind", async () => {
    const c = open();
    // Warm up so that lazily created handles (HTTP agent, aedes) exist before counting.
    c.acquire();
    await until(() => c.state === "connected");
    await c.release();
    await sleep(100);
    const handlesBefore = process._getActiveHandles().length;
    broker.resetCounters();
    for (let i = 0; i < 20; i++) {
      c.acquire();
      if (i % 3 === 0) {
        await sleep(2); // released while still connecting
      } else {
        await until(() => c.state === "connected", 3_000, `connected in cycle ${i}`);
      }
      c.acquire(); // a second node
      await c.release();
      assert.notEqual(c.state, "idle", "still held by one node");
      await c.release();
      assert.equal(c.state, "idle");
      const d = c.debugInfo();
      assert.deepEqual({ timers: d.timers, client: d.client, teardowns: d.teardowns, loop: d.loop }, { timers: 0, client: false, teardowns: 0, loop: false }, `cycle ${i}`);
    }
    // Overlapping redeploy: the new node acquires before the old release finished.
    for (let i = 0; i < 5; i++) {
      c.acquire();
      await until(() => c.state === "connected");
      const releasing = c.release();
      c.acquire();
      await releasing;
      await until(() => c.state === "connected", 3_000, "reconnected after overlapping release");
      await c.release();
    }
    await until(() => broker.liveConnections === 0 && broker.openWebSockets === 0, 3_000, "broker sees nothing");
    assert.ok(broker.maxLiveConnections <= 1, `max live ${broker.maxLiveConnections}`);
    assert.ok(broker.maxOpenWebSockets <= 1, `max websockets ${broker.maxOpenWebSockets}`);
    await sleep(200);
    const handlesAfter = process._getActiveHandles().length;
    assert.ok(handlesAfter <= handlesBefore, `active handles ${handlesBefore} → ${handlesAfter}`);
  });

  it("close() while reconnecting stops everything: no further attempts, no timers", async () => {
    const c = open({ backoff: { ...BACKOFF, initialMs: 50 } });
    c.acquire();
    await until(() => c.state === "connected");
    broker.stop();
    await until(() => broker.counters.refusals.stopped >= 2, 3_000, "retrying");
    const states = [];
    c.on("state", (s) => states.push(s));
    await c.close();
    assert.equal(c.state, "closed");
    assert.deepEqual(states, ["closed"]);
    const upgrades = broker.counters.upgrades;
    await sleep(500);
    assert.equal(broker.counters.upgrades, upgrades, "no attempt after close()");
    assert.deepEqual(c.debugInfo(), { timers: 0, client: false, teardowns: 0, queue: 0, inflight: 0, loop: false, filters: 0 });
    c.acquire();
    await sleep(100);
    assert.equal(broker.counters.upgrades, upgrades, "acquire() after close() does nothing");
  });
});
