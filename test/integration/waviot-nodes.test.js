"use strict";
/**
 * waviot-account + waviot-user + waviot-history in a real Node-RED runtime against the WAVIoT
 * simulator over loopback: the session lifecycle (lazy single-flight login, refresh, re-login,
 * logout on every close — at most one open session through redeploys and restarts), every
 * operation, 429 handling, bounded close, onlyNew across redeploys, and no secret anywhere.
 */
const assert = require("node:assert/strict");
const { helper, loadNode, until, runtimeVersion, captureEverything, useSimulator } = require("../support/runtime");
const { DEMO_USER, historyEntry } = require("../simulator/waviot");
const { decodeClaims } = require("../../nodes/lib/waviot/jwt.js");

const NODES = [loadNode("waviot-account"), loadNode("waviot-user"), loadNode("waviot-history")];

describe(`WAVIoT nodes (Node-RED ${runtimeVersion()})`, function () {
  this.timeout(60_000);
  let w;

  useSimulator((s) => (w = s.waviot));
  beforeEach(() => {
    w.reset();
    w.addUser(DEMO_USER.login, DEMO_USER.password); // fresh profile and history
  });
  afterEach(async () => {
    await helper.unload();
  });

  /** One account, a waviot-user (→ out), a waviot-history (→ hout) and a Catch node (→ caught). */
  function flow(userProps = {}, accountProps = {}, historyProps = {}) {
    return {
      nodes: [
        { id: "f1", type: "tab" },
        { id: "acc", type: "waviot-account", name: "sim", authUrl: w.authUrl, ...accountProps },
        { id: "user", z: "f1", type: "waviot-user", account: "acc", operation: "whoami", wires: [["out"]], ...userProps },
        { id: "hist", z: "f1", type: "waviot-history", account: "acc", onlyNew: false, wires: [["hout"]], ...historyProps },
        { id: "out", z: "f1", type: "helper" },
        { id: "hout", z: "f1", type: "helper" },
        { id: "catcher", z: "f1", type: "catch", scope: null, uncaught: false, wires: [["caught"]] },
        { id: "caught", z: "f1", type: "helper" },
      ],
      creds: { acc: { login: DEMO_USER.login, password: DEMO_USER.password } },
    };
  }

  async function load(f) {
    await helper.load(NODES, f.nodes, f.creds);
    return nodesOf();
  }

  function nodesOf() {
    const n = (id) => helper.getNode(id);
    return { user: n("user"), hist: n("hist"), out: collect(n("out")), hout: collect(n("hout")), caught: collect(n("caught")) };
  }

  function collect(node) {
    const got = [];
    node.on("input", (m) => got.push(m));
    return got;
  }

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  it("whoami (default): the server's answer in msg.payload, other properties kept, one lazy login", async () => {
    const { user, out } = await load(flow());
    assert.equal(w.counters.login, 0, "no login before first use");
    const statuses = [];
    user.on("call:status", (c) => statuses.push(c.args[0]));
    user.receive({ payload: "go", _keep: 7 });
    await until(() => out.length === 1);
    assert.equal(out[0]._keep, 7);
    assert.equal(out[0].payload.headEmail, DEMO_USER.login);
    assert.equal(out[0].payload.emailConfirmed, "1", "values stay as the server sent them");
    assert.equal(w.counters.login, 1);
    assert.equal(statuses.at(-1).fill, "green");
    assert.deepEqual(w.violations, []);
  });

  it("20 concurrent first uses → exactly one login", async () => {
    const { user, out } = await load(flow());
    for (let i = 0; i < 20; i++) user.receive({ payload: i });
    await until(() => out.length === 20);
    assert.equal(w.counters.login, 1);
    assert.equal(w.counters.whoami, 20);
  });

  it("every operation from msg.operation; bad input → INVALID_INPUT with nothing sent", async () => {
    const { user, out, caught } = await load(flow({ operation: "" }));
    const run = async (msg) => {
      const n = out.length + caught.length;
      user.receive(msg);
      await until(() => out.length + caught.length > n);
      return caught.length && caught.at(-1)._id === msg._id ? { error: caught.at(-1).error } : { payload: out.at(-1).payload };
    };
    let id = 0;
    const op = (operation, payload) => run({ _id: ++id, operation, payload });
    assert.equal((await op("whoami")).payload.firstName, "Jack");
    assert.deepEqual((await op("update", { firstName: "John" })).payload, { success: true, message: "User data have been updated." });
    assert.equal((await op("whoami")).payload.firstName, "John");
    assert.equal((await op("update", { phone: "abc" })).error.code, "HTTP_ERROR");
    assert.equal((await op("set-settings", { "notifications-tariffs__push": false })).payload.set_count, 1);
    const settings = (await op("settings")).payload.api;
    assert.equal(settings.find((s) => s.name === "notifications-tariffs__push").value, "0");
    const wrong = await op("change-password", { password_old: "not-the-password", password_new: "x-new-Passw0rd" });
    assert.equal(wrong.error.code, "HTTP_ERROR");
    assert.match(wrong.error.message, /Old password is incorrect/);
    assert.equal((await op("recover-password", "nobody@example.com")).error.code, "HTTP_ERROR", "success:false inside HTTP 200");
    assert.equal((await op("recover-password", { email: DEMO_USER.login })).payload.success, true);
    const before = { ...w.counters };
    for (const [o, p] of [["explode", {}], ["update", { password: "x" }], ["update", {}], ["set-settings", [1]], ["change-password", { password_new: "x" }], ["sign-up", { headEmail: "a@b.c" }], ["recover-password", {}]]) {
      const r = await op(o, p);
      assert.equal(r.error && r.error.code, "INVALID_INPUT", `${o} ${JSON.stringify(p)}`);
    }
    const none = await run({ _id: ++id });
    assert.equal(none.error.code, "INVALID_INPUT", "blank operation and no msg.operation");
    assert.deepEqual(w.counters, before, "nothing was sent for bad input");
    assert.equal(w.counters.login, 1);
  });

  it("sign-up and password recovery go out without a session and without logging in (no credentials needed)", async () => {
    const f = flow({ operation: "" });
    f.creds.acc = {};
    delete process.env.WAVIOT_LOGIN;
    delete process.env.WAVIOT_PASSWORD;
    const { user, out } = await load(f);
    user.receive({ operation: "sign-up", payload: { lastName: "Doe", firstName: "Jane", headEmail: "jane@example.com", phone: "123", password: "Jane-Passw0rd", repPassword: "Jane-Passw0rd" } });
    await until(() => out.length === 1);
    assert.equal(out[0].payload.success, true);
    user.receive({ operation: "recover-password", payload: "jane@example.com" });
    await until(() => out.length === 2);
    assert.equal(w.counters.login, 0);
    assert.equal(w.counters.signUp, 1);
    assert.deepEqual(w.violations, []);
    assert.ok(!JSON.stringify(out).includes("Jane-Passw0rd"), "the password sent is not passed on");
  });

  it("50 redeploys (full and modified-nodes) and 50 restarts → never more than 1 open session; 0 after unload", async function () {
    this.timeout(120_000);
    const f = flow();
    let nodes = await load(f);
    const maxOpen = [];
    const use = async (n) => {
      n.user.receive({});
      await until(() => n.out.length === 1, 5000, "whoami");
      maxOpen.push(w.openSessions(DEMO_USER.login));
    };
    await use(nodes);
    for (let i = 0; i < 50; i++) {
      // "nodes" restarts only what changed: rename the account so that it (and its users) restart.
      f.nodes[1].name = `sim ${i}`;
      await helper.setFlows(f.nodes, i % 2 ? "full" : "nodes", f.creds);
      assert.ok(w.openSessions() <= 1, `after deploy ${i}: ${w.openSessions()} open`);
      await use(nodesOf());
    }
    for (let i = 0; i < 50; i++) {
      await helper.unload();
      assert.equal(w.openSessions(), 0, `after unload ${i}`);
      nodes = await load(f);
      await use(nodes);
    }
    await helper.unload();
    assert.equal(w.openSessions(), 0);
    assert.equal(w.peakSessions, 1, "at most one session at any time");
    assert.ok(maxOpen.every((n) => n === 1));
    assert.equal(w.counters.login, 101);
    assert.equal(w.counters.logout, 101);
    assert.equal(w.counters.sessionLimit, 0);
    assert.deepEqual(w.violations, []);
  });

  it("a token that expires mid-stream is refreshed (proactively and after a 400 Unauthorized) with no visible error", async () => {
    w.tokenLifetime = 2;
    const { user, out, caught } = await load(flow());
    let sent = 0;
    const end = Date.now() + 4500;
    while (Date.now() < end) {
      for (let i = 0; i < 3; i++) user.receive({ payload: sent++ });
      await sleep(100);
    }
    await until(() => out.length + caught.length === sent, 10_000);
    assert.deepEqual(caught.map((m) => m.error), []);
    assert.ok(w.counters.refresh >= 2, `refreshes: ${w.counters.refresh}`);
    assert.equal(w.counters.login, 1);

    w.tokenLifetime = 3600;
    user.receive({});
    await until(() => out.length === sent + 1);
    const refreshes = w.counters.refresh;
    w.expireTokens(); // the server says "400 Unauthorized" before the client expects it
    for (let i = 0; i < 5; i++) user.receive({});
    await until(() => out.length === sent + 6);
    assert.equal(w.counters.refresh, refreshes + 1, "one refresh for 5 concurrent failures");
    assert.equal(caught.length, 0);
    assert.equal(w.openSessions(), 1);
  });

  it("refresh refused (session gone on the server) → exactly one new login, no visible error", async () => {
    const { user, out, caught } = await load(flow());
    user.receive({});
    await until(() => out.length === 1);
    w.revokeAll();
    user.receive({});
    await until(() => out.length === 2);
    assert.equal(w.counters.refresh, 1);
    assert.equal(w.counters.login, 2);
    assert.equal(caught.length, 0);
    assert.equal(w.openSessions(), 1);
  });

  it("429 at login → SESSION_LIMIT with what to do, never retried", async () => {
    w.maxSessions = 0;
    const { user, caught } = await load(flow());
    const statuses = [];
    user.on("call:status", (c) => statuses.push(c.args[0]));
    for (let i = 0; i < 5; i++) user.receive({ payload: i });
    await until(() => caught.length === 5);
    user.receive({});
    await until(() => caught.length === 6);
    assert.ok(caught.every((m) => m.error.code === "SESSION_LIMIT"));
    assert.match(caught[0].error.message, /30 sessions/);
    assert.match(caught[0].error.message, /log out|Log out/);
    assert.equal(w.counters.login, 1, "one attempt, no retry");
    assert.deepEqual(statuses.at(-1), { fill: "red", shape: "ring", text: "status.error.SESSION_LIMIT" });
  });

  it("429 on refresh → SESSION_LIMIT, no login attempt", async () => {
    const { user, out, caught } = await load(flow());
    user.receive({});
    await until(() => out.length === 1);
    w.expireTokens();
    w.fault({ action: "user-refresh", kind: "429", times: 1 });
    user.receive({});
    await until(() => caught.length === 1);
    assert.equal(caught[0].error.code, "SESSION_LIMIT");
    assert.equal(w.counters.login, 1);
  });

  it("login errors: wrong password → AUTH_INVALID_CREDENTIALS; HTML → BAD_RESPONSE; unreachable → NETWORK; no credentials → INVALID_INPUT", async () => {
    let f = flow();
    f.creds.acc.password = "wrong-Passw0rd-123";
    let n = await load(f);
    n.user.receive({});
    await until(() => n.caught.length === 1);
    assert.equal(n.caught[0].error.code, "AUTH_INVALID_CREDENTIALS");
    assert.match(n.caught[0].error.message, /incorrect login\/password pair/);
    await helper.unload();

    w.fault({ action: "user-login", kind: "html", times: 1 });
    n = await load(flow());
    n.user.receive({});
    await until(() => n.caught.length === 1);
    assert.equal(n.caught[0].error.code, "BAD_RESPONSE");
    assert.match(n.caught[0].error.message, /authUrl/);
    await helper.unload();

    n = await load(flow({}, { authUrl: "http://127.0.0.1:1/auth" }));
    n.user.receive({});
    await until(() => n.caught.length === 1);
    assert.equal(n.caught[0].error.code, "NETWORK");
    await helper.unload();

    n = await load(flow({}, { authUrl: "ftp://example.com" }));
    n.user.receive({});
    await until(() => n.caught.length === 1);
    assert.equal(n.caught[0].error.code, "INVALID_INPUT");
    await helper.unload();

    f = flow();
    f.creds.acc = {};
    delete process.env.WAVIOT_LOGIN;
    delete process.env.WAVIOT_PASSWORD;
    const logins = w.counters.login;
    n = await load(f);
    n.user.receive({});
    await until(() => n.caught.length === 1);
    assert.equal(n.caught[0].error.code, "INVALID_INPUT");
    assert.match(n.caught[0].error.message, /WAVIOT_LOGIN/);
    assert.equal(w.counters.login, logins, "nothing sent");
    await helper.unload();

    process.env.WAVIOT_LOGIN = DEMO_USER.login;
    process.env.WAVIOT_PASSWORD = DEMO_USER.password;
    try {
      n = await load(f);
      n.user.receive({});
      await until(() => n.out.length === 1);
    } finally {
      delete process.env.WAVIOT_LOGIN;
      delete process.env.WAVIOT_PASSWORD;
    }
  });

  it("close is bounded when the server hangs on logout, and a login in flight at close is logged out when it lands", async function () {
    this.timeout(30_000);
    let n = await load(flow());
    n.user.receive({});
    await until(() => n.out.length === 1);
    w.fault({ action: "user-logout", kind: "hang", times: 1 });
    let t0 = Date.now();
    await helper.unload();
    const took = Date.now() - t0;
    assert.ok(took < 5000, `close took ${took} ms`);

    // Login slower than nothing: close waits for it, then logs it out.
    w.revokeAll();
    w.fault({ action: "user-login", kind: "delay", ms: 300, times: 1 });
    n = await load(flow());
    n.user.receive({});
    await until(() => w.counters.login === 2);
    await helper.unload();
    assert.equal(w.openSessions(), 0, "the login that landed during close was logged out");

    // Login slower than the close bound: close returns anyway; the session is logged out when it lands.
    w.fault({ action: "user-login", kind: "delay", ms: 4500, times: 1 });
    n = await load(flow());
    n.user.receive({});
    await until(() => w.counters.login === 3);
    t0 = Date.now();
    await helper.unload();
    assert.ok(Date.now() - t0 < 5000);
    await until(() => w.counters.logout === 2 && w.openSessions() === 0, 5000, "late login logged out");
  });

  it("history: newest first with `at`; onlyNew emits only unseen entries, nothing when none, and remembers across redeploys", async () => {
    w.recordLogins = false;
    const f = flow({}, {}, { onlyNew: true });
    f.nodes.push({ id: "hall", z: "f1", type: "waviot-history", account: "acc", onlyNew: false, wires: [["hallout"]] }, { id: "hallout", z: "f1", type: "helper" });
    let n = await load(f);
    const all = collect(helper.getNode("hallout"));
    helper.getNode("hall").receive({});
    await until(() => all.length === 1);
    assert.equal(all[0].payload.length, w.users.get(DEMO_USER.login).history.length);
    assert.equal(all[0].payload[0].at, "2019-07-24T16:02:13.000Z");

    n.hist.receive({});
    await until(() => n.hout.length === 1);
    assert.equal(n.hout[0].payload.length, 1, "first fetch: everything");
    n.hist.receive({});
    await until(() => n.caught.length === 0 && helper.getNode("hist") && w.counters.history === 3);
    await sleep(100);
    assert.equal(n.hout.length, 1, "nothing new → no message");

    const when = Date.UTC(2024, 0, 2, 3, 4, 5);
    w.addLogin(DEMO_USER.login, historyEntry(when, "203.0.113.7", "curl/8", { id: 1, iso: "BR", lat: 0, lon: 0, name_en: "Brazil" }));
    n.hist.receive({});
    await until(() => n.hout.length === 2);
    assert.deepEqual(n.hout[1].payload.map((e) => [e.ip, e.at, e.country.name_en]), [["203.0.113.7", "2024-01-02T03:04:05.000Z", "Brazil"]]);

    for (const type of ["full", "nodes"]) {
      f.nodes[1].name = `renamed ${type}`; // restarts the history node too
      await helper.setFlows(f.nodes, type, f.creds);
      n = nodesOf();
      const fetches = w.counters.history;
      n.hist.receive({});
      await until(() => w.counters.history === fetches + 1);
      await sleep(100);
      assert.equal(n.hout.length, 0, `after a ${type} redeploy nothing old is emitted again`);
    }
  });

  it("never puts a password, token, cookie or decoded claim in a message, status, log line or error", async () => {
    w.tokenLifetime = 2;
    const { user, hist, out, hout, caught } = await load(flow({ operation: "" }));
    const cap = captureEverything(); // after load: the helper creates its log spy there
    const ops = captureEverything();
    for (const n of [user, hist]) n.on("call:status", (c) => cap.push(c.args[0]));
    for (const c of [out, hout, caught]) c.push = new Proxy(c.push, { apply: (fn, self, args) => (args.forEach((m) => (ops.push(m), m.error && cap.push(m.error))), fn.apply(self, args)) });
    user.receive({ operation: "whoami" });
    user.receive({ operation: "settings" });
    hist.receive({});
    await sleep(1600); // past the refresh point of a 2-s token
    user.receive({ operation: "whoami" });
    w.expireTokens();
    user.receive({ operation: "whoami" });
    w.fault({ action: "get-whoAmI", kind: "500", times: 1 });
    user.receive({ operation: "whoami" });
    user.receive({ operation: "change-password", payload: { password_old: "Wrong-old-pass", password_new: "New-Passw0rd-1" } });
    user.receive({ operation: "update", payload: { password: DEMO_USER.password } });
    await until(() => out.length + caught.length === 7 && hout.length === 1, 10_000);
    await helper.unload();
    const text = cap.text();
    const all = text + "\n" + ops.text();
    assert.ok(w.counters.refresh >= 1, "the run included a refresh");
    const secrets = [DEMO_USER.password, "Wrong-old-pass", "New-Passw0rd-1", ...w.issued];
    for (const jwt of [...w.issued].filter((v) => v.includes("."))) {
      const claims = decodeClaims(jwt);
      secrets.push(...claims.apiKeys, claims.rabbit_guest_api_connection);
    }
    for (const s of secrets) assert.ok(!all.includes(s), "secret leaked: " + s.slice(0, 12));
    assert.ok(!text.includes(DEMO_USER.login), "the login never appears in logs, status or errors");
    assert.ok(!/bearer|WAVIOT_JWT=|ck=/i.test(all));
  });
});
