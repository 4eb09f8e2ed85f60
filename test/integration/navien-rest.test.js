"use strict";
/**
 * navien-account + navien-device REST commands in a real Node-RED runtime against the simulator.
 */
const assert = require("node:assert/strict");
const { helper, nodes, until, runtimeVersion, captureEverything, useSimulator } = require("../support/runtime");
const { DEMO_USER } = require("../simulator/navien");

const MAC = "a1b2c3d4e5f6";

describe(`Navien REST nodes (Node-RED ${runtimeVersion()})`, function () {
  this.timeout(60_000);
  let sim;

  useSimulator((s) => (sim = s));
  beforeEach(() => {
    sim.navien.resetCounters();
    sim.navien.clearFaults();
    sim.navien.revokeAll();
    sim.navien.setDeviceCount(2);
    sim.navien.tokenLifetime = 3600;
  });
  afterEach(async () => {
    await helper.unload();
  });

  let accountSeq = 0;
  /** A flow with one account, one device node (wired to a helper node and a catch node). */
  function flow(deviceProps = {}, accountProps = {}) {
    const acc = `acc${++accountSeq}`;
    return {
      acc,
      nodes: [
        { id: "f1", type: "tab" },
        { id: acc, type: "navien-account", name: "sim", apiUrl: sim.navien.apiUrl, mqttUrl: "ws://127.0.0.1:1/mqtt", region: "us-east-1", unit: "F", ...accountProps },
        { id: "dev", z: "f1", type: "navien-device", account: acc, device: "", command: "list", timeout: 15, wires: [["out"]], ...deviceProps },
        { id: "out", z: "f1", type: "helper" },
        { id: "catcher", z: "f1", type: "catch", scope: null, uncaught: false, wires: [["caught"]] },
        { id: "caught", z: "f1", type: "helper" },
      ],
      creds: { [acc]: { email: DEMO_USER.email, password: DEMO_USER.password } },
    };
  }

  async function load(f) {
    await helper.load([nodes.navienAccount, nodes.navienDevice], f.nodes, f.creds);
    return { dev: helper.getNode("dev"), out: helper.getNode("out"), caught: helper.getNode("caught") };
  }

  function collect(node) {
    const got = [];
    node.on("input", (m) => got.push(m));
    return got;
  }

  it("lists the account's devices in the contract's shape, keeping other msg properties", async () => {
    const { dev, out } = await load(flow());
    const got = collect(out);
    dev.receive({ payload: "go", _keep: 42 });
    await until(() => got.length === 1);
    assert.equal(got[0]._keep, 42);
    assert.deepEqual(got[0].payload[0], {
      mac: MAC, name: "NWP500", additionalValue: "9876", deviceType: 52, connected: true, homeSeq: 12345, installType: "R",
      location: { state: "CA", city: "San Francisco", address: "123 Main St", latitude: 37.7749, longitude: -122.4194, altitude: null },
    });
    assert.equal(got[0].payload[1].connected, false);
  });

  it("100 concurrent list messages on a cold account cause exactly 1 sign-in", async () => {
    const { dev, out } = await load(flow());
    const got = collect(out);
    for (let i = 0; i < 100; i++) dev.receive({ payload: i });
    await until(() => got.length === 100, 20_000, "100 answers");
    assert.equal(sim.navien.counters.signIn, 1);
    assert.equal(sim.navien.counters.refresh, 0);
    assert.ok(got.every((m) => m.payload.length === 2));
  });

  it("returns every device of a 25-device account (pages of 20)", async () => {
    sim.navien.setDeviceCount(25);
    const { dev, out } = await load(flow());
    const got = collect(out);
    dev.receive({});
    await until(() => got.length === 1);
    assert.equal(got[0].payload.length, 25);
    assert.equal(new Set(got[0].payload.map((d) => d.mac)).size, 25);
    assert.equal(sim.navien.counters.list, 2);
  });

  it("with a 2-second token lifetime, a stream of requests refreshes tokens and never fails", async function () {
    const seconds = Number(process.env.NAVIEN_STREAM_SECONDS || 30);
    this.timeout((seconds + 30) * 1000);
    sim.navien.tokenLifetime = 2;
    const { dev, out, caught } = await load(flow());
    const got = collect(out);
    const errors = collect(caught);
    let sent = 0;
    const end = Date.now() + seconds * 1000;
    while (Date.now() < end) {
      for (let i = 0; i < 3; i++) dev.receive({ payload: sent++ });
      await new Promise((r) => setTimeout(r, 100));
    }
    await until(() => got.length + errors.length === sent, 15_000, "all answers");
    assert.deepEqual(errors.map((e) => e.error), []);
    assert.equal(got.length, sent);
    assert.ok(sim.navien.counters.refresh >= Math.floor(seconds / 2) - 1, `refreshes: ${sim.navien.counters.refresh}`);
    assert.equal(sim.navien.counters.signIn, 1);
  });

  it("bad password: AUTH_INVALID_CREDENTIALS in a Catch node, red status, one sign-in, then a back-off", async () => {
    const f = flow();
    f.creds[f.acc].password = "wrong-password-123";
    const { dev, caught } = await load(f);
    const errors = collect(caught);
    const statuses = [];
    dev.on("call:status", (c) => statuses.push(c.args[0]));
    for (let i = 0; i < 10; i++) dev.receive({ payload: i });
    await until(() => errors.length === 10);
    assert.equal(sim.navien.counters.signIn, 1, "concurrent messages share one sign-in");
    for (let i = 0; i < 5; i++) {
      dev.receive({ payload: "again" });
      await until(() => errors.length === 11 + i);
    }
    assert.equal(sim.navien.counters.signIn, 1, "later messages are paused by the back-off");
    assert.ok(errors.every((e) => e.error.code === "AUTH_INVALID_CREDENTIALS"));
    assert.match(errors[0].error.message, /rejected the e-mail or password/);
    assert.match(errors[10].error.message, /paused/);
    assert.deepEqual(statuses.at(-1), { fill: "red", shape: "ring", text: "status.error.AUTH_INVALID_CREDENTIALS" });
    assert.ok(!JSON.stringify(errors).includes("wrong-password-123"));
  });

  it("maps 500 → HTTP_ERROR, garbage → BAD_RESPONSE, wrong shape → BAD_RESPONSE, HTML → BAD_RESPONSE", async () => {
    const { dev, caught } = await load(flow());
    const errors = collect(caught);
    for (const [kind, code] of [["500", "HTTP_ERROR"], ["garbage", "BAD_RESPONSE"], ["bad-shape", "BAD_RESPONSE"], ["html", "BAD_RESPONSE"]]) {
      sim.navien.fault({ path: "/device/list", kind, times: 1 });
      dev.receive({ payload: kind });
      await until(() => errors.length && errors.at(-1).payload === kind);
      assert.equal(errors.at(-1).error.code, code, kind);
    }
    assert.match(errors[0].error.message, /HTTP 500/);
  });

  it("a hung server → TIMEOUT within the node's timeout; the runtime stays up", async () => {
    const { dev, caught, out } = await load(flow({ timeout: 1 }));
    const errors = collect(caught);
    const got = collect(out);
    sim.navien.fault({ path: "/device/list", kind: "hang", times: 1 });
    const t0 = Date.now();
    dev.receive({ payload: "hang" });
    await until(() => errors.length === 1, 5000);
    const took = Date.now() - t0;
    assert.equal(errors[0].error.code, "TIMEOUT");
    assert.ok(took < 2000, `took ${took} ms (node timeout 1 s)`);
    // No answer pauses that request for 1–2 s (longer than this node's 1-s budget): once over, it works again.
    await until(() => helper.getNode(`acc${accountSeq}`).client.http.pauses.current() === null, 3000, "pause over");
    dev.receive({ payload: "after" });
    await until(() => got.length === 1);
  });

  it("a hung sign-in is bounded by the node's timeout too", async () => {
    const { dev, caught } = await load(flow({ timeout: 1 }));
    const errors = collect(caught);
    sim.navien.fault({ path: "/user/sign-in", kind: "hang", times: 1 });
    const t0 = Date.now();
    dev.receive({});
    await until(() => errors.length === 1, 5000);
    assert.equal(errors[0].error.code, "TIMEOUT");
    assert.ok(Date.now() - t0 < 2000);
  });

  it("unreachable server → NETWORK", async () => {
    const { dev, caught } = await load(flow({}, { apiUrl: "http://127.0.0.1:1/api" }));
    const errors = collect(caught);
    dev.receive({});
    await until(() => errors.length === 1);
    assert.equal(errors[0].error.code, "NETWORK");
    assert.match(errors[0].error.message, /Check the URL/);
  });

  it("retries once after a 401 (also a 401 inside an HTTP 200) and then succeeds", async () => {
    const { dev, out } = await load(flow());
    const got = collect(out);
    dev.receive({});
    await until(() => got.length === 1);
    for (const in200 of [false, true]) {
      sim.navien.unauthorizedIn200 = in200;
      sim.navien.accessTokens.clear(); // the server forgets the access token; the refresh token still works
      dev.receive({});
      await until(() => got.length === (in200 ? 3 : 2));
    }
    sim.navien.unauthorizedIn200 = false;
    assert.equal(sim.navien.counters.refresh, 2);
    assert.equal(sim.navien.counters.signIn, 1);
  });

  it("a persistent 401 → AUTH_FAILED after one refresh-and-retry", async () => {
    const { dev, out, caught } = await load(flow());
    const got = collect(out);
    const errors = collect(caught);
    dev.receive({});
    await until(() => got.length === 1);
    sim.navien.fault({ path: "/device/list", kind: "401", times: 2 });
    dev.receive({});
    await until(() => errors.length === 1);
    assert.equal(errors[0].error.code, "AUTH_FAILED");
    assert.equal(sim.navien.counters.refresh, 1);
  });

  it("refresh refused → falls back to a sign-in", async () => {
    const { dev, out } = await load(flow());
    const got = collect(out);
    dev.receive({});
    await until(() => got.length === 1);
    sim.navien.revokeAll();
    dev.receive({});
    await until(() => got.length === 2);
    assert.equal(sim.navien.counters.refresh, 1);
    assert.equal(sim.navien.counters.signIn, 2);
  });

  it("info and firmware by MAC in any notation; unknown MAC → DEVICE_NOT_FOUND; bad MAC → INVALID_INPUT with nothing sent", async () => {
    const { dev, out, caught } = await load(flow({ command: "" }));
    const got = collect(out);
    const errors = collect(caught);
    dev.receive({ command: "info", device: "A1:B2:C3:D4:E5:F6" });
    await until(() => got.length === 1);
    assert.equal(got[0].payload.mac, MAC);
    assert.equal(got[0].payload.raw.deviceInfo.macAddress, MAC);
    assert.deepEqual(got[0].payload.alarmInfo, { isEtcAlarm: 1, isErrorAlarm: 1 });
    dev.receive({ topic: "firmware", device: "a1-b2-c3-d4-e5-f6" });
    await until(() => got.length === 2);
    assert.equal(got[1].payload[0].currentVersion, 184614912);
    dev.receive({ command: "info", device: "000000000000" });
    await until(() => errors.length === 1);
    assert.equal(errors[0].error.code, "DEVICE_NOT_FOUND");
    const before = { ...sim.navien.counters };
    dev.receive({ command: "info", device: "not-a-mac" });
    dev.receive({ command: "explode" });
    dev.receive({ command: "temperature", device: "a1b2c3d4e5f" });
    dev.receive({});
    await until(() => errors.length === 5);
    assert.deepEqual(errors.slice(1).map((e) => e.error.code), ["INVALID_INPUT", "INVALID_INPUT", "INVALID_INPUT", "INVALID_INPUT"]);
    assert.match(errors[2].error.message, /Unknown command "explode"/);
    assert.deepEqual(sim.navien.counters, before, "nothing was sent for bad input");
  });

  it("missing credentials (and no env) → INVALID_INPUT, nothing sent; env variables are used when blank", async () => {
    const f = flow();
    f.creds[f.acc] = {};
    delete process.env.NAVIEN_EMAIL;
    delete process.env.NAVIEN_PASSWORD;
    let { dev, caught } = await load(f);
    let errors = collect(caught);
    dev.receive({});
    await until(() => errors.length === 1);
    assert.equal(errors[0].error.code, "INVALID_INPUT");
    assert.equal(sim.navien.counters.signIn, 0);
    await helper.unload();

    process.env.NAVIEN_EMAIL = DEMO_USER.email;
    process.env.NAVIEN_PASSWORD = DEMO_USER.password;
    try {
      const f2 = flow();
      f2.creds[f2.acc] = {};
      const l = await load(f2);
      const got = collect(l.out);
      l.dev.receive({});
      await until(() => got.length === 1);
      assert.equal(sim.navien.counters.signIn, 1);
    } finally {
      delete process.env.NAVIEN_EMAIL;
      delete process.env.NAVIEN_PASSWORD;
    }
  });

  it("20 redeploys of an unchanged account → still 1 sign-in; a changed password signs in again", async () => {
    const f = flow();
    const { dev } = await load(f);
    let got = collect(helper.getNode("out"));
    dev.receive({});
    await until(() => got.length === 1);
    for (let i = 0; i < 20; i++) {
      await helper.setFlows(f.nodes, i % 2 ? "full" : "nodes", f.creds);
      const d = helper.getNode("dev");
      got = collect(helper.getNode("out"));
      d.receive({});
      await until(() => got.length === 1);
    }
    assert.equal(sim.navien.counters.signIn, 1);
    const creds2 = { [f.acc]: { email: DEMO_USER.email, password: "changed-password" } };
    await helper.setFlows(f.nodes, "full", creds2);
    const errs = collect(helper.getNode("caught"));
    helper.getNode("dev").receive({});
    await until(() => errs.length === 1);
    assert.equal(sim.navien.counters.signIn, 2);
  });

  it("never puts a password, token or AWS key in a message, status, log line or error", async () => {
    const cap = captureEverything();
    const { dev, out, caught } = await load(flow({ command: "" }));
    dev.on("call:status", (c) => cap.push(c.args[0]));
    out.on("input", (m) => cap.push(m));
    caught.on("input", (m) => cap.push(m));
    dev.receive({ command: "list" });
    dev.receive({ command: "info", device: MAC });
    dev.receive({ command: "firmware", device: MAC });
    dev.receive({ command: "info", device: "ffffffffffff" });
    sim.navien.fault({ path: "/device/list", kind: "500", times: 1 });
    dev.receive({ command: "list" });
    await new Promise((r) => setTimeout(r, 500));
    const text = cap.text();
    assert.ok(text.length > 100);
    const secrets = [DEMO_USER.password, ...sim.navien.accessTokens.keys(), ...sim.navien.refreshTokens.keys()];
    for (const [id, c] of sim.navien.awsCredentials) secrets.push(id, c.secretKey, c.sessionToken);
    for (const s of secrets) assert.ok(!text.includes(s), "secret leaked: " + s.slice(0, 12));
    assert.ok(!text.includes(DEMO_USER.email), "the login e-mail is not in logs or status");
  });
});
