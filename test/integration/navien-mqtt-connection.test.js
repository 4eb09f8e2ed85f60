"use strict";
/**
 * NavienMqttConnection against the simulated AWS IoT broker (real aedes over a real WebSocket on
 * loopback), with AWS credentials from a real NavienAuth sign-in against the REST simulator:
 * presign refusals and their explanations, the publish queue, subscriptions, credential expiry.
 */
const assert = require("node:assert/strict");
const { NavienAuth } = require("../../nodes/lib/navien/rest/auth.js");
const { HttpClient } = require("../../nodes/lib/core/http.js");
const { renderMessage } = require("../../nodes/lib/core/messages.js");
const { startSimulator } = require("../simulator");
const { demoConnection } = require("../support/navien");
const { DEMO_USER } = require("../simulator/navien");
const { until } = require("../support/until");

const MAC = "a1b2c3d4e5f6";
const DEV = `cmd/52/navilink-${MAC}`;
const BACKOFF = { initialMs: 20, maxMs: 200, factor: 2, jitter: 0.5 };

/** A status request envelope (vector command-status-request.json) for the client id on the wire. */
function statusRequest(mac = MAC, additionalValue = "9876", extra = {}) {
  return (clientId) => ({
    clientID: clientId,
    sessionID: "5f0c6b1e2d3a4b5c8d9e0f1a2b3c4d5e",
    protocolVersion: 2,
    request: { command: 16777219, deviceType: 52, macAddress: mac, additionalValue },
    requestTopic: `cmd/52/navilink-${mac}/st`,
    responseTopic: `cmd/52/navilink-${mac}/${clientId}/res`,
    ...extra,
  });
}

