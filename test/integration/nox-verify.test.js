"use strict";
/**
 * nox-callback `verify` (issue 11 §5) in a real runtime against the NOX simulator's Package API:
 * a callback is accepted only when NOX lists every one of its device_ids for its NOX user under
 * the account's key; a mismatch or a failing check consumes nothing (the genuine callback still
 * completes); the check pages through next_token; it is off by default. Also the strict-mode
 * rule "never consume a session and then fail to answer": a browser that leaves while the
 * callback is being checked leaves its session pending.
 */
const assert = require("node:assert/strict");
const { helper, loadNode, until, runtimeVersion } = require("../support/runtime");
const { useCallbackServer } = require("../support/nox-callback");
const { DEMO_API_KEY, encodeData } = require("../simulator/nox");

const noxAccount = loadNode("nox-account");
const noxLink = loadNode("nox-link");

describe(`nox-callback verify (Node-RED ${runtimeVersion()})`, function () {
  this.timeout(30_000);
  let sim;
  let base;
  const { callbackModule } = useCallbackServer((s) => ({ sim, base } = s));
  beforeEach(() => sim.nox.reset());
  afterEach(() => helper.unload());

  async function load(cbProps = {}) {
    await helper.load(
      [noxAccount, noxLink, callbackModule],
      [
        { id: "f1", type: "tab" },
        { id: "acc", type: "nox-account", apiUrl: sim.nox.apiUrl, packageUrl: sim.nox.packageUrl },
        { id: "link", z: "f1", type: "nox-link", account: "acc", userId: "", redirectUrl: `${base}/nox/callback`, language: "en", brand: "", assetType: "", timeout: 15, storeScope: "global", store: "", wires: [["linked"]] },
        { id: "linked", z: "f1", type: "helper" },
        { id: "cb", z: "f1", type: "nox-callback", account: "acc", url: "/nox/callback", redirect: "", strict: true, verify: true, storeScope: "global", store: "", wires: [["mapped"]], ...cbProps },
        { id: "mapped", z: "f1", type: "helper" },
        { id: "catcher", z: "f1", type: "catch", scope: null, uncaught: false, wires: [["caught"]] },
        { id: "caught", z: "f1", type: "helper" },
      ],
      { acc: { apiKey: DEMO_API_KEY } },
    );
    const collect = (id) => {
      const got = [];
      helper.getNode(id).on("input", (m) => got.push(m));
      return got;
    };
    return { link: helper.getNode("link"), cb: helper.getNode("cb"), linked: collect("linked"), mapped: collect("mapped"), caught: collect("caught") };
  }

  async function get(url, signal) {
    const res = await fetch(url, { redirect: "manual", signal });
    return { status: res.status, text: await res.text() };
  }

  /** A link for userId; returns the pending link's session (NOX's page is NOT opened yet). */
  async function createLink(n, userId) {
    const before = n.linked.length;
    n.link.receive({ payload: userId });
    await until(() => n.linked.length === before + 1, 5000, "link session");
    return n.linked.at(-1).payload;
  }
  /** The user completes the NOX page: NOX links the device and redirects to the callback URL. */
  async function complete(session) {
    const res = await fetch(session.link_url, { redirect: "manual" });
    assert.equal(res.status, 302);
    return res.headers.get("location");
  }
  const dataOf = (callbackUrl) => JSON.parse(Buffer.from(new URL(callbackUrl).searchParams.get("data"), "base64url").toString("utf8"));

  it("a genuine callback is checked with the Package API (x-api-key, user_id = NOX user) and accepted", async () => {
    const n = await load();
    const url = await complete(await createLink(n, "opaque-7f3a"));
    const res = await get(url);
    assert.equal(res.status, 200);
    await until(() => n.mapped.length === 1);
    const data = dataOf(url);
    assert.deepEqual(n.mapped[0].payload.device_ids, data.device_ids);
    assert.equal(sim.nox.packageRequests.length, 1);
    assert.equal(sim.nox.packageRequests[0].headers["x-api-key"], DEMO_API_KEY);
    assert.deepEqual(sim.nox.packageRequests[0].query, { limit: "1000", user_id: data.nox_user_id });
  });

  it("a forged callback for a pending user is refused (CALLBACK_UNKNOWN_SESSION) and consumes nothing", async () => {
    const n = await load();
    const session = await createLink(n, "victim-1");
    // Someone else's NOX user that really exists under this supplier (a device linked earlier).
    sim.nox.linkDevices("nox_attacker", ["hp_attacker"]);
    const forgeries = [
      { nox_user_id: "nox_attacker", device_ids: ["hp_victim_guess"] }, // devices not listed for that user
      { nox_user_id: "nox_unknown", device_ids: ["hp_attacker"] }, // a real device, another user
      { nox_user_id: "nox_attacker", device_ids: [] }, // nothing to verify
    ];
    for (const f of forgeries) {
      const data = encodeData({ supplier_user_id: "victim-1", brand: "daikin", connected_at: 1, ...f });
      const res = await get(`${base}/nox/callback?data=${data}`);
      assert.equal(res.status, 400);
      assert.ok(!res.text.includes("victim-1"));
    }
    await until(() => n.caught.length === forgeries.length);
    assert.deepEqual(n.caught.map((m) => m.error.code), forgeries.map(() => "CALLBACK_UNKNOWN_SESSION"));
    assert.match(n.caught[0].error.message, /Package API/);
    assert.ok(!JSON.stringify(n.caught.map((m) => m.error)).includes(DEMO_API_KEY));

    // The genuine callback still completes: nothing was consumed by the forgeries.
    assert.equal((await get(await complete(session))).status, 200);
    await until(() => n.mapped.length === 1);
    assert.equal(n.mapped[0].payload.supplier_user_id, "victim-1");
  });

  it("strict: forged callbacks for users with no pending session never reach NOX (issue 18)", async () => {
    const n = await load();
    await createLink(n, "someone-pending");
    const forged = Array.from({ length: 25 }, (_, i) => encodeData({ nox_user_id: `nox_${i}`, supplier_user_id: `not-pending-${i}`, brand: "daikin", device_ids: [`hp_${i}`], connected_at: 1 }));
    const answers = await Promise.all(forged.map((d) => get(`${base}/nox/callback?data=${d}`)));
    assert.deepEqual(answers.map((r) => r.status), forged.map(() => 400));
    await until(() => n.caught.length === forged.length);
    assert.deepEqual(new Set(n.caught.map((m) => m.error.code)), new Set(["CALLBACK_UNKNOWN_SESSION"]));
    assert.equal(sim.nox.counters.packageDevices, 0, "no Package API call for a forged callback");
  });

  it("forged callbacks naming a pending user cost one Package API call per NOX user (cached), and consume nothing", async () => {
    const n = await load();
    const session = await createLink(n, "victim-2");
    const data = encodeData({ nox_user_id: "nox_guess", supplier_user_id: "victim-2", brand: "daikin", device_ids: ["hp_guess"], connected_at: 1 });
    for (let i = 0; i < 5; i++) assert.equal((await get(`${base}/nox/callback?data=${data}`)).status, 400);
    assert.equal(sim.nox.counters.packageDevices, 1, "one call, then the cached answer");
    assert.equal((await get(await complete(session))).status, 200, "the genuine callback still completes");
    await until(() => n.mapped.length === 1);
  });

  it("a failing Package API (500, wrong key) fails the callback with its own code and consumes nothing", async () => {
    const n = await load();
    const url = await complete(await createLink(n, "cust-500"));
    sim.nox.fault({ path: "/package/v1/devices", kind: "500", times: 1 });
    assert.equal((await get(url)).status, 400);
    await until(() => n.caught.length === 1);
    assert.equal(n.caught[0].error.code, "HTTP_ERROR");
    assert.match(n.caught[0].error.message, /Package API answered HTTP 500/);
    sim.nox.apiKeys.delete(DEMO_API_KEY);
    assert.equal((await get(url)).status, 400);
    await until(() => n.caught.length === 2);
    assert.equal(n.caught[1].error.code, "AUTH_INVALID_CREDENTIALS");
    sim.nox.apiKeys.add(DEMO_API_KEY);
    assert.equal((await get(url)).status, 200, "the same callback, once the check works");
    await until(() => n.mapped.length === 1);
  });

  it("pages through next_token until every device is found", async () => {
    const n = await load();
    sim.nox.packagePageSize = 1;
    const url = await complete(await createLink(n, "cust-pages"));
    const data = dataOf(url);
    // Two more devices for that NOX user (listed after the callback's first one) and another user's two.
    sim.nox.linkDevices("nox_other", ["hp_o1", "hp_o2"]);
    sim.nox.linkDevices(data.nox_user_id, ["hp_extra1", "hp_extra2"]);
    const multi = encodeData({ ...data, device_ids: [...data.device_ids, "hp_extra2"] });
    await createLink(n, data.supplier_user_id); // a fresh pending link for the same user
    assert.equal((await get(`${base}/nox/callback?data=${multi}`)).status, 200);
    await until(() => n.mapped.length === 1);
    assert.equal(sim.nox.packageRequests.length, 3, "three pages of one device");
    assert.ok(sim.nox.packageRequests[1].query.next_token);
  });

  it("is off by default: no Package API call", async () => {
    const n = await load({ verify: undefined });
    assert.equal((await get(await complete(await createLink(n, "cust-off")))).status, 200);
    await until(() => n.mapped.length === 1);
    assert.equal(sim.nox.counters.packageDevices, 0);
  });

  it("a browser that leaves while the callback is checked leaves its session pending (never consumed without an answer)", async () => {
    const n = await load();
    const url = await complete(await createLink(n, "cust-leaves"));
    sim.nox.packageDelayMs = 600;
    const abort = new AbortController();
    const pending = get(url, abort.signal).catch((e) => e);
    await until(() => sim.nox.packageRequests.length === 1, 5000, "check started");
    abort.abort();
    assert.equal((await pending).name, "AbortError");
    await until(() => helper._NodePrototype.warn.getCalls().some((c) => c.thisValue && c.thisValue.id === "cb"), 5000, "warning");
    assert.equal(n.mapped.length, 0, "nothing emitted");
    const table = n.link.context().global.get("nox_pending_links");
    assert.deepEqual(Object.keys(table), [JSON.stringify(["acc", "cust-leaves"])], "the session is still pending");

    sim.nox.packageDelayMs = 0;
    assert.equal((await get(url)).status, 200, "the user reloads: accepted");
    await until(() => n.mapped.length === 1);
  });

  it("verify without an account is a configuration error", async () => {
    const n = await load({ account: "", strict: false });
    const data = encodeData({ nox_user_id: "nox_a", supplier_user_id: "u", brand: "daikin", device_ids: ["d"], connected_at: 1 });
    n.cb.receive({ payload: data });
    await until(() => n.caught.length === 1);
    assert.equal(n.caught[0].error.code, "INVALID_INPUT");
    assert.match(n.caught[0].error.message, /Verify needs a nox-account/);
  });
});
