"use strict";
/**
 * home-energy-cluster and the cluster hooks in a real Node-RED runtime with a real redis-server:
 * nothing of Redis is loaded without a cluster; HOME_ENERGY_REDIS_URL only when the URL is blank;
 * a named but missing or unusable cluster fails the nodes (never a silent single-instance
 * fallback); the Redis password appears nowhere; a redeploy does not wait for a paused Redis;
 * navien-status-in stands by (no MQTT connection, no output) while another instance holds its
 * leader lock and takes over when that lock expires.
 */
const assert = require("node:assert/strict");
const { spawnSync } = require("node:child_process");
const path = require("node:path");
const { helper, loadNode, until, runtimeVersion, captureEverything, useSimulator } = require("../support/runtime");
const { useRedis } = require("../support/redis");
const { DEMO_API_KEY } = require("../simulator/nox");
const { DEMO_USER: NAVIEN_USER } = require("../simulator/navien");

const TYPES = ["home-energy-cluster", "nox-account", "nox-link", "navien-account", "navien-status-in"].map(loadNode);
const PASSWORD = "redis-node-Secret-4410";

describe(`home-energy-cluster in Node-RED ${runtimeVersion()}`, function () {
  this.timeout(30_000);
  let sim, redis;
  useSimulator((s) => (sim = s));
  useRedis(
    (r) => (redis = r),
    { password: PASSWORD },
    async () => {
      await helper.unload();
      delete process.env.HOME_ENERGY_REDIS_URL;
    },
  );

  function noxFlow(clusterProps = {}, clusterCreds = { password: PASSWORD }, accountCluster = "cl") {
    return {
      nodes: [
        { id: "f1", type: "tab" },
        { id: "cl", type: "home-energy-cluster", name: "", url: redis.url, prefix: "he-it", ...clusterProps },
        { id: "acc", type: "nox-account", name: "sim", apiUrl: sim.nox.apiUrl, cluster: accountCluster },
        { id: "link", z: "f1", type: "nox-link", account: "acc", userId: "u1", redirectUrl: "https://example.com/cb", language: "", brand: "", assetType: "", timeout: 15, storeScope: "global", store: "", wires: [["out"]] },
        { id: "out", z: "f1", type: "helper" },
        { id: "catcher", z: "f1", type: "catch", scope: null, uncaught: false, wires: [["caught"]] },
        { id: "caught", z: "f1", type: "helper" },
      ],
      creds: { acc: { apiKey: DEMO_API_KEY }, cl: clusterCreds },
    };
  }

  async function send(f) {
    await helper.load(TYPES, f.nodes, f.creds);
    const seen = captureEverything();
    const link = helper.getNode("link");
    link.on("call:status", (c) => seen.push(c.args[0]));
    const out = [];
    const caught = [];
    helper.getNode("out").on("input", (m) => (out.push(m), seen.push(m)));
    helper.getNode("caught").on("input", (m) => (caught.push(m), seen.push(m.error)));
    link.receive({ payload: {} });
    await until(() => out.length || caught.length, 10_000, "nox-link's answer");
    return { out, caught, seen };
  }

  const pendingKeys = async () => (await redis.cmd("KEYS", "he-it:nox:pending:*")).match(/he-it:nox:pending:[0-9a-f]+/g) || [];

  it("loads nothing of Redis when no cluster is named (child process: ioredis not in require.cache)", () => {
    const script = `
      const { helper, loadNode } = require(${JSON.stringify(path.join(__dirname, "..", "support", "runtime.js"))});
      const types = ["home-energy-cluster", "nox-account", "nox-link"].map(loadNode);
      helper.startServer(async () => {
        await helper.load(types, [
          { id: "f1", type: "tab" },
          { id: "acc", type: "nox-account", apiUrl: "http://127.0.0.1:1/nox", cluster: "" },
          { id: "link", z: "f1", type: "nox-link", account: "acc", userId: "u", redirectUrl: "https://e.com/", wires: [] },
        ], { acc: { apiKey: "k-123456" } });
        helper.getNode("link").receive({ payload: {} });
        await new Promise((r) => setTimeout(r, 300));
        const loaded = Object.keys(require.cache).some((k) => k.includes("/node_modules/ioredis/"));
        await helper.unload();
        helper.stopServer(() => { console.log("IOREDIS_LOADED=" + loaded); process.exit(0); });
      });`;
    const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: 25_000, env: process.env });
    assert.match(r.stdout, /IOREDIS_LOADED=false/, r.stdout + r.stderr);
  });

  it("records the link session in Redis with the password credential; the password is nowhere", async () => {
    const { out, caught, seen } = await send(noxFlow());
    assert.deepEqual(caught.map((m) => m.error.code), []);
    assert.equal(out.length, 1);
    assert.equal((await pendingKeys()).length, 1);
    assert.ok(!seen.text().includes(PASSWORD));
  });

  it("uses HOME_ENERGY_REDIS_URL only when the URL is blank", async () => {
    process.env.HOME_ENERGY_REDIS_URL = `redis://:${PASSWORD}@127.0.0.1:${redis.port}`;
    const { out, seen } = await send(noxFlow({ url: "" }, {}));
    assert.equal(out.length, 1);
    assert.equal((await pendingKeys()).length, 1);
    assert.ok(!seen.text().includes(PASSWORD));
  });

  it("ignores HOME_ENERGY_REDIS_URL when the node has a URL", async () => {
    process.env.HOME_ENERGY_REDIS_URL = `redis://:${PASSWORD}@127.0.0.1:${redis.port}`;
    const { out, caught } = await send(noxFlow({ url: "redis://127.0.0.1:1" }, {}));
    assert.equal(out.length, 0);
    assert.equal(caught[0].error.code, "STORE_UNAVAILABLE");
    assert.match(caught[0].error.message, /redis:\/\/127\.0\.0\.1:1\)/);
  });

  it("a blank URL without HOME_ENERGY_REDIS_URL fails nox-link with INVALID_INPUT (no silent single-instance fallback)", async () => {
    const { out, caught } = await send(noxFlow({ url: "" }, {}));
    assert.equal(out.length, 0);
    assert.equal(caught[0].error.code, "INVALID_INPUT");
    assert.match(caught[0].error.message, /HOME_ENERGY_REDIS_URL/);
  });

  it("a URL that is not redis:// fails nox-link with INVALID_INPUT naming the scheme", async () => {
    const { out, caught } = await send(noxFlow({ url: `http://127.0.0.1:${redis.port}` }));
    assert.equal(out.length, 0);
    assert.equal(caught[0].error.code, "INVALID_INPUT");
    assert.match(caught[0].error.message, /must start with redis:\/\/ or rediss:\/\/ .*not http:\/\//);
  });

  it("an account naming a cluster that is not deployed fails with INVALID_INPUT", async () => {
    const f = noxFlow({}, { password: PASSWORD }, "gone");
    const { caught } = await send(f);
    assert.equal(caught[0].error.code, "INVALID_INPUT");
    assert.match(caught[0].error.message, /home-energy-cluster node that is not deployed/);
  });

  it("a wrong password: nox-link creates the session at NOX, then fails with STORE_UNAVAILABLE; no password anywhere", async () => {
    const created = sim.nox.counters.created;
    const { out, caught, seen } = await send(noxFlow({}, { password: "wrong-Password-991" }));
    assert.equal(out.length, 0);
    assert.equal(caught[0].error.code, "STORE_UNAVAILABLE");
    assert.equal(sim.nox.counters.created, created + 1);
    assert.ok(seen.text().includes("STORE_UNAVAILABLE"));
    assert.ok(!seen.text().includes("wrong-Password-991") && !seen.text().includes(PASSWORD));
    // Redis's AUTH error never echoes the password, so the masking of the node's connection is checked directly too.
    const echoed = helper.getNode("cl").connection.unavailable("recordSession", "refused wrong-Password-991 here").message;
    assert.ok(!echoed.includes("wrong-Password-991") && echoed.includes("refused *** here"), echoed);
  });

  it("a redeploy does not wait for a paused Redis", async () => {
    const { out } = await send(noxFlow());
    assert.equal(out.length, 1);
    redis.pause();
    const t0 = Date.now();
    await helper.unload();
    assert.ok(Date.now() - t0 < 1500, `unload took ${Date.now() - t0} ms`);
  });

  it("two deployments of the same flows (same node ids) on one Redis and prefix never accept each other's NOX sessions (issue 18)", async () => {
    const { encodeData } = require("../simulator/nox");
    const OTHER_KEY = "sk-other-deployment-7781";
    sim.nox.apiKeys.add(OTHER_KEY);
    const deployment = (apiKey) => {
      const f = noxFlow();
      f.nodes.push({ id: "cb", z: "f1", type: "nox-callback", account: "acc", url: "", redirect: "", strict: true, verify: false, storeScope: "global", store: "", wires: [["out"]] });
      f.creds.acc = { apiKey };
      return f;
    };
    const callbackFor = (user) => ({ payload: encodeData({ nox_user_id: "nox_1", supplier_user_id: user, brand: "daikin", device_ids: ["d1"], connected_at: 1 }) });
    async function callback(apiKey, user) {
      await helper.load([...TYPES, loadNode("nox-callback")], deployment(apiKey).nodes, deployment(apiKey).creds);
      const got = [];
      helper.getNode("out").on("input", (m) => got.push({ ok: m.payload.supplier_user_id }));
      helper.getNode("caught").on("input", (m) => got.push({ code: m.error.code }));
      helper.getNode("cb").receive(callbackFor(user));
      await until(() => got.length === 1, 10_000, "the callback's outcome");
      await helper.unload();
      return got[0];
    }
    // Deployment A links user u1 (the flow's userId).
    const { out, caught } = await send(noxFlow());
    assert.deepEqual([out.length, caught.length], [1, 0]);
    await helper.unload();
    // Deployment B: the same flows and ids, another supplier account: not its session.
    assert.deepEqual(await callback(OTHER_KEY, "u1"), { code: "CALLBACK_UNKNOWN_SESSION" });
    // Deployment A still finds it (B consumed nothing).
    assert.deepEqual(await callback(DEMO_API_KEY, "u1"), { ok: "u1" });
    sim.nox.apiKeys.delete(OTHER_KEY);
  });

  it("warns once when a cluster uses the default prefix (not again at a redeploy)", async () => {
    const f = noxFlow({ prefix: "" });
    const warned = () => helper._NodePrototype.warn.getCalls().filter((c) => c.thisValue && c.thisValue.id === "cl" && /default key prefix/.test(String(c.args[0])));
    await helper.load(TYPES, f.nodes, f.creds);
    assert.equal(warned().length, 1);
    await helper.setFlows(f.nodes.map((n) => (n.id === "link" ? { ...n, name: "changed" } : n)), "full", f.creds);
    assert.equal(helper._NodePrototype.warn.getCalls().filter((c) => c.thisValue && c.thisValue.id === "cl" && /default key prefix/.test(String(c.args[0]))).length, 1);
  });

  it("navien-status-in stands by (no MQTT connection, no output) while another instance leads, and takes over when its lock expires", async () => {
    // Another instance holds this node's lock for 3 s (and then "crashes": it never renews).
    // The key names the account (URL and e-mail, issue 18): this deployment's instances share it.
    const { accountIdentity } = require("../../nodes/lib/nodes/shared/cluster-binding.js");
    const lock = `he-it:leader:navien-status-in:${accountIdentity(sim.navien.apiUrl, NAVIEN_USER.email.toLowerCase())}:st`;
    await redis.cmd("SET", lock, "other-instance", "PX", "3000");
    const nodes = [
      { id: "f1", type: "tab" },
      { id: "cl", type: "home-energy-cluster", name: "", url: redis.url, prefix: "he-it" },
      { id: "nav", type: "navien-account", apiUrl: sim.navien.apiUrl, mqttUrl: sim.url.replace(/^http/, "ws") + "/navien/mqtt", region: "us-east-1", unit: "F", cluster: "cl" },
      { id: "st", z: "f1", type: "navien-status-in", account: "nav", device: "", interval: 3600, onlyChanges: false, includeRaw: false, wires: [["out"]] },
      { id: "out", z: "f1", type: "helper" },
    ];
    const connectsBefore = sim.navien.broker.counters.connects;
    await helper.load(TYPES, nodes, { cl: { password: PASSWORD }, nav: { email: NAVIEN_USER.email, password: NAVIEN_USER.password } });
    const out = [];
    helper.getNode("out").on("input", (m) => out.push(m));
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(out.length, 0, "a standby emits nothing");
    assert.equal(sim.navien.broker.counters.connects, connectsBefore, "a standby opens no MQTT connection");
    await until(() => out.length > 0, 15_000, "the takeover");
    assert.ok(Date.now() - t0 >= 2000, "not before the other instance's lock expired");
    assert.match(await redis.cmd("GET", lock), /^\$\d+\r\n\d+-[0-9a-f]+/, "the lock is ours now");
    await helper.unload();
    assert.match(await redis.cmd("EXISTS", lock), /:0/, "released on close");
  });
});
