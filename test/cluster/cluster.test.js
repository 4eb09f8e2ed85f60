"use strict";
/**
 * Several Node-RED instances as one system (issue 12, CONTRACT "Several Node-RED instances"):
 * a real redis-server (with a password), three real Node-RED processes running the same flows,
 * a round-robin proxy in front for the NOX callback URL, and the cloud simulator.
 */
const assert = require("node:assert");
const fs = require("node:fs");
const path = require("node:path");
const { startRedis } = require("../support/redis");
const { startSimulator } = require("../simulator");
const { DEMO_USER: NAVIEN_USER } = require("../simulator/navien");
const { DEMO_USER: WAVIOT_USER, historyEntry } = require("../simulator/waviot");
const { startNodeRed, stopNodeRed, deploy, startProxy, startCollector, request, until, sleep } = require("./harness");
const { clusterFlows } = require("./flows");

const REDIS_PASSWORD = "redis-Cluster-Secret-7731";
const NOX_KEY = "nox_demo_key_5b1f0c7e9a";

describe("several Node-RED instances sharing one Redis (real processes)", function () {
  this.timeout(120_000);
  let redis, sim, collector, proxy;
  let nodes = [];
  const byName = (n) => nodes.find((x) => x.name === n);
  const events = (kind) => collector.events.filter((e) => e.kind === kind);

  before(async () => {
    redis = await startRedis({ password: REDIS_PASSWORD });
    sim = await startSimulator();
    collector = await startCollector();
    // The environment of examples/docker-compose.yml: Redis URL with the password, NOX key.
    const env = { HOME_ENERGY_REDIS_URL: `redis://:${REDIS_PASSWORD}@127.0.0.1:${redis.port}`, NOX_API_KEY: NOX_KEY };
    nodes = await Promise.all(["A", "B", "C"].map((n) => startNodeRed(n, env)));
    proxy = await startProxy(nodes);
    const flows = clusterFlows({
      redisUrl: redis.url,
      redisPassword: REDIS_PASSWORD,
      sim,
      noxKey: NOX_KEY,
      navien: { email: NAVIEN_USER.email, password: NAVIEN_USER.password },
      waviot: { login: WAVIOT_USER.login, password: WAVIOT_USER.password },
      proxyUrl: proxy.url,
      collectorUrl: collector.url,
    });
    // Plus the shipped example flow, as imported, with the NOX account pointed at the simulator.
    const example = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "examples", "NOX - connect a heat pump on several instances.json"), "utf8"));
    for (const n of example) if (n.type === "nox-account") n.apiUrl = sim.nox.apiUrl;
    // The example's fixed Redirect URL (never the Host header), at the balancer here.
    for (const n of example) if (n.type === "nox-link") n.redirectUrl = proxy.url + new URL(n.redirectUrl).pathname;
    await Promise.all(nodes.map((n) => deploy(n, [...flows, ...example])));
    // Every instance has its callback route and a ready cluster once a bogus callback is refused as "unknown".
    await until(async () => {
      const r = await Promise.all(nodes.map((n) => request(`${n.url}/nox/callback?data=x`)));
      return r.every((x) => x.status === 400);
    }, 30_000, "the callback routes");
  });

  afterEach(function () {
    // On a failure, what the instances reported last (the processes' logs stay in .test-output/cluster/).
    if (this.currentTest.state !== "failed") return;
    const brief = (e) => `${new Date(e.at).toISOString().slice(11, 23)} ${e.instance} ${e.kind} ${e.error ? e.error.code : e.status ? e.status.text : ""}`;
    console.log(collector.events.slice(-25).map(brief).join("\n"));
  });

  after(async () => {
    await Promise.all(nodes.map((n) => stopNodeRed(n)));
    await proxy?.close();
    await collector?.close();
    await sim?.close();
    await redis?.stop();
  });

  /** Creates a link session on `inst` and returns the callback URL NOX would redirect the browser to. */
  async function linkOn(inst, user) {
    const r = await request(`${inst.url}/link?user=${encodeURIComponent(user)}`);
    assert.strictEqual(r.status, 200, r.text);
    const session = JSON.parse(r.text);
    const ui = await request(session.link_url);
    assert.strictEqual(ui.status, 302);
    assert.ok(ui.headers.location.startsWith(proxy.url + "/nox/callback?data="), ui.headers.location);
    return ui.headers.location.slice(proxy.url.length);
  }

  it("a session created on A is accepted through the proxy on B", async () => {
    const callback = await linkOn(byName("A"), "user-ab");
    proxy.next = nodes.indexOf(byName("B"));
    const before = events("callback").length;
    const r = await request(proxy.url + callback);
    assert.strictEqual(r.status, 200, r.text);
    assert.strictEqual(proxy.served.at(-1).backend, "B");
    const out = await until(() => events("callback").slice(before).find((e) => e.payload.supplier_user_id === "user-ab"), 5000, "the output");
    assert.strictEqual(out.instance, "B");
  });

  it("the shipped example flow (cluster URL from HOME_ENERGY_REDIS_URL) connects a user through the balancer, once", async () => {
    proxy.next = 0;
    // The user as the sign-in in front of the instances reports it (the example's X-Forwarded-User).
    const start = await request(`${proxy.url}/nox-ha/connect`, { headers: { "x-forwarded-user": "example-user" } });
    assert.strictEqual(start.status, 302, start.text);
    const ui = await request(start.headers.location);
    assert.strictEqual(ui.status, 302);
    const callback = ui.headers.location;
    assert.ok(callback.startsWith(`${proxy.url}/nox-ha/callback?data=`), callback);
    const first = await request(callback);
    assert.strictEqual(first.status, 200, first.text);
    assert.notStrictEqual(proxy.served.at(-1).backend, proxy.served.at(-2).backend, "link and callback on different instances");
    const replays = await Promise.all([0, 1, 2].map(() => request(callback)));
    assert.deepStrictEqual(replays.map((r) => r.status), [400, 400, 400]);
  });

  it("20 concurrent identical callbacks over 3 instances → exactly one output in total", async () => {
    const callback = await linkOn(byName("C"), "user-20");
    const answers = await Promise.all(Array.from({ length: 20 }, () => request(proxy.url + callback)));
    const served = new Set(proxy.served.slice(-20).map((s) => s.backend));
    assert.strictEqual(served.size, 3, "the proxy spread them over the three instances");
    assert.strictEqual(answers.filter((a) => a.status === 200).length, 1, answers.map((a) => a.status).join(","));
    assert.strictEqual(answers.filter((a) => a.status === 400).length, 19);
    await until(() => events("callback-error").filter((e) => e.error.code === "CALLBACK_UNKNOWN_SESSION").length >= 19, 10_000, "19 refusals");
    await sleep(300);
    assert.strictEqual(events("callback").filter((e) => e.payload.supplier_user_id === "user-20").length, 1);
  });

  it("waviot-history onlyNew triggered on alternating instances reports each entry once", async () => {
    sim.waviot.recordLogins = false; // only the entries this test adds appear (instances sign in at their first run)
    const login = (i) => historyEntry(Date.now(), `203.0.113.${10 + i}`, `Browser/${i}`, { id: 80, iso: "DE", lat: 51, lon: 9, name_en: "Germany" });
    const order = ["A", "B", "A", "C", "B", "C"];
    for (const [i, name] of order.entries()) {
      sim.waviot.addLogin(WAVIOT_USER.login, login(i));
      const before = events("history").length;
      const done = events("history-done").length;
      const r = await request(`${byName(name).url}/history`);
      assert.strictEqual(r.status, 202);
      await until(() => events("history-done").length > done || events("history-error").length, 15_000, `history run on ${name}`);
      const got = events("history").slice(before);
      assert.strictEqual(got.length, 1, `run ${i} on ${name}: one message`);
      assert.strictEqual(got[0].instance, name);
      const ips = got[0].payload.map((x) => x.ip);
      // The first run also reports the account's older entry; every later run only the entry just added.
      assert.deepStrictEqual(i === 0 ? ips.slice(0, 1) : ips, [`203.0.113.${10 + i}`], `run ${i} on ${name}: ${ips.join(", ")}`);
    }
    // Two runs at the same time on two instances: the new entry comes out once.
    sim.waviot.addLogin(WAVIOT_USER.login, login(9));
    const before = events("history").length;
    const done = events("history-done").length;
    await Promise.all([request(`${byName("A").url}/history`), request(`${byName("C").url}/history`)]);
    await until(() => events("history-done").length >= done + 2, 15_000, "both runs");
    assert.deepStrictEqual(events("history-error"), []);
    assert.deepStrictEqual(events("history").slice(before).flatMap((e) => e.payload.map((x) => x.ip)), ["203.0.113.19"]);
    const emitted = events("history").flatMap((e) => e.payload.map((x) => JSON.stringify([x.at, x.ip])));
    assert.strictEqual(new Set(emitted).size, emitted.length, "no entry emitted twice");
    assert.strictEqual(emitted.length, sim.waviot.users.get(WAVIOT_USER.login).history.length, "every entry emitted");
  });

  it("Redis paused → STORE_UNAVAILABLE, nothing consumed; the same callback is accepted once when Redis is back", async () => {
    const callback = await linkOn(byName("A"), "user-pause");
    redis.pause();
    let resumed = false;
    try {
      const created = sim.nox.counters.created;
      const r = await request(`${byName("B").url}/link?user=user-during-pause`);
      assert.strictEqual(r.status, 503, r.text);
      assert.strictEqual(JSON.parse(r.text).code, "STORE_UNAVAILABLE");
      assert.strictEqual(sim.nox.counters.created, created + 1, "nox-link created the session at NOX before failing");
      const answers = await Promise.all([0, 1, 2].map(() => request(proxy.url + callback)));
      assert.deepStrictEqual(answers.map((a) => a.status), [400, 400, 400]);
      assert.match(answers[0].text, /reload this page/, "the browser is asked to retry (nothing was consumed)");
      await until(() => events("callback-error").filter((e) => e.error.code === "STORE_UNAVAILABLE").length >= 3, 10_000, "STORE_UNAVAILABLE errors");
      const storeErr = events("callback-error").find((e) => e.error.code === "STORE_UNAVAILABLE");
      assert.match(storeErr.error.message, /Redis \(redis:\/\/127\.0\.0\.1:\d+\)/);
      await until(() => events("node-status").some((e) => /cluster\.(standbyUnreachable|leaderUnreachable)/.test(e.status.text)), 15_000, "a status naming Redis as unreachable");
      await sleep(1000); // the queued Redis commands are now past their deadline
      redis.resume();
      resumed = true;
      let accepted = 0;
      const end = Date.now() + 20_000;
      while (!accepted && Date.now() < end) {
        const r2 = await request(proxy.url + callback);
        if (r2.status === 200) accepted += 1;
        else await sleep(300);
      }
      assert.strictEqual(accepted, 1, "accepted once Redis is back (nothing was consumed while it was paused)");
      const again = await Promise.all([0, 1, 2].map(() => request(proxy.url + callback)));
      assert.deepStrictEqual(again.map((a) => a.status), [400, 400, 400], "and only once");
      await sleep(300);
      assert.strictEqual(events("callback").filter((e) => e.payload.supplier_user_id === "user-pause").length, 1);
    } finally {
      if (!resumed) redis.resume();
    }
  });

  it("navien-status-in: one instance emits, the others stand by; killing the leader hands over within 30 s", async () => {
    await until(() => events("status-msg").length >= 3, 30_000, "statuses");
    await sleep(6000); // at least one more poll round on every instance
    const emitters = new Set(events("status-msg").map((e) => e.instance));
    assert.strictEqual(emitters.size, 1, `statuses from ${[...emitters].join(", ")}`);
    const leader = byName([...emitters][0]);
    const standbys = nodes.filter((n) => n !== leader);
    for (const s of standbys) {
      const last = events("node-status").filter((e) => e.instance === s.name).at(-1);
      assert.ok(last && /cluster\.standby$/.test(last.status.text), `${s.name} shows standby (${last && last.status.text})`);
    }
    assert.strictEqual(sim.navien.broker.liveConnections, 1, "only the leader holds an MQTT connection");

    const killedAt = Date.now();
    await stopNodeRed(leader, "SIGKILL");
    const first = await until(() => events("status-msg").find((e) => e.at > killedAt && e.instance !== leader.name), 30_000, "a standby to take over");
    const failoverMs = first.at - killedAt;
    console.log(`      failover: ${leader.name} killed → ${first.instance} emitted after ${(failoverMs / 1000).toFixed(1)} s`);
    assert.ok(failoverMs < 30_000);
    await sleep(6000);
    const after = new Set(events("status-msg").filter((e) => e.at > first.at).map((e) => e.instance));
    assert.deepStrictEqual([...after], [first.instance], "one leader again");
  });

  it("the Redis password is in no log, status, message or exported flow", async () => {
    const live = nodes.filter((n) => !n.exited);
    for (const n of live) {
      const exported = await request(`${n.url}/flows`, { headers: { accept: "application/json" } });
      assert.strictEqual(exported.status, 200);
      assert.ok(!exported.text.includes(REDIS_PASSWORD), `${n.name}: GET /flows`);
      const creds = await request(`${n.url}/credentials/home-energy-cluster/cl`, { headers: { accept: "application/json" } });
      assert.strictEqual(JSON.parse(creds.text).has_password, true, `${n.name}: the credential is stored`);
      assert.ok(!creds.text.includes(REDIS_PASSWORD), `${n.name}: the editor's credential view`);
    }
    for (const n of nodes) {
      assert.ok(n.log.length > 0);
      assert.ok(!n.log.includes(REDIS_PASSWORD), `${n.name}: log`);
      for (const f of ["flows.json", "flows_cred.json"]) {
        const file = path.join(n.userDir, f);
        if (fs.existsSync(file)) assert.ok(!fs.readFileSync(file, "utf8").includes(REDIS_PASSWORD), `${n.name}: ${f}`);
      }
    }
    assert.ok(collector.events.length > 20);
    assert.ok(!JSON.stringify(collector.events).includes(REDIS_PASSWORD), "messages, errors and statuses");
  });
});
