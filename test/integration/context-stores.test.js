"use strict";
/**
 * Every node that keeps state in Node-RED context — navien-account (tokens), nox-link/nox-callback
 * (pending link sessions), waviot-history (its "seen up to" cursor) — on each context store
 * Node-RED ships: `memory`, `localfilesystem` with cache, and `localfilesystem` without cache (no
 * synchronous access at all). Real stores, configured through the runtime's `contextStorage`
 * setting and loaded as the runtime does at start; plus the failure paths (a store that cannot
 * be read or written: normal sign-in, one warning).
 */
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { helper, loadNode, until, runtimeVersion, useSimulator } = require("../support/runtime");
const NAVIEN = require("../simulator/navien");
const { DEMO_API_KEY } = require("../simulator/nox");
const WAVIOT = require("../simulator/waviot");

const MODULES = ["navien-account", "navien-device", "nox-account", "nox-link", "nox-callback", "waviot-account", "waviot-history"].map(loadNode);

const STORES = [
  { name: "memory", config: () => ({ default: { module: "memory" } }) },
  { name: "localfilesystem with cache", config: (dir) => ({ default: { module: "localfilesystem", config: { dir, cache: true, flushInterval: 1 } } }) },
  { name: "localfilesystem without cache", noCache: true, config: (dir) => ({ default: { module: "localfilesystem", config: { dir, cache: false } } }) },
];

/** Callback-form context access, as the nodes use it (works on every store). */
const ctxGet = (ctx, key) => new Promise((res, rej) => ctx.get(key, (e, v) => (e ? rej(e) : res(v))));
const ctxSet = (ctx, key, v) => new Promise((res, rej) => ctx.set(key, v, (e) => (e ? rej(e) : res())));

