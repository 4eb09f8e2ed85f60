"use strict";
/**
 * The cluster primitives (src/cluster/) against a real redis-server: exactly-once consume of NOX
 * sessions under concurrency from several connections, the session expiry, fail-closed behaviour
 * while Redis is paused (nothing consumed, also not late), bounded close, leader election with
 * takeover, the shared history cursor, and secrecy of the Redis password.
 */
const assert = require("node:assert");
const { spawnSync } = require("node:child_process");
const path = require("node:path");
const { startRedis, useRedis, makeTlsFiles } = require("../support/redis");
const { until } = require("../support/until");
const { ClusterConnection, checkRedisUrl } = require("../../nodes/lib/cluster/connection.js");
const { ClusterSessions } = require("../../nodes/lib/cluster/nox-sessions.js");
const { LeaderElection } = require("../../nodes/lib/cluster/leader.js");
const { HistoryCursor } = require("../../nodes/lib/cluster/history-cursor.js");

/** An account identity (hash of URL and API key, src/nodes/shared/cluster-binding.ts) for the stores below. */
const ID = "0123456789abcdef";
/** A callback's check of one session: the result of take(). */
const consume = async (store, accountId, userId) => (await store.take(accountId, userId)).result;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe("cluster primitives on a real redis-server", function () {
  this.timeout(30_000);
  let redis;
  const open = [];
  function connect(extra = {}, timings = {}) {
    const c = new ClusterConnection({ url: redis.url, prefix: "t", ...extra }, { commandTimeoutMs: 800, pingMs: 300, ...timings });
    open.push(c);
    return c;
  }
  const ready = (c) => until(() => c.state === "ready", 5000, "Redis ready");

  useRedis(
    (r) => (redis = r),
    {},
    () => Promise.all(open.splice(0).map((c) => c.close())),
  );

  it("accepts a recorded session exactly once among 20 concurrent consumes over 3 connections", async () => {
    const conns = [connect(), connect(), connect()];
    await Promise.all(conns.map(ready));
    const stores = conns.map((c) => new ClusterSessions(c, ID));
    await stores[0].record("acc1", "user-1", 600);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => consume(stores[i % 3], "acc1", "user-1")));
    assert.deepStrictEqual(results.filter((r) => r === "accepted").length, 1, JSON.stringify(results));
    assert.ok(results.every((r) => r === "accepted" || r === "unknown"));
    assert.strictEqual(await consume(stores[1], "acc1", "user-1"), "unknown", "a replay is refused");
    assert.strictEqual(await consume(stores[1], "acc2", "user-1"), "unknown", "another account's session is separate");
  });

  it("keeps at most MAX_PENDING_PER_ACCOUNT sessions per account, oldest dropped first (issue 18)", async () => {
    const { MAX_PENDING_PER_ACCOUNT: CAP } = require("../../nodes/lib/nox/pending-sessions.js");
    const c = connect({}, { commandTimeoutMs: 5000 });
    await ready(c);
    const store = new ClusterSessions(c, ID);
    const now = Date.now();
    let dropped = 0;
    for (let i = 0; i < CAP + 3; i++) dropped += await store.record("acc-cap", `u${i}`, 600, now + i);
    await store.record("acc-other", "x", 600, now);
    assert.strictEqual(dropped, 3);
    for (let i = 0; i < 3; i++) assert.strictEqual(await consume(store, "acc-cap", `u${i}`), "unknown", `u${i} was dropped`);
    assert.strictEqual(await consume(store, "acc-cap", "u3"), "accepted");
    assert.strictEqual(await consume(store, "acc-other", "x"), "accepted");
  });

  it("two deployments sharing a Redis and a prefix never accept each other's sessions (the account identity is in every key, issue 18)", async () => {
    const c = connect();
    await ready(c);
    const { accountIdentity } = require("../../nodes/lib/nodes/shared/cluster-binding.js");
    // The same flows (same node ids: "acc"), two supplier accounts: another API key, or another NOX URL.
    const mine = new ClusterSessions(c, accountIdentity("https://auth.nox.energy", "key-of-deployment-A"));
    const otherKey = new ClusterSessions(c, accountIdentity("https://auth.nox.energy", "key-of-deployment-B"));
    const otherUrl = new ClusterSessions(c, accountIdentity("https://auth.staging.nox.energy", "key-of-deployment-A"));
    await mine.record("acc", "user-1", 600);
    assert.strictEqual(await consume(otherKey, "acc", "user-1"), "unknown");
    assert.strictEqual(await consume(otherUrl, "acc", "user-1"), "unknown");
    assert.strictEqual(await consume(mine, "acc", "user-1"), "accepted");
    assert.doesNotMatch(await redis.cmd("KEYS", "*"), /key-of-deployment/, "the key itself is not in Redis");
  });

  it("a URL with a broken %-encoding in its password or user name is INVALID_INPUT with a message, not a raw URIError (issue 18)", () => {
    for (const url of ["redis://:pa%ss@127.0.0.1:6379", "redis://us%er:pw@127.0.0.1:6379", "redis://:p%E0%A4%A@127.0.0.1:6379"]) {
      assert.throws(() => checkRedisUrl(url), (e) => e.code === "INVALID_INPUT" && /%-encoding/.test(e.message) && !e.message.includes("pa%ss"), url);
      assert.throws(() => new ClusterConnection({ url, prefix: "t" }), (e) => e.code === "INVALID_INPUT", url);
    }
  });

  it("records the session with its lifetime plus the 60 s skew as Redis expiry, under the prefix, without the user id in clear", async () => {
    const c = connect();
    await ready(c);
    await new ClusterSessions(c, ID).record("acc1", "alice@example.com", 600);
    const keys = await redis.cmd("KEYS", "*");
    assert.match(keys, /t:nox:pending:0123456789abcdef:[0-9a-f]{32}/);
    assert.doesNotMatch(keys, /alice/);
    const name = /t:nox:pending:0123456789abcdef:[0-9a-f]{32}/.exec(keys)[0];
    const pttl = Number(/:(\d+)/.exec(await redis.cmd("PTTL", name))[1]);
    assert.ok(pttl > 655_000 && pttl <= 660_000, `PTTL ${pttl}`);
  });

  it("fails closed with STORE_UNAVAILABLE while Redis is paused, consumes nothing (not even late), then accepts once", async () => {
    const c = connect();
    await ready(c);
    const store = new ClusterSessions(c, ID);
    await store.record("acc1", "user-2", 600);
    redis.pause();
    const t0 = Date.now();
    await assert.rejects(consume(store, "acc1", "user-2"), (err) => err.code === "STORE_UNAVAILABLE" && /Nothing was accepted/.test(err.message));
    assert.ok(Date.now() - t0 < 2500, `failed after ${Date.now() - t0} ms`);
    await assert.rejects(consume(store, "acc1", "user-2"), (err) => err.code === "STORE_UNAVAILABLE");
    await sleep(600); // the queued script now lies past its deadline
    redis.resume();
    await ready(c);
    assert.strictEqual(await consume(store, "acc1", "user-2"), "accepted", "the paused attempt must not have consumed the session");
    assert.strictEqual(await consume(store, "acc1", "user-2"), "unknown");
  });

  it("fails fast when Redis is not running, and close() returns within 1 s even with Redis paused", async () => {
    const down = new ClusterConnection({ url: "redis://127.0.0.1:1", prefix: "t" }, { commandTimeoutMs: 800, pingMs: 300 });
    open.push(down);
    const t0 = Date.now();
    await assert.rejects(consume(new ClusterSessions(down, ID), "a", "b"), (err) => err.code === "STORE_UNAVAILABLE" && err.message.includes("redis://127.0.0.1:1"));
    assert.ok(Date.now() - t0 < 1000);
    const c = connect();
    await ready(c);
    redis.pause();
    const t1 = Date.now();
    await Promise.all([c.close(), down.close()]);
    assert.ok(Date.now() - t1 < 1000, `close took ${Date.now() - t1} ms`);
    assert.strictEqual(c.state, "closed");
  });

  it("elects one leader per key; stop() hands over; a crashed leader is replaced after the lock expires", async () => {
    const [ca, cb, cc] = [connect(), connect(), connect()];
    await Promise.all([ca, cb, cc].map(ready));
    const leaders = new Map();
    const make = (c, name) => new LeaderElection(c, c.key("leader", "x"), { ttlMs: 1200, everyMs: 200, onChange: (l) => leaders.set(name, l) });
    const ea = make(ca, "a");
    const eb = make(cb, "b");
    ea.start();
    await until(() => leaders.get("a") === true, 3000, "a leads");
    eb.start();
    await sleep(700);
    assert.strictEqual(eb.leader, false, "only one leader");
    await ea.stop();
    await until(() => eb.leader, 2000, "b takes over after a's release");
    // Crash: b's connection vanishes without releasing; c must wait for the expiry.
    const ec = make(cc, "c");
    ec.start();
    await sleep(400);
    assert.strictEqual(ec.leader, false);
    const crashed = Date.now();
    cb.close(); // no release: b.stop() is never called
    await until(() => ec.leader, 4000, "c takes over");
    const took = Date.now() - crashed;
    assert.ok(took >= 700, `took over after ${took} ms, before the lock could have expired`);
    await ec.stop();
    await eb.stop();
  });

  it("a leader keeps leading while Redis is unreachable, and reports the trouble", async () => {
    const c = connect();
    await ready(c);
    let trouble;
    const e = new LeaderElection(c, c.key("leader", "y"), { ttlMs: 1200, everyMs: 200, onChange: () => {}, onTrouble: (err) => (trouble = err) });
    e.start();
    await until(() => e.leader, 2000, "leader");
    redis.pause();
    await until(() => trouble && trouble.code === "STORE_UNAVAILABLE", 4000, "trouble reported");
    assert.strictEqual(e.leader, true);
    redis.resume();
    await until(() => trouble === undefined, 5000, "recovered");
    assert.strictEqual(e.leader, true);
    await e.stop();
    assert.match(await redis.cmd("EXISTS", c.key("leader", "y")), /:0/, "released on stop");
  });

  it("stop() returns within 1 s while a claim is stuck on a paused Redis, and the lock is still released once Redis answers", async () => {
    // The default command timeout: the stuck claim alone would hold a stop() that waits for it for 2 s.
    const c = connect({}, { commandTimeoutMs: 2000 });
    await ready(c);
    const e = new LeaderElection(c, c.key("leader", "z"), { ttlMs: 10_000, everyMs: 100, onChange: () => {} });
    e.start();
    await until(() => e.leader, 2000, "leader");
    redis.pause();
    await sleep(250); // the next claim is now sent and unanswered
    assert.ok(e.attempt, "a claim is in flight");
    const t0 = Date.now();
    await e.stop();
    assert.ok(Date.now() - t0 < 1000, `stop took ${Date.now() - t0} ms`);
    redis.resume();
    await until(async () => /:0/.test(await redis.cmd("EXISTS", c.key("leader", "z"))), 5000, "lock released");
  });

  it("advances the shared history cursor atomically: each entry reported once across connections", async () => {
    const [ca, cb] = [connect(), connect()];
    await Promise.all([ca, cb].map(ready));
    const a = new HistoryCursor(ca, ca.key("waviot", "history", "n1"));
    const b = new HistoryCursor(cb, cb.key("waviot", "history", "n1"));
    const items = [
      { at: 3000, key: "k3" },
      { at: 2000, key: "k2a" },
      { at: 2000, key: "k2b" },
    ];
    const [ra, rb] = await Promise.all([a.advance(items), b.advance(items)]);
    assert.deepStrictEqual(ra.map((v, i) => v || rb[i]), [true, true, true], "every entry reported");
    assert.ok(ra.every((v, i) => !(v && rb[i])), "no entry reported twice");
    // Same instant as the newest, new key: new; older than the marker: not new.
    assert.deepStrictEqual(await b.advance([{ at: 3000, key: "k3b" }, { at: 3000, key: "k3" }, { at: 2500, key: "old" }]), [true, false, false]);
    assert.deepStrictEqual(await a.advance([{ at: 4000, key: "k4" }, { at: 3000, key: "k3b" }]), [true, false]);
    assert.deepStrictEqual(await a.advance([{ at: 4000, key: "k4" }]), [false]);
    assert.deepStrictEqual(await a.advance([]), []);
  });

  it("never shows the Redis password: wrong password → STORE_UNAVAILABLE without it; URL credentials are masked", async () => {
    const secured = await startRedis({ password: "s3cret-redis-pass" });
    try {
      const bad = new ClusterConnection({ url: secured.url, prefix: "t", password: "wrong-pass-1234" }, { commandTimeoutMs: 800, pingMs: 300 });
      open.push(bad);
      await sleep(500);
      const err = await new ClusterSessions(bad, ID).record("a", "b", 60).catch((e) => e);
      assert.strictEqual(err.code, "STORE_UNAVAILABLE");
      assert.ok(!err.message.includes("wrong-pass-1234"), err.message);
      // Redis's own AUTH error never echoes the password, so the masking is checked directly too.
      const echoed = bad.unavailable("checkSession", "refused wrong-pass-1234 here").message;
      assert.ok(!echoed.includes("wrong-pass-1234") && echoed.includes("refused *** here"), echoed);
      const good = new ClusterConnection({ url: `redis://:s3cret-redis-pass@127.0.0.1:${secured.port}`, prefix: "t" }, { commandTimeoutMs: 800, pingMs: 300 });
      open.push(good);
      await ready(good);
      assert.strictEqual(good.where, `redis://127.0.0.1:${secured.port}`);
      assert.ok(good.secrets().includes("s3cret-redis-pass"));
      assert.ok(!good.unavailable("recordSession", "echo s3cret-redis-pass").message.includes("s3cret-redis-pass"));
      // A percent-encoded URL password is masked in both spellings.
      const encoded = connect({ url: "redis://:p%40ss-Word-77@127.0.0.1:1" });
      const both = encoded.unavailable("checkSession", "a p@ss-Word-77 b p%40ss-Word-77 c").message;
      assert.ok(!both.includes("p@ss-Word-77") && !both.includes("p%40ss-Word-77") && both.includes("a *** b *** c"), both);
      const s = new ClusterSessions(good, ID);
      await s.record("a", "b", 60);
      assert.strictEqual(await consume(s, "a", "b"), "accepted");
    } finally {
      await secured.stop();
    }
  });

  it("rediss:// talks TLS (server certificate checked against the CA); redis:// to a TLS port fails with STORE_UNAVAILABLE", async () => {
    const tls = makeTlsFiles(path.join(__dirname, "..", "..", ".test-output", "redis-tls"));
    const secure = await startRedis({ tls, password: "tls-Secret-5521" });
    try {
      // Node reads extra CAs at start-up, so the client runs in a child process that trusts the test CA.
      const script = `
        const { ClusterConnection } = require(${JSON.stringify(path.join(__dirname, "..", "..", "nodes", "lib", "cluster", "connection.js"))});
        const { ClusterSessions } = require(${JSON.stringify(path.join(__dirname, "..", "..", "nodes", "lib", "cluster", "nox-sessions.js"))});
        (async () => {
          const out = {};
          for (const [name, url] of [["tls", ${JSON.stringify(secure.url)}], ["plain", ${JSON.stringify(secure.url.replace("rediss:", "redis:"))}]]) {
            const c = new ClusterConnection({ url, prefix: "t", password: "tls-Secret-5521" }, { commandTimeoutMs: 1500, pingMs: 300 });
            const s = new ClusterSessions(c, "0123456789abcdef");
            try { await s.record("a", "b", 60); out[name] = (await s.take("a", "b")).result; } catch (e) { out[name] = e.code; }
            await c.close();
          }
          console.log(JSON.stringify(out));
        })();`;
      const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: 20_000, env: { ...process.env, NODE_EXTRA_CA_CERTS: tls.ca } });
      assert.deepStrictEqual(JSON.parse(r.stdout.trim().split("\n").pop()), { tls: "accepted", plain: "STORE_UNAVAILABLE" }, r.stderr);
      // Without the CA the server certificate is refused.
      const untrusted = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: 20_000, env: { ...process.env, NODE_EXTRA_CA_CERTS: "" } });
      assert.strictEqual(JSON.parse(untrusted.stdout.trim().split("\n").pop()).tls, "STORE_UNAVAILABLE");
    } finally {
      await secure.stop();
    }
  });

  it("accepts redis:// and rediss:// URLs only", () => {
    assert.strictEqual(checkRedisUrl("rediss://h:6380").where, "rediss://h:6380");
    assert.throws(() => checkRedisUrl("http://h:6379"), (e) => e.code === "INVALID_INPUT");
    assert.throws(() => checkRedisUrl("not a url"), (e) => e.code === "INVALID_INPUT");
  });
});