describe("Navien MQTT connection (simulated AWS IoT broker)", function () {
  this.timeout(30_000);
  let sim;
  let broker;
  let http;
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
    sim.navien.awsLifetime = 3600;
    sim.navien.resetCounters();
    broker.start();
    broker.silent = false;
    broker.ackDelayMs = 0;
    broker.autoStatusMs = 0;
    broker.resetCounters();
  });
  afterEach(async () => {
    for (const c of conns.splice(0)) await c.close();
    await until(() => broker.liveConnections === 0, 3_000, "no live connection after the test");
  });

  function signIn(password = DEMO_USER.password) {
    return new NavienAuth({ http, apiUrl: sim.navien.apiUrl, email: DEMO_USER.email, password });
  }

  /** Credentials callback backed by a NavienAuth; records every call. */
  function fromAuth(auth, calls = []) {
    const fn = async (timeoutMs, request) => {
      calls.push(request);
      const t = await auth.tokens(timeoutMs);
      return { accessKeyId: t.awsAccessKeyId, secretKey: t.awsSecretKey, sessionToken: t.awsSessionToken };
    };
    fn.calls = calls;
    return fn;
  }

  /** The demo user's connection (test/support/navien.js), its log kept as `c.logs`; `opts` replace its options (e.g. `credentials`). */
  function open(opts = {}) {
    const logs = [];
    const { conn: c } = demoConnection(sim, http, BACKOFF, {
      connectTimeoutMs: 3_000,
      log: (level, text) => logs.push(`${level} ${renderMessage(text)}`),
      ...opts,
    });
    c.logs = logs;
    conns.push(c);
    return c;
  }

  function assertNoSecrets(text, auth) {
    assert.ok(!/X-Amz-Signature|X-Amz-Security-Token|X-Amz-Credential/.test(text), text);
    for (const s of auth ? auth.secrets() : []) assert.ok(!text.includes(s), "a secret leaked: " + text);
  }

  describe("presign refusals", () => {
    it("connects with valid credentials: one SUBSCRIBE per filter, status answer received", async () => {
      const auth = signIn();
      const c = open({ credentials: fromAuth(auth) });
      const got = [];
      c.subscribe(`${DEV}/#`, (topic, payload) => got.push(JSON.parse(payload)));
      c.acquire();
      await until(() => c.state === "connected", 5_000, "connected");
      assert.match(c.clientId, /^navien-nodered-[0-9a-f]{8}$/);
      await c.publish(`${DEV}/st`, statusRequest(), { timeoutMs: 5_000 });
      await until(() => got.some((m) => m.response), 3_000, "status answer");
      const answer = got.find((m) => m.response);
      assert.equal(answer.response.status.dhwTemperatureSetting, 120);
      assert.equal(answer.clientID, c.clientId);
      assert.ok(got.some((m) => m.request), "the device wildcard also delivers our own request (ignored by the codec)");
      assert.equal(broker.counters.subscribes[`${DEV}/#`], 1);
      assert.equal(broker.liveConnections, 1);
      assert.equal(c.lastError, undefined);
    });

    it("a wrong signature is refused and lastError says the broker refused the signature", async () => {
      const auth = signIn();
      const good = fromAuth(auth);
      const c = open({ credentials: async (t, r) => ({ ...(await good(t, r)), secretKey: "not-the-secret-key" }) });
      c.acquire();
      await until(() => c.lastError, 5_000, "lastError");
      assert.equal(c.lastError.code, "AUTH_FAILED");
      assert.match(c.lastError.message, /refused the request signature/);
      assert.match(c.lastError.message, /region|clock/);
      assert.ok(broker.counters.refusals["signature-mismatch"] >= 1);
      assert.equal(broker.counters.connects, 0);
      assert.ok(["connecting", "reconnecting"].includes(c.state));
      // A command waiting meanwhile fails with NOT_CONNECTED naming the cause.
      await assert.rejects(c.publish(`${DEV}/st`, statusRequest(), { timeoutMs: 150 }), (err) => {
        assert.equal(err.code, "NOT_CONNECTED");
        assert.match(err.message, /not sent/);
        assert.match(err.message, /signature/);
        return true;
      });
      assertNoSecrets(c.lastError.message + c.logs.join("\n"), auth);
    });

    it("a wrong service name in the scope is refused (signature) ", async () => {
      const c = open({ service: "iot" });
      c.acquire();
      await until(() => c.lastError, 5_000, "lastError");
      assert.ok(broker.counters.refusals["wrong-service"] >= 1);
      assert.match(c.lastError.message, /signature/);
    });

    it("expired credentials are refused, reported as expired, and the next attempt asks for fresh ones and connects", async () => {
      sim.navien.awsLifetime = 1;
      const stale = await signIn().tokens(5_000);
      sim.navien.awsLifetime = 3600;
      await new Promise((r) => setTimeout(r, 1_100));
      const auth = signIn();
      const fresh = fromAuth(auth);
      const requests = [];
      const states = [];
      const c = open({
        credentials: async (t, request) => {
          requests.push(request);
          if (!request.rejected) return { accessKeyId: stale.awsAccessKeyId, secretKey: stale.awsSecretKey, sessionToken: stale.awsSessionToken };
          return fresh(t, request);
        },
      });
      c.on("state", (s, d) => states.push([s, d.error && d.error.message]));
      c.acquire();
      await until(() => c.state === "connected", 5_000, "connected with fresh credentials");
      assert.equal(broker.counters.refusals.expired, 1);
      assert.equal(requests.length, 2);
      assert.deepEqual(requests[1], { attempt: 2, deep: true, rejected: "expired" });
      const reported = states.find(([s, m]) => s === "reconnecting" && m);
      assert.match(reported[1], /AWS credentials have expired/);
      assert.deepEqual(broker.acceptedKeys, [stale.awsAccessKeyId, auth.current.awsAccessKeyId].slice(1));
    });

    it("unknown credentials and an unreachable broker are explained; nothing secret in the text", async () => {
      const auth = signIn();
      const good = fromAuth(auth);
      const c = open({ credentials: async (t, r) => ({ ...(await good(t, r)), accessKeyId: "ASIANOTISSUED0000" }) });
      c.acquire();
      await until(() => c.lastError, 5_000, "lastError");
      assert.match(c.lastError.message, /does not recognise the AWS credentials/);
      assertNoSecrets(c.lastError.message, auth);

      const d = open({ url: "ws://127.0.0.1:1/mqtt" });
      d.acquire();
      await until(() => d.lastError, 5_000, "lastError");
      assert.equal(d.lastError.code, "NETWORK");
      assert.match(d.lastError.message, /Cannot reach the Navien MQTT broker at 127\.0\.0\.1:1 \(ECONNREFUSED\)/);
    });

    it("invalid account credentials stop the hammering: retries wait the back-off cap", async () => {
      const auth = signIn("wrong-password");
      const calls = [];
      const states = [];
      const c = open({ credentials: fromAuth(auth, calls), backoff: { ...BACKOFF, maxMs: 400 } });
      c.on("state", (s, d) => states.push({ s, ...d }));
      c.acquire();
      await new Promise((r) => setTimeout(r, 1_000));
      assert.equal(c.lastError.code, "AUTH_INVALID_CREDENTIALS");
      assert.ok(calls.length <= 4, `credential calls: ${calls.length}`);
      assert.ok(sim.navien.counters.signIn <= 2, `sign-ins: ${sim.navien.counters.signIn}`);
      const retry = states.filter((x) => x.s === "reconnecting");
      assert.ok(retry.length >= 1 && retry.every((x) => x.retryInMs === 400));
      assert.equal(broker.counters.upgrades, 0);
    });
  });

  describe("publish queue", () => {
    it("publishes while offline wait in order and are delivered after the reconnect", async () => {
      const c = open();
      c.acquire();
      await until(() => c.state === "connected");
      broker.stop();
      await until(() => c.state === "reconnecting", 3_000, "reconnecting");
      const done = [];
      const ps = [1, 2, 3, 4, 5].map((n) => c.publish(`${DEV}/st`, statusRequest(MAC, "9876", { sessionID: `order-${n}` }), { timeoutMs: 5_000 }).then(() => done.push(n)));
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(done.length, 0);
      broker.start();
      await Promise.all(ps);
      assert.deepEqual(done, [1, 2, 3, 4, 5]);
      // aedes acknowledges before its `published` hook runs: wait for the broker's record.
      await until(() => broker.received.length >= 5, 3_000, "the broker's record of 5 publishes");
      const order = broker.received.filter((m) => /^order-/.test(m.payload.sessionID)).map((m) => m.payload.sessionID);
      assert.deepEqual(order, ["order-1", "order-2", "order-3", "order-4", "order-5"]);
      assert.ok(broker.received.every((m) => m.clientId === c.clientId), "replayed with the new client id");
      assert.equal(broker.received[0].payload.clientID, c.clientId, "payload functions see the new client id");
    });

    it("past its timeout a publish fails with NOT_CONNECTED and is never sent later", async () => {
      const c = open();
      c.acquire();
      await until(() => c.state === "connected");
      broker.stop();
      await until(() => c.state === "reconnecting", 3_000, "reconnecting");
      const late = c.publish(`${DEV}/st`, statusRequest(MAC, "9876", { sessionID: "too-late" }), { timeoutMs: 200 });
      const inTime = c.publish(`${DEV}/st`, statusRequest(MAC, "9876", { sessionID: "in-time" }), { timeoutMs: 5_000 });
      await assert.rejects(late, (err) => {
        assert.equal(err.code, "NOT_CONNECTED");
        assert.match(err.message, /will not be sent later/);
        assert.match(err.message, /unavailable|503/);
        return true;
      });
      assert.equal(c.debugInfo().queue, 1);
      broker.start();
      await inTime;
      await until(() => broker.received.some((m) => m.payload.sessionID === "in-time"), 3_000, "in-time publish");
      await new Promise((r) => setTimeout(r, 300));
      const ids = broker.received.map((m) => m.payload.sessionID);
      assert.ok(ids.includes("in-time"));
      assert.ok(!ids.includes("too-late"), "the expired publish never reached the broker");
      assert.equal(c.stats.expired, 1);
    });

    it("a publish interrupted by a disconnect (no PUBACK yet) is re-queued and sent again after the reconnect", async () => {
      const c = open();
      c.acquire();
      await until(() => c.state === "connected");
      const first = c.clientId;
      broker.ackDelayMs = 400;
      let resolved = false;
      const p = c.publish(`${DEV}/st`, statusRequest(MAC, "9876", { sessionID: "interrupted" }), { timeoutMs: 5_000 }).then(() => (resolved = true));
      await until(() => c.debugInfo().inflight === 1, 1_000, "in flight");
      broker.ackDelayMs = 0;
      broker.dropAll();
      await p;
      assert.ok(resolved);
      assert.notEqual(c.clientId, first);
      await until(() => broker.received.some((m) => m.payload.sessionID === "interrupted" && m.clientId === c.clientId), 3_000, "resent on the new connection");
      assert.equal(c.debugInfo().inflight, 0);
    });

    it("re-subscribes before replaying: the answer to a command queued while down arrives", async () => {
      const c = open();
      const answers = [];
      c.subscribe(`${DEV}/#`, (t, p) => {
        const m = JSON.parse(p);
        if (m.response) answers.push(m);
      });
      c.acquire();
      await until(() => c.state === "connected");
      broker.dropAll();
      broker.stop();
      await until(() => c.state === "reconnecting");
      const p = c.publish(`${DEV}/st`, statusRequest(), { timeoutMs: 5_000 });
      broker.start();
      await p;
      await until(() => answers.length === 1, 3_000, "answer to the replayed request");
      assert.equal(answers[0].clientID, c.clientId);
      assert.equal(broker.counters.subscribes[`${DEV}/#`], 2, "one SUBSCRIBE per connection");
    });

    it("publishes on a closed or released connection fail at once or at release", async () => {
      const c = open();
      c.acquire();
      broker.stop();
      const pending = c.publish(`${DEV}/st`, statusRequest(), { timeoutMs: 10_000 });
      await c.release();
      await assert.rejects(pending, /no Navien node uses the connection/);
      await c.close();
      await assert.rejects(c.publish(`${DEV}/st`, statusRequest(), { timeoutMs: 10_000 }), (e) => e.code === "NOT_CONNECTED");
      broker.start();
    });
  });

  describe("subscriptions", () => {
    it("one SUBSCRIBE per filter whatever the handler count; removing the last handler unsubscribes", async () => {
      const c = open();
      const a = [];
      const b = [];
      const offA = c.subscribe(`${DEV}/#`, () => a.push(1));
      c.acquire();
      await until(() => c.state === "connected");
      const offB = c.subscribe(`${DEV}/#`, () => b.push(1));
      await c.publish(`${DEV}/st`, statusRequest(), { timeoutMs: 3_000 });
      await until(() => a.length === 2 && b.length === 2, 3_000, "both handlers (request echo + answer)");
      assert.equal(broker.counters.subscribes[`${DEV}/#`], 1);
      offA();
      offA();
      await c.publish(`${DEV}/st`, statusRequest(), { timeoutMs: 3_000 });
      await until(() => b.length === 4, 3_000, "handler b");
      assert.equal(a.length, 2);
      assert.equal(broker.counters.unsubscribes[`${DEV}/#`], undefined);
      offB();
      await until(() => broker.counters.unsubscribes[`${DEV}/#`] === 1, 3_000, "UNSUBSCRIBE");
      assert.equal(c.debugInfo().filters, 0);
    });

    it("{clientId} in a filter follows the client id across reconnects (reservation read answers)", async () => {
      const c = open();
      const got = [];
      c.subscribe("cmd/52/{clientId}/res/#", (topic, p) => got.push({ topic, msg: JSON.parse(p) }));
      const read = (cid) => ({
        clientID: cid,
        sessionID: "s",
        protocolVersion: 2,
        request: { command: 16777222, deviceType: 52, macAddress: MAC, additionalValue: "9876" },
        requestTopic: `${DEV}/st/rsv/rd`,
        responseTopic: `cmd/52/${cid}/res/rsv/rd`,
      });
      c.acquire();
      await until(() => c.state === "connected");
      const first = c.clientId;
      await c.publish(`${DEV}/st/rsv/rd`, read, { timeoutMs: 3_000 });
      await until(() => got.length === 1, 3_000, "first answer");
      broker.kick(first);
      await until(() => c.state === "connected" && c.clientId !== first, 3_000, "reconnected with a new id");
      await c.publish(`${DEV}/st/rsv/rd`, read, { timeoutMs: 3_000 });
      await until(() => got.length === 2, 3_000, "second answer");
      assert.equal(got[0].topic, `cmd/52/${first}/res/rsv/rd`);
      assert.equal(got[1].topic, `cmd/52/${c.clientId}/res/rsv/rd`);
      assert.equal(got[1].msg.response.reservation, "027c061e047802820800036e017c16000168");
    });

    it("a failing handler does not stop delivery to the others", async () => {
      const c = open();
      const ok = [];
      c.subscribe(`${DEV}/#`, () => {
        throw new Error("boom");
      });
      c.subscribe(`${DEV}/#`, () => ok.push(1));
      c.acquire();
      await until(() => c.state === "connected");
      await c.publish(`${DEV}/st`, statusRequest(), { timeoutMs: 3_000 });
      await until(() => ok.length === 2, 3_000, "the healthy handler");
      assert.ok(c.logs.some((l) => /handler .* failed: boom/.test(l)));
    });
  });

  describe("credential expiry", () => {
    it("reconnecting after the AWS credentials expired uses fresh ones from the callback (new sign-in)", async () => {
      sim.navien.awsLifetime = 2; // NavienAuth treats them as expired after 1.5 s (margin = lifetime / 4)
      const auth = signIn();
      const creds = fromAuth(auth);
      const c = open({ credentials: creds });
      c.acquire();
      await until(() => c.state === "connected");
      const firstKey = broker.acceptedKeys[0];
      await new Promise((r) => setTimeout(r, 2_100));
      assert.equal(c.state, "connected", "an open connection outlives its credentials");
      broker.dropAll();
      await until(() => c.state === "connected" && broker.acceptedKeys.length === 2, 5_000, "reconnected");
      assert.ok(creds.calls.length >= 2, "the callback was called again");
      assert.equal(sim.navien.counters.signIn, 2, "NavienAuth signed in again for fresh AWS credentials");
      assert.notEqual(broker.acceptedKeys[1], firstKey);
      assert.equal(broker.refusalCount, 0);
    });
  });
});
