"use strict";
/**
 * waviot-account "Test connection" (POST /home-energy/waviot/test) in a real runtime against the
 * WAVIoT simulator: login + whoami + ALWAYS logout (no session left open, also after a failure),
 * stored credentials and env fallbacks, and never an echo of the typed password.
 */
const assert = require("node:assert/strict");
const { helper, loadNode, runtimeVersion, useSimulator } = require("../support/runtime");
const { DEMO_USER } = require("../simulator/waviot");

const account = loadNode("waviot-account");

describe(`waviot editor endpoints (Node-RED ${runtimeVersion()})`, function () {
  this.timeout(30_000);
  let w;
  useSimulator((s) => (w = s.waviot));
  beforeEach(() => w.reset());
  afterEach(async () => {
    delete process.env.WAVIOT_LOGIN;
    delete process.env.WAVIOT_PASSWORD;
    await helper.unload();
  });

  const flow = () => [{ id: "wavA", type: "waviot-account", authUrl: w.authUrl }];
  const test = (body) => helper.request().post("/home-energy/waviot/test").send(body).expect(200);

  it("signs in, reads the user and logs out again: no session left", async () => {
    await helper.load([account], flow());
    const r = await test({ login: DEMO_USER.login, password: DEMO_USER.password, authUrl: w.authUrl });
    assert.deepEqual(r.body, { ok: true, user: "Jack Smith" });
    assert.equal(w.counters.login, 1);
    assert.equal(w.counters.whoami, 1);
    assert.equal(w.counters.logout, 1);
    assert.equal(w.openSessions(), 0, "the test's session is closed");
    assert.ok(!JSON.stringify(r.body).includes(DEMO_USER.password));
  });

  it("uses the deployed node's credentials for blank / __PWRD__ fields, else WAVIOT_LOGIN / WAVIOT_PASSWORD", async () => {
    await helper.load([account], flow(), { wavA: { login: DEMO_USER.login, password: DEMO_USER.password } });
    const stored = await test({ id: "wavA", login: "", password: "__PWRD__", authUrl: w.authUrl });
    assert.equal(stored.body.ok, true);
    // The environment stands in for a deployed node's blank credentials (toward its own URL only).
    await helper.unload();
    await helper.load([account], flow());
    process.env.WAVIOT_LOGIN = DEMO_USER.login;
    process.env.WAVIOT_PASSWORD = DEMO_USER.password;
    const env = await test({ id: "wavA", login: "", password: "", authUrl: w.authUrl });
    assert.equal(env.body.ok, true);
    delete process.env.WAVIOT_LOGIN;
    delete process.env.WAVIOT_PASSWORD;
    const none = await test({ id: "wavA", login: "", password: "", authUrl: w.authUrl });
    assert.equal(none.body.code, "INVALID_INPUT");
    assert.equal(w.counters.login, 2, "nothing sent without credentials");
    assert.equal(w.openSessions(), 0);
  });

  it("a wrong password → AUTH_INVALID_CREDENTIALS without the typed password anywhere in the answer", async () => {
    await helper.load([account], flow());
    const secret = "typed-Waviot-Secret-42";
    const bad = await test({ login: DEMO_USER.login, password: secret, authUrl: w.authUrl });
    assert.equal(bad.body.ok, false);
    assert.equal(bad.body.code, "AUTH_INVALID_CREDENTIALS");
    assert.ok(!JSON.stringify(bad.body).includes(secret));
    assert.equal(w.openSessions(), 0);
  });

  it("a failure after the login still logs out (whoami answers 500)", async () => {
    await helper.load([account], flow());
    w.fault({ action: "get-whoAmI", kind: "500" });
    const r = await test({ login: DEMO_USER.login, password: DEMO_USER.password, authUrl: w.authUrl });
    assert.equal(r.body.ok, false);
    assert.equal(w.counters.login, 1);
    assert.equal(w.counters.logout, 1);
    assert.equal(w.openSessions(), 0, "the session is closed after the failed test");
  });

  it("a hanging logout does not hold the answer for long", async () => {
    await helper.load([account], flow());
    w.fault({ action: "user-logout", kind: "hang" });
    const t0 = Date.now();
    const r = await test({ login: DEMO_USER.login, password: DEMO_USER.password, authUrl: w.authUrl });
    assert.equal(r.body.ok, true);
    assert.ok(Date.now() - t0 < 6_000, `answered after ${Date.now() - t0} ms`);
    w.clearFaults();
  });

  it("ten tests in a row never pile up sessions", async () => {
    await helper.load([account], flow());
    for (let i = 0; i < 10; i += 1) {
      const r = await test({ login: DEMO_USER.login, password: DEMO_USER.password, authUrl: w.authUrl });
      assert.equal(r.body.ok, true);
    }
    assert.equal(w.peakSessions, 1);
    assert.equal(w.openSessions(), 0);
  });
});
