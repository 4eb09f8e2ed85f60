"use strict";
/**
 * Account diagnostics (CONTRACT.md, "Diagnostics"): the admin endpoint of each vendor and the
 * `diagnostics` command/operation return the counters and last errors the back-off produced —
 * and nothing secret or personal. The simulator is given planted values (e-mail, password, API
 * key, device name, address, coordinates, MAC); after real traffic and a failure, every planted
 * value and every token the accounts hold is searched for in every answer.
 */
const assert = require("node:assert/strict");
const { helper, loadNode, until, runtimeVersion, useSimulator } = require("../support/runtime");

const NODES = ["navien-account", "navien-device", "waviot-account", "waviot-user", "nox-account", "nox-link", "nox-device"].map(loadNode);

const PLANTED = {
  navienEmail: "diag.person@private-mail.example",
  navienPassword: "Nav-Secret-Pass-7781",
  waviotLogin: "diag.meter.owner@private-mail.example",
  waviotPassword: "Wav-Secret-Pass-5512",
  deviceName: "Heater of Jane Doe",
  address: "742 Evergreen Terrace",
  city: "Springfield Gardens",
  latitude: 44.0462071,
};

describe(`Account diagnostics (Node-RED ${runtimeVersion()})`, function () {
  this.timeout(60_000);
  let sim;
  useSimulator((s) => (sim = s));
  afterEach(() => helper.unload());

  it("endpoint and command: versions, settings, counters, pause and last errors; no credential, token, e-mail, name, address, location or full MAC", async () => {
    sim.navien.users.set(PLANTED.navienEmail, PLANTED.navienPassword);
    const dev0 = sim.navien.devices[0];
    dev0.deviceInfo.deviceName = PLANTED.deviceName;
    Object.assign(dev0.location, { address: PLANTED.address, city: PLANTED.city, latitude: PLANTED.latitude });
    const mac = dev0.deviceInfo.macAddress;
    sim.waviot.addUser(PLANTED.waviotLogin, PLANTED.waviotPassword);
    const noxKey = sim.demoEnv.NOX_API_KEY;

    const nodes = [
      { id: "f1", type: "tab" },
      { id: "accNv", type: "navien-account", apiUrl: sim.navien.apiUrl, mqttUrl: sim.navien.mqttUrl, region: "us-east-1", unit: "C" },
      { id: "devNv", z: "f1", type: "navien-device", account: "accNv", device: "", command: "", timeout: 10, wires: [["out"]] },
      { id: "accW", type: "waviot-account", authUrl: sim.waviot.authUrl },
      { id: "userW", z: "f1", type: "waviot-user", account: "accW", operation: "", wires: [["out"]] },
      { id: "accN", type: "nox-account", apiUrl: sim.nox.apiUrl },
      { id: "linkN", z: "f1", type: "nox-link", account: "accN", redirectUrl: "https://supplier.example/back", wires: [["out"]] },
      { id: "devN", z: "f1", type: "nox-device", account: "accN", operation: "diagnostics", wires: [["out"]] },
      { id: "out", z: "f1", type: "helper" },
      { id: "catcher", z: "f1", type: "catch", scope: null, uncaught: false, wires: [["caught"]] },
      { id: "caught", z: "f1", type: "helper" },
    ];
    await helper.load(NODES, nodes, {
      accNv: { email: PLANTED.navienEmail, password: PLANTED.navienPassword },
      accW: { login: PLANTED.waviotLogin, password: PLANTED.waviotPassword },
      accN: { apiKey: noxKey },
    });
    const out = [];
    const caught = [];
    helper.getNode("out").on("input", (m) => out.push(m));
    helper.getNode("caught").on("input", (m) => caught.push(m));
    const dev = helper.getNode("devNv");
    const user = helper.getNode("userW");

    // Real traffic: a list, a status over MQTT, whoami, a link; then a failing info (one 503).
    dev.receive({ command: "list" });
    await until(() => out.length === 1, 10_000, "list");
    dev.receive({ command: "status", device: mac });
    user.receive({ operation: "whoami" });
    helper.getNode("linkN").receive({ payload: "customer-7" });
    await until(() => out.length === 4, 15_000, "status, whoami, link");
    sim.outage({ vendor: "navien", endpoint: "/device/info", status: 503, count: 1, seconds: 30 });
    dev.receive({ command: "info", device: mac });
    await until(() => caught.length === 1, 10_000, "failing info");

    // The endpoint, for each vendor, and the flow-side command/operation.
    const get = async (vendor, id) => (await helper.request().get(`/home-energy/${vendor}/diagnostics/${id}`).expect(200)).body;
    const navien = await get("navien", "accNv");
    const waviot = await get("waviot", "accW");
    const nox = await get("nox", "accN");
    dev.receive({ command: "diagnostics" });
    user.receive({ operation: "diagnostics" });
    helper.getNode("devN").receive({});
    await until(() => out.length === 7, 5_000, "diagnostics command and operations");
    const fromCommand = out[4].payload;
    const fromOperation = out[5].payload;
    const fromNox = out[6].payload;

    // What it says.
    assert.equal(navien.package.name, "@home-energy/node-red-home-energy");
    assert.equal(navien.node, process.version);
    assert.equal(typeof navien.nodeRed, "string");
    assert.equal(navien.account.apiUrl, sim.navien.apiUrl);
    assert.equal(navien.account.unit, "C");
    assert.equal(navien.account.cluster, false);
    assert.equal(navien.state.session.signedIn, true);
    assert.equal(navien.state.session.signIns, 1);
    assert.equal(navien.state.mqtt.state, "connected");
    assert.deepEqual(navien.state.devices[0], { mac: `…${mac.slice(-4)}`, deviceType: dev0.deviceInfo.deviceType, connected: true });
    const infoKind = Object.keys(navien.counters).find((k) => k.endsWith("/device/info"));
    assert.equal(navien.counters[infoKind].failures, 1);
    assert.equal(navien.pause.cause, "HTTP 503");
    assert.equal(navien.lastErrors.at(-1).code, "HTTP_ERROR");
    assert.equal(waviot.state.session.open, true);
    assert.equal(waviot.state.session.logins, 1);
    assert.ok(Object.keys(nox.counters).some((k) => k.endsWith("/link-sessions")));
    assert.equal(fromCommand.account.id, "accNv");
    assert.equal(fromOperation.account.id, "accW");
    assert.equal(fromNox.account.id, "accN");
    // The endpoint answers only for a deployed account of its own type.
    await helper.request().get("/home-energy/navien/diagnostics/accW").expect(404);
    await helper.request().get("/home-energy/waviot/diagnostics/nope").expect(404);

    // What it never says.
    const text = JSON.stringify([navien, waviot, nox, fromCommand, fromOperation, fromNox]);
    const t = helper.getNode("accNv").client.auth.current;
    const secrets = {
      ...PLANTED,
      latitude: String(PLANTED.latitude),
      mac,
      macColons: mac.match(/../g).join(":"),
      noxKey,
      accessToken: t.accessToken,
      refreshToken: t.refreshToken,
      idToken: t.idToken,
      awsAccessKeyId: t.awsAccessKeyId,
      awsSecretKey: t.awsSecretKey,
      awsSessionToken: t.awsSessionToken,
    };
    for (const s of helper.getNode("accW").client.secrets()) secrets[`waviot ${s.slice(0, 4)}`] = s;
    for (const [name, value] of Object.entries(secrets)) {
      assert.ok(!text.includes(value), `diagnostics contain ${name}`);
      // Not a fragment of it either (tokens and keys: any 8-character piece that is not the simulator's address).
      if (value.length >= 16) for (let i = 0; i + 8 <= value.length; i += 4) assert.ok(sim.url.includes(value.slice(i, i + 8)) || !text.includes(value.slice(i, i + 8)), `diagnostics contain a piece of ${name}: ${value.slice(i, i + 8)}`);
    }
  });
});
