"use strict";
/**
 * Optional token persistence of navien-account (spec §3.7 format in the node's context):
 * off by default (nothing stored, a stored copy is deleted), on → stored after sign-in and used
 * at start-up without a new sign-in.
 */
const assert = require("node:assert/strict");
const { helper, nodes, until, runtimeVersion, useSimulator } = require("../support/runtime");
const { DEMO_USER } = require("../simulator/navien");
const { NavienAuth } = require("../../nodes/lib/navien/auth.js");
const { HttpClient } = require("../../nodes/lib/core/http.js");
const { toPersisted } = require("../../nodes/lib/navien/token-store.js");

describe(`navien-account token persistence (Node-RED ${runtimeVersion()})`, function () {
  this.timeout(20_000);
  let sim;
  useSimulator((s) => (sim = s));
  afterEach(() => helper.unload());

  function flow(acc, persistTokens) {
    return [
      { id: "f1", type: "tab" },
      { id: acc, type: "navien-account", apiUrl: sim.navien.apiUrl, unit: "C", persistTokens },
      { id: "dev", z: "f1", type: "navien-device", account: acc, command: "list", timeout: 5, wires: [["out"]] },
      { id: "out", z: "f1", type: "helper" },
    ];
  }
  const creds = (acc) => ({ [acc]: { email: DEMO_USER.email, password: DEMO_USER.password } });
  const contextOf = (id) => helper._context.get(id, undefined);

  async function listOnce() {
    const got = [];
    helper.getNode("out").on("input", (m) => got.push(m));
    helper.getNode("dev").receive({});
    await until(() => got.length === 1);
    return got[0];
  }

  it("is off by default: nothing is stored in the context", async () => {
    await helper.load([nodes.navienAccount, nodes.navienDevice], flow("accOff", false), creds("accOff"));
    await listOnce();
    assert.equal(helper.getNode("accOff").context().get("navienTokens"), undefined);
  });

  it("when ticked, stores the tokens in the spec's format after sign-in", async () => {
    sim.navien.resetCounters();
    await helper.load([nodes.navienAccount, nodes.navienDevice], flow("accOn", true), creds("accOn"));
    await listOnce();
    const stored = helper.getNode("accOn").context().get("navienTokens");
    assert.equal(typeof stored.access_token, "string");
    assert.equal(stored.authentication_expires_in, 3600);
    assert.match(stored.issued_at, /Z$/);
    assert.ok(sim.navien.accessTokens.has(stored.access_token));
  });

  it("restores stored tokens at start-up: no sign-in needed", async () => {
    const http = new HttpClient("Navien");
    const auth = new NavienAuth({ http, apiUrl: sim.navien.apiUrl, email: DEMO_USER.email, password: DEMO_USER.password });
    const tokens = await auth.tokens(5000);
    http.destroy();
    sim.navien.resetCounters();
    await helper.load([nodes.navienAccount, nodes.navienDevice], flow("accRestored", true), creds("accRestored"));
    // What a persistent context store holds after a restart (the helper wipes contexts at load).
    contextOf("accRestored").set("navienTokens", toPersisted(tokens, DEMO_USER.email));
    const msg = await listOnce();
    assert.equal(msg.payload.length, 2);
    assert.equal(sim.navien.counters.signIn, 0);
  });

  it("ignores tokens stored for another e-mail", async () => {
    const http = new HttpClient("Navien");
    const auth = new NavienAuth({ http, apiUrl: sim.navien.apiUrl, email: DEMO_USER.email, password: DEMO_USER.password });
    const tokens = await auth.tokens(5000);
    http.destroy();
    sim.navien.resetCounters();
    await helper.load([nodes.navienAccount, nodes.navienDevice], flow("accForeign", true), creds("accForeign"));
    contextOf("accForeign").set("navienTokens", toPersisted(tokens, "someone-else@example.com"));
    await listOnce();
    assert.equal(sim.navien.counters.signIn, 1);
  });
});

describe(`navien editor endpoints (Node-RED ${runtimeVersion()})`, function () {
  this.timeout(20_000);
  let sim;
  useSimulator((s) => (sim = s));
  afterEach(() => helper.unload());

  const flow = () => [{ id: "accE", type: "navien-account", apiUrl: sim.navien.apiUrl, unit: "F" }];

  it("test connection signs in with the typed credentials and never echoes the password", async () => {
    await helper.load([nodes.navienAccount], flow(), { accE: { email: DEMO_USER.email, password: DEMO_USER.password } });
    const ok = await helper.request().post("/home-energy/navien/test").send({ id: "accE", email: DEMO_USER.email, password: DEMO_USER.password, apiUrl: sim.navien.apiUrl }).expect(200);
    assert.deepEqual(ok.body, { ok: true, devices: 2 });
    const stored = await helper.request().post("/home-energy/navien/test").send({ id: "accE", email: "", password: "__PWRD__", apiUrl: sim.navien.apiUrl }).expect(200);
    assert.deepEqual(stored.body, { ok: true, devices: 2 }, "blank fields use the deployed node's credentials");
    const bad = await helper.request().post("/home-energy/navien/test").send({ email: DEMO_USER.email, password: "typed-Secret-99", apiUrl: sim.navien.apiUrl }).expect(200);
    assert.equal(bad.body.ok, false);
    assert.equal(bad.body.code, "AUTH_INVALID_CREDENTIALS");
    assert.ok(!JSON.stringify(bad.body).includes("typed-Secret-99"));
  });

  it("the device picker lists the deployed account's devices", async () => {
    await helper.load([nodes.navienAccount], flow(), { accE: { email: DEMO_USER.email, password: DEMO_USER.password } });
    const r = await helper.request().post("/home-energy/navien/devices").send({ account: "accE" }).expect(200);
    assert.deepEqual(r.body.devices.map((d) => d.mac), ["a1b2c3d4e5f6", "a1b2c3d4e5f7"]);
    const missing = await helper.request().post("/home-energy/navien/devices").send({ account: "nope" }).expect(200);
    assert.equal(missing.body.code, "INVALID_INPUT");
  });
});