/** Every file under dir (recursive). */
function filesUnder(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

for (const store of STORES) {
  describe(`context store: ${store.name} (Node-RED ${runtimeVersion()})`, function () {
    this.timeout(30_000);
    let sim;
    let dir;
    let originalSettings;
    useSimulator((s) => (sim = s));
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "he-context-"));
      originalSettings = helper.settings();
      helper.settings({ contextStorage: store.config(dir) });
    });
    after(() => {
      // The very object the other suites run with (helper.settings() would leave a copy behind).
      helper._settings = originalSettings;
      fs.rmSync(dir, { recursive: true, force: true });
    });
    beforeEach(() => {
      sim.navien.resetCounters();
      sim.nox.reset();
      sim.waviot.reset();
      sim.waviot.addUser(WAVIOT.DEMO_USER.login, WAVIOT.DEMO_USER.password);
    });
    afterEach(async () => {
      await helper.unload();
      await helper._context.close();
    });

    /** Loads the flow with the configured stores opened first, as the runtime does at start. */
    async function load(nodes, creds) {
      await helper.load([...MODULES, () => helper._context.load()], nodes, creds);
      assert.equal(helper._context.listStores().default, "default");
    }
    const collect = (id) => {
      const got = [];
      helper.getNode(id).on("input", (m) => got.push(m));
      return got;
    };

    // --- Navien tokens ---------------------------------------------------------------------
    const navienFlow = (acc) => [
      { id: "f1", type: "tab" },
      { id: acc, type: "navien-account", apiUrl: sim.navien.apiUrl, unit: "C", persistTokens: true },
      { id: "dev", z: "f1", type: "navien-device", account: acc, command: "list", timeout: 5, wires: [["out"]] },
      { id: "out", z: "f1", type: "helper" },
      { id: "catcher", z: "f1", type: "catch", scope: null, uncaught: false, wires: [["caught"]] },
      { id: "caught", z: "f1", type: "helper" },
    ];
    // The hidden token key as a restarted Node-RED reads it back from its credentials file (issue 18).
    const TOKEN_KEY = require("node:crypto").randomBytes(32).toString("base64");
    const navienCreds = (acc) => ({ [acc]: { email: NAVIEN.DEMO_USER.email, password: NAVIEN.DEMO_USER.password, tokenKey: TOKEN_KEY } });
    async function listOnce() {
      const out = collect("out");
      const caught = collect("caught");
      helper.getNode("dev").receive({});
      await until(() => out.length + caught.length === 1, 10_000, "list answer");
      assert.deepEqual(caught.map((m) => m.error), [], "no error");
      return out[0];
    }

    it("navien-account: tokens are written after sign-in and restored by a new account without signing in", async () => {
      await load(navienFlow("accW"), navienCreds("accW"));
      await listOnce();
      assert.equal(sim.navien.counters.signIn, 1);
      const ctx = helper.getNode("accW").context();
      const stored = await until(() => ctxGet(ctx, "navienTokens"), 5000, "tokens in the store");
      await helper.unload();
      await helper._context.close();

      sim.navien.resetCounters();
      await load(navienFlow("accR"), navienCreds("accR"));
      // What the store holds after a restart (the helper clears contexts between loads).
      await ctxSet(helper.getNode("accR").context(), "navienTokens", stored);
      const msg = await listOnce();
      assert.equal(msg.payload.length, 2);
      assert.equal(sim.navien.counters.signIn, 0, "restored, not signed in");
    });

    it("navien-account: an unusable stored value means a normal sign-in", async () => {
      await load(navienFlow("accG"), navienCreds("accG"));
      await ctxSet(helper.getNode("accG").context(), "navienTokens", { v: 1, garbage: "x".repeat(40) });
      await listOnce();
      assert.equal(sim.navien.counters.signIn, 1);
      await listOnce();
      assert.equal(sim.navien.counters.signIn, 1, "one sign-in, then its tokens");
    });

    // --- NOX pending sessions ---------------------------------------------------------------
    it('nox-link records in store "" and a strict nox-callback on "default" finds it (one slot); a replay is refused', async () => {
      await load(
        [
          { id: "f1", type: "tab" },
          { id: "acc", type: "nox-account", apiUrl: sim.nox.apiUrl },
          { id: "link", z: "f1", type: "nox-link", account: "acc", userId: "", redirectUrl: "https://supplier.example/cb", language: "en", brand: "", assetType: "", timeout: 10, storeScope: "global", store: "", wires: [["linked"]] },
          { id: "linked", z: "f1", type: "helper" },
          { id: "cb", z: "f1", type: "nox-callback", account: "acc", url: "", redirect: "", strict: true, storeScope: "global", store: "default", wires: [["mapped"]] },
          { id: "cb2", z: "f1", type: "nox-callback", account: "acc", url: "", redirect: "", strict: true, storeScope: "global", store: "", wires: [["mapped"]] },
          { id: "mapped", z: "f1", type: "helper" },
          { id: "catcher", z: "f1", type: "catch", scope: null, uncaught: false, wires: [["caught"]] },
          { id: "caught", z: "f1", type: "helper" },
        ],
        { acc: { apiKey: DEMO_API_KEY } },
      );
      const linked = collect("linked");
      const mapped = collect("mapped");
      const caught = collect("caught");
      helper.getNode("link").receive({ payload: "cust-ctx" });
      await until(() => linked.length === 1, 5000, "link");
      const page = await fetch(linked[0].payload.link_url, { redirect: "manual" });
      const callbackUrl = page.headers.get("location");
      assert.ok(callbackUrl.includes("data="));
      const table = await ctxGet(helper.getNode("link").context().global, "nox_pending_links");
      assert.deepEqual(Object.keys(table), [JSON.stringify(["acc", "cust-ctx"])]);

      helper.getNode("cb").receive({ payload: callbackUrl });
      await until(() => mapped.length + caught.length === 1, 5000, "callback");
      assert.deepEqual(caught.map((m) => m.error.code), []);
      assert.equal(mapped[0].payload.supplier_user_id, "cust-ctx");
      helper.getNode("cb").receive({ payload: callbackUrl });
      await until(() => caught.length === 1, 5000, "replay refused");
      assert.equal(caught[0].error.code, "CALLBACK_UNKNOWN_SESSION");

      // The same callback at once on "default" and "" (one queue for one slot): accepted exactly once.
      helper.getNode("link").receive({ payload: "cust-race" });
      await until(() => linked.length === 2, 5000, "second link");
      const raceUrl = (await fetch(linked[1].payload.link_url, { redirect: "manual" })).headers.get("location");
      for (let i = 0; i < 5; i++) {
        helper.getNode("cb").receive({ payload: raceUrl });
        helper.getNode("cb2").receive({ payload: raceUrl });
      }
      await until(() => mapped.length + caught.length === 1 + 1 + 10, 5000, "ten answers");
      assert.equal(mapped.length, 2, "one more accepted, nine refused");
    });

    // --- WAVIoT history cursor --------------------------------------------------------------
    // waviot-history keeps its cursor per node id across redeploys in this process: one id per test.
    const waviotFlow = (hist) => [
      { id: "f1", type: "tab" },
      { id: "wacc", type: "waviot-account", authUrl: sim.waviot.authUrl },
      { id: hist, z: "f1", type: "waviot-history", account: "wacc", onlyNew: true, wires: [["hout"]] },
      { id: "hout", z: "f1", type: "helper" },
      { id: "catcher", z: "f1", type: "catch", scope: null, uncaught: false, wires: [["caught"]] },
      { id: "caught", z: "f1", type: "helper" },
    ];
    const waviotCreds = { wacc: { login: WAVIOT.DEMO_USER.login, password: WAVIOT.DEMO_USER.password } };

    it("waviot-history: the cursor is written to the store and nothing old is emitted twice", async () => {
      sim.waviot.recordLogins = false;
      await load(waviotFlow(`hist-${store.name.length}`), waviotCreds);
      const hist = helper.getNode(`hist-${store.name.length}`);
      const hout = collect("hout");
      const caught = collect("caught");
      hist.receive({});
      await until(() => hout.length === 1, 5000, "first fetch");
      const cursor = await until(() => ctxGet(hist.context(), "waviotHistorySeen"), 5000, "cursor in the store");
      assert.equal(typeof cursor.account, "string");
      assert.ok(cursor.seen);
      const fetches = sim.waviot.counters.history;
      hist.receive({});
      await until(() => sim.waviot.counters.history === fetches + 1, 5000, "second fetch");
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(hout.length, 1, "nothing new → no message");
      assert.deepEqual(caught, []);
    });

    if (!store.noCache) return;

    // --- A store that fails (localfilesystem without cache: the node's file is a directory) ----
    /** Makes the node's context file unreadable and unwritable: a directory in its place. */
    async function breakContextOf(id) {
      await ctxSet(helper.getNode(id).context(), "probe", 1);
      // A node in a flow: context/<flow>/<id>.json; a config node: context/<id>/flow.json.
      const file = filesUnder(dir).find((f) => path.basename(f) === `${id}.json` || f.endsWith(path.join(id, "flow.json")));
      assert.ok(file, "the node's context file exists");
      fs.rmSync(file);
      fs.mkdirSync(file);
      await assert.rejects(ctxGet(helper.getNode(id).context(), "probe"));
    }
    const warningsOf = (id) =>
      helper._NodePrototype.warn
        .getCalls()
        .filter((c) => c.thisValue && c.thisValue.id === id)
        .map((c) => String(c.args[0]));

    it("navien-account: a store that cannot be read → normal sign-in; that cannot be written → one warning", async () => {
      await load(navienFlow("accX"), navienCreds("accX"));
      await breakContextOf("accX");
      await listOnce();
      assert.equal(sim.navien.counters.signIn, 1, "the failed restore fell back to a sign-in");
      await until(() => warningsOf("accX").length === 1, 5000, "a warning");
      // A second token write (forced re-sign-in) fails too, without a second warning.
      await helper.getNode("accX").client.auth.renewAwsCredentials(5000);
      assert.equal(sim.navien.counters.signIn, 2);
      await new Promise((r) => setTimeout(r, 200));
      const warnings = warningsOf("accX");
      assert.equal(warnings.length, 1, "warned once");
      assert.match(warnings[0], /could not be written to the context store/);
      const msg = await listOnce();
      assert.equal(msg.payload.length, 2, "the account keeps working");
    });

    it("waviot-history: a failing cursor write is warned once; the node keeps emitting only new entries", async () => {
      sim.waviot.recordLogins = false;
      await load(waviotFlow("histBroken"), waviotCreds);
      await breakContextOf("histBroken");
      const hout = collect("hout");
      const caught = collect("caught");
      helper.getNode("histBroken").receive({});
      await until(() => hout.length + caught.length === 1, 5000, "first fetch");
      assert.deepEqual(caught.map((m) => m.error), []);
      sim.waviot.addLogin(WAVIOT.DEMO_USER.login, WAVIOT.historyEntry(Date.UTC(2024, 0, 2, 3, 4, 5), "203.0.113.7", "curl/8", { id: 1, iso: "BR", lat: 0, lon: 0, name_en: "Brazil" }));
      helper.getNode("histBroken").receive({});
      await until(() => hout.length === 2, 5000, "second fetch");
      assert.equal(hout[1].payload.length, 1, "only the new entry");
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(warningsOf("histBroken").length, 1, "two failed writes, one warning");
    });
  });
}
