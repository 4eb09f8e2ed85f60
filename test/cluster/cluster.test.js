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
    nodes = await Promise.all(["A", "B", "C"].map((n) => startNodeRed(n)));
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
    await Promise.all(nodes.map((n) => deploy(n, flows)));
    // Every instance has its callback route and a ready cluster once a bogus callback is refused as "unknown".
    await until(async () => {
      const r = await Promise.all(nodes.map((n) => request(`${n.url}/nox/callback?data=x`)));
      return r.every((x) => x.status === 400);
    }, 30_000, "the callback routes");
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
    const order = ["A", "B", "A", "C", "B"];
    for (const [i, name] of order.entries()) {
      // Entries newer than everything seen so far (onlyNew reports what is newer than the newest seen).
      if (i === 2) sim.waviot.addLogin(WAVIOT_USER.login, historyEntry(Date.now(), "203.0.113.7", "NewBrowser/1.0", { id: 80, iso: "DE", lat: 51, lon: 9, name_en: "Germany" }));
      const done = events("history-done").length;
      const r = await request(`${byName(name).url}/history`);
      assert.strictEqual(r.status, 202);
      await until(() => events("history-done").length > done || events("history-error").length, 15_000, `history run on ${name}`);
    }
    // Two at the same time on two instances.
    sim.waviot.addLogin(WAVIOT_USER.login, historyEntry(Date.now(), "198.51.100.9", "Other/2.0"));
    const done = events("history-done").length;
    await Promise.all([request(`${byName("A").url}/history`), request(`${byName("C").url}/history`)]);
    await until(() => events("history-done").length >= done + 2, 15_000, "both runs");
    assert.deepStrictEqual(events("history-error"), []);
    const emitted = events("history").flatMap((e) => e.payload.map((x) => JSON.stringify([x.at, x.ip, x.user_agent])));
    // Entries that look the same (same second, IP, browser and type: e.g. two instances signing in at once)
    // are one entry to onlyNew, as on a single instance; count the distinguishable ones.
    const all = new Set(sim.waviot.users.get(WAVIOT_USER.login).history.map((x) => JSON.stringify([new Date(Number(x.ts) * 1000).toISOString(), x.ip, x.user_agent])));
    assert.strictEqual(new Set(emitted).size, emitted.length, `an entry was emitted twice: ${emitted.join("\n")}`);
    assert.deepStrictEqual(new Set(emitted), all, "every entry emitted");
    assert.ok(emitted.some((x) => x.includes("203.0.113.7")) && emitted.some((x) => x.includes("198.51.100.9")));
    assert.ok(new Set(events("history").map((e) => e.instance)).size >= 2, "more than one instance reported");
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
      await until(() => events("callback-error").filter((e) => e.error.code === "STORE_UNAVAILABLE").length >= 3, 10_000, "STORE_UNAVAILABLE errors");
      const storeErr = events("callback-error").find((e) => e.error.code === "STORE_UNAVAILABLE");
      assert.match(storeErr.error.message, /Redis \(redis:\/\/127\.0\.0\.1:\d+\)/);
      await until(() => events("node-status").some((e) => /cluster\.(standbyUnreachable|leaderUnreachable)/.test(e.status.text)), 10_000, "a status naming Redis as unreachable");
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
