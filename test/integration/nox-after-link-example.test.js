"use strict";
/**
 * The shipped example "NOX - after the link" deployed as imported, with its account pointed at the
 * simulator as `npm start` does (API key from NOX_API_KEY): a customer completes the simulated link
 * (a steerable heat pump, one in its learning period, one that needs_reauthentication), the
 * callback's mapping enters "remember the link", and the flow turns dynamic-tariff optimisation on
 * where the login works, reports the learning period, and sends the customer a new link for the
 * device that needs one. The demo inject matches the simulator's demo customer.
 */
const assert = require("node:assert/strict");
const { helper, until, runtimeVersion, useSimulator } = require("../support/runtime");
const { deployExample, fire } = require("../support/examples");
const { DEMO_API_KEY, DEMO_SUPPLIER_USER } = require("../simulator/nox");

const EXAMPLE = "NOX - after the link.json";

describe(`example "NOX - after the link" (Node-RED ${runtimeVersion()})`, function () {
  this.timeout(30_000);
  let sim;

  useSimulator((s) => (sim = s));
  before(() => (process.env.NOX_API_KEY = DEMO_API_KEY));
  after(() => delete process.env.NOX_API_KEY);
  beforeEach(() => {
    sim.nox.reset();
    sim.nox.fleetOnLink = true;
  });
  afterEach(() => helper.unload());

  function collect(id) {
    const got = [];
    helper.getNode(id).on("input", (m) => got.push(m));
    return got;
  }

  /** A customer completes the simulated link; returns the callback's mapping (what nox-callback emits). */
  async function link(supplierUserId) {
    const res = await fetch(sim.nox.apiUrl + "/v2/supplier/link-sessions", {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": DEMO_API_KEY },
      body: JSON.stringify({ user_id: supplierUserId, redirect_url: "https://supplier.example/nox/callback" }),
    });
    const session = await res.json();
    const back = await fetch(session.link_url, { redirect: "manual" });
    return JSON.parse(Buffer.from(new URL(back.headers.get("location")).searchParams.get("data"), "base64url").toString("utf8"));
  }

  it("after a link: dynamic tariff on where the login works, learning reported, a new link for the device that needs one", async () => {
    const flow = await deployExample(EXAMPLE, sim);
    assert.equal(flow.find((n) => n.type === "nox-account").packageUrl, sim.nox.packageUrl);
    const [done, alerts, learning, errors] = ["nox-after-done", "nox-after-notify", "nox-after-learning", "nox-after-err"].map(collect);
    const mapping = await link("cust-42");
    const suffix = mapping.nox_user_id.replace(/^nox_/, "");
    const linksBefore = sim.nox.counters.created;

    helper.getNode("nox-after-remember").receive({ payload: mapping });
    await until(() => done.length === 2 && alerts.length === 1 && learning.length === 1, 10_000, () => `done ${done.length}, alerts ${alerts.length}, learning ${learning.length}, errors ${JSON.stringify(errors.map((m) => m.error))}`);
    assert.deepEqual(errors, []);

    // Settings changed at NOX for the two heat pumps whose login works, read back by the node.
    const settings = (id) => sim.nox.packageApi.settings.get(id);
    assert.equal(settings(`hp_${suffix}`).optimization_settings.dynamic_tariff, true);
    assert.equal(settings(`hp_${suffix}_learning`).optimization_settings.dynamic_tariff, true);
    assert.notEqual(settings(`hp_${suffix}_reauth`)?.optimization_settings.dynamic_tariff, true, "the device that needs a new login is not changed");
    assert.deepEqual(done.map((m) => m.payload[0].device_id).sort(), [`hp_${suffix}`, `hp_${suffix}_learning`]);
    for (const m of done) assert.equal(m.payload[0].optimization_settings.dynamic_tariff, true);
    // Only this customer's devices were listed.
    assert.deepEqual(sim.nox.packageRequests.find((r) => r.path === "/devices").query, { limit: "1000", user_id: mapping.nox_user_id });

    // A new link for the customer (by their own id), and the alert text carrying it.
    assert.equal(sim.nox.counters.created, linksBefore + 1);
    const relink = sim.nox.requests.at(-1).body;
    assert.equal(relink.user_id, "cust-42");
    assert.equal(relink.brand, mapping.brand);
    assert.match(alerts[0].payload, /log in again/);
    assert.ok(alerts[0].payload.includes(sim.nox.apiUrl + "/ui?token="), alerts[0].payload);
    assert.match(learning[0].payload, new RegExp(`hp_${suffix}_learning .*30 days`));
  });

  it("the daily check covers every linked customer; the demo inject is the simulator's demo customer", async () => {
    const flow = await deployExample(EXAMPLE, sim);
    const [done, alerts, errors] = ["nox-after-done", "nox-after-notify", "nox-after-err"].map(collect);
    const demo = JSON.parse(flow.find((n) => n.id === "nox-after-demo").payload);
    assert.equal(demo.supplier_user_id, DEMO_SUPPLIER_USER);
    assert.equal(demo.nox_user_id, sim.nox.connection({ supplier_user_id: DEMO_SUPPLIER_USER }).nox_user_id);
    fire("nox-after-demo");
    await until(() => done.length === 2 && alerts.length === 1, 10_000, "the demo customer's devices handled");
    const before = { done: done.length, alerts: alerts.length };
    fire("nox-after-daily");
    await until(() => done.length === before.done + 2 && alerts.length === before.alerts + 1, 10_000, "the daily check");
    assert.equal(sim.nox.packageRequests.filter((r) => r.path === "/devices").at(-1).query.user_id, undefined, "the daily check lists every device of the key");
    assert.deepEqual(errors, []);
  });
});
