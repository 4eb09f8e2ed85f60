"use strict";
/**
 * nox-account "Test connection" (POST /home-energy/nox/test) in a real runtime against the NOX
 * simulator: the check sends an empty link-session request (nothing can be created), maps a
 * rejected key to AUTH_INVALID_CREDENTIALS, honours stored credentials and NOX_API_KEY, and
 * never echoes the key.
 */
const assert = require("node:assert/strict");
const { helper, loadNode, runtimeVersion, useSimulator } = require("../support/runtime");
const { DEMO_API_KEY } = require("../simulator/nox");

const account = loadNode("nox-account");

describe(`nox editor endpoints (Node-RED ${runtimeVersion()})`, function () {
  this.timeout(20_000);
  let sim;
  useSimulator((s) => (sim = s));
  beforeEach(() => sim.nox.reset());
  afterEach(async () => {
    delete process.env.NOX_API_KEY;
    await helper.unload();
  });

  const flow = () => [{ id: "noxA", type: "nox-account", apiUrl: sim.nox.apiUrl }];
  const test = (body) => helper.request().post("/home-energy/nox/test").send(body).expect(200);

  it("a valid typed key is accepted, and nothing is created", async () => {
    await helper.load([account], flow());
    const r = await test({ apiKey: DEMO_API_KEY, apiUrl: sim.nox.apiUrl });
    assert.deepEqual(r.body, { ok: true, keyAccepted: true, status: 422 });
    assert.equal(sim.nox.counters.created, 0, "no link session created");
    assert.equal(sim.nox.sessions.size, 0);
    assert.deepEqual(sim.nox.requests.map((q) => q.body), [{}], "one request, with an empty body");
    assert.ok(!JSON.stringify(r.body).includes(DEMO_API_KEY));
  });

  it("blank / __PWRD__ uses the deployed node's key, else NOX_API_KEY (details: account-editor-endpoints.test.js)", async () => {
    await helper.load([account], flow(), { noxA: { apiKey: DEMO_API_KEY } });
    const stored = await test({ id: "noxA", apiKey: "__PWRD__", apiUrl: sim.nox.apiUrl });
    assert.equal(stored.body.ok, true);
    assert.equal(sim.nox.requests[0].headers["x-api-key"], DEMO_API_KEY);
    // The environment stands in for a deployed node's blank key (toward its own URL only).
    await helper.unload();
    await helper.load([account], flow());
    process.env.NOX_API_KEY = DEMO_API_KEY;
    const env = await test({ id: "noxA", apiKey: "", apiUrl: sim.nox.apiUrl });
    assert.equal(env.body.ok, true);
    delete process.env.NOX_API_KEY;
    const none = await test({ id: "noxA", apiKey: "", apiUrl: sim.nox.apiUrl });
    assert.equal(none.body.ok, false);
    assert.equal(none.body.code, "INVALID_INPUT");
    assert.equal(sim.nox.requests.length, 2, "nothing sent without a key");
  });

  it("a wrong key → AUTH_INVALID_CREDENTIALS without the typed key anywhere in the answer", async () => {
    await helper.load([account], flow());
    const secret = "nox_typed_Secret_77";
    const bad = await test({ apiKey: secret, apiUrl: sim.nox.apiUrl });
    assert.equal(bad.body.ok, false);
    assert.equal(bad.body.code, "AUTH_INVALID_CREDENTIALS");
    assert.match(bad.body.message, /HTTP 401/);
    assert.ok(!JSON.stringify(bad.body).includes(secret));
    assert.equal(sim.nox.counters.unauthorized, 1);
  });

  it("a malformed key is refused before anything is sent; a wrong URL and server errors are explained", async () => {
    await helper.load([account], flow());
    const malformed = await test({ apiKey: "two words\nkey", apiUrl: sim.nox.apiUrl });
    assert.equal(malformed.body.code, "INVALID_INPUT");
    assert.ok(!JSON.stringify(malformed.body).includes("two words"));
    assert.equal(sim.nox.requests.length, 0);
    const notFound = await test({ apiKey: DEMO_API_KEY, apiUrl: sim.url + "/elsewhere" });
    assert.equal(notFound.body.code, "HTTP_ERROR");
    assert.match(notFound.body.message, /404/);
    sim.nox.fault({ kind: "500", times: 1 });
    const down = await test({ apiKey: DEMO_API_KEY, apiUrl: sim.nox.apiUrl });
    assert.equal(down.body.code, "HTTP_ERROR");
    const badUrl = await test({ apiKey: DEMO_API_KEY, apiUrl: "ftp://x" });
    assert.equal(badUrl.body.code, "INVALID_INPUT");
  });

  it("needs the nox-account.write permission route (POST only)", async () => {
    await helper.load([account], flow());
    await helper.request().get("/home-energy/nox/test").expect(404);
  });
});
