"use strict";
/**
 * When the clouds fail (CONTRACT.md, "When a cloud fails"; issue 17): real Node-RED runtime, the
 * simulator's outage switch on loopback, requests counted at the "cloud". Every scenario of the
 * issue runs at once, each against its own simulator, in one ~30-s window:
 *   - Navien sign-in answers 503 for 30 s while a status-in polls every 5 s and a navien-device
 *     gets `status` every second → at most 8 sign-in attempts;
 *   - Navien answers one `info` with 429 + Retry-After: 20 → no `info` request inside the 20 s;
 *   - an account with no devices, and one whose device list answers 500 → the list at most once a minute;
 *   - WAVIoT login answers 503 for 30 s while `whoami` arrives every second → at most 8 logins;
 *   - NOX answers one link request with 429 + Retry-After: 10 → no link request inside the 10 s.
 * Every message ends with an output or a Catch error within its deadline, paused nodes show a
 * yellow ring with "retry in N s", and each flow heals without a redeploy.
 */
const assert = require("node:assert/strict");
const { helper, loadNode, until, runtimeVersion } = require("../support/runtime");
const { startSimulator } = require("../simulator");
const { DEMO_USER: NAVIEN_USER } = require("../simulator/navien");
const { DEMO_USER: WAVIOT_USER } = require("../simulator/waviot");

const NODES = ["navien-account", "navien-device", "navien-status-in", "waviot-account", "waviot-user", "nox-account", "nox-link"].map(loadNode);
const OUTAGE_S = 30;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe(`When the clouds fail (Node-RED ${runtimeVersion()})`, function () {
  this.timeout(180_000);
  const sims = {};

  before(async () => {
    for (const name of ["signIn", "info", "empty", "listFails", "waviot", "nox"]) sims[name] = await startSimulator();
    sims.empty.navien.setDeviceCount(0);
    await helper.startServer();
  });
  after(async () => {
    await helper.unload();
    await helper.stopServer();
    for (const s of Object.values(sims)) await s.close();
  });

  /** Records every message's fate: answered (out or caught) and how long it took. */
  function tracker(name, outNode, caughtNode) {
    const sent = new Map();
    const answers = [];
    const take = (kind) => (m) => {
      if (m._t !== name) return;
      const t = sent.get(m._n);
      if (t !== undefined) answers.push({ n: m._n, kind, ms: Date.now() - t, code: m.error && m.error.code, text: m.error && m.error.message });
    };
    outNode.on("input", take("out"));
    caughtNode.on("input", take("caught"));
    return {
      send(node, msg) {
        const n = sent.size;
        sent.set(n, Date.now());
        node.receive({ ...msg, _n: n, _t: name });
      },
      sent,
      answers,
    };
  }

  function navienAccount(id, sim) {
    return { id, type: "navien-account", apiUrl: sim.navien.apiUrl, mqttUrl: sim.navien.mqttUrl, region: "us-east-1", unit: "F" };
  }

  it("pauses every kind of failing request, answers every message in time, and heals by itself", async () => {
    const mac = sims.signIn.navien.devices[0].deviceInfo.macAddress;
    const nodes = [
      { id: "f1", type: "tab" },
      // Navien sign-in outage.
      navienAccount("accSignIn", sims.signIn),
      { id: "stSignIn", z: "f1", type: "navien-status-in", account: "accSignIn", device: mac, interval: 5, wires: [["stOut"]] },
      { id: "devSignIn", z: "f1", type: "navien-device", account: "accSignIn", device: mac, command: "status", timeout: 5, wires: [["out1"]] },
      // Navien info 429 + Retry-After.
      navienAccount("accInfo", sims.info),
      { id: "devInfo", z: "f1", type: "navien-device", account: "accInfo", device: mac, command: "info", timeout: 15, wires: [["out2"]] },
      // No devices / failing device list.
      navienAccount("accEmpty", sims.empty),
      { id: "stEmpty", z: "f1", type: "navien-status-in", account: "accEmpty", device: "", interval: 5, wires: [[]] },
      navienAccount("accFails", sims.listFails),
      { id: "stFails", z: "f1", type: "navien-status-in", account: "accFails", device: "", interval: 5, wires: [[]] },
      // WAVIoT login outage.
      { id: "accW", type: "waviot-account", authUrl: sims.waviot.waviot.authUrl },
      { id: "userW", z: "f1", type: "waviot-user", account: "accW", operation: "whoami", wires: [["out3"]] },
      // NOX link 429 + Retry-After.
      { id: "accN", type: "nox-account", apiUrl: sims.nox.nox.apiUrl },
      { id: "linkN", z: "f1", type: "nox-link", account: "accN", redirectUrl: "https://supplier.example/back", wires: [["out4"]] },
      ...["stOut", "out1", "out2", "out3", "out4", "caught"].map((id) => ({ id, z: "f1", type: "helper" })),
      { id: "catcher", z: "f1", type: "catch", scope: null, uncaught: false, wires: [["caught"]] },
    ];
    const creds = {
      accSignIn: { email: NAVIEN_USER.email, password: NAVIEN_USER.password },
      accInfo: { email: NAVIEN_USER.email, password: NAVIEN_USER.password },
      accEmpty: { email: NAVIEN_USER.email, password: NAVIEN_USER.password },
      accFails: { email: NAVIEN_USER.email, password: NAVIEN_USER.password },
      accW: { login: WAVIOT_USER.login, password: WAVIOT_USER.password },
      accN: { apiKey: sims.nox.demoEnv.NOX_API_KEY },
    };

    // The outages start before the deploy: the first sign-in / login already meets them.
    const t0 = Date.now();
    sims.signIn.outage({ vendor: "navien", endpoint: "/user/sign-in", status: 503, seconds: OUTAGE_S });
    sims.listFails.outage({ vendor: "navien", endpoint: "/device/list", status: 500, seconds: OUTAGE_S });
    sims.waviot.outage({ vendor: "waviot", endpoint: "user-login", status: 503, seconds: OUTAGE_S });
    await helper.load(NODES, nodes, creds);
    const n = (id) => helper.getNode(id);
    const caught = n("caught");
    const statuses = {};
    for (const id of ["stSignIn", "devSignIn", "devInfo", "userW", "linkN"]) {
      statuses[id] = [];
      n(id).on("call:status", (c) => statuses[id].push(c.args[0]));
    }
    const navienT = tracker("navienT", n("out1"), caught);
    const infoT = tracker("infoT", n("out2"), caught);
    const waviotT = tracker("waviotT", n("out3"), caught);
    const noxT = tracker("noxT", n("out4"), caught);
    const stOut = [];
    n("stOut").on("input", (m) => stOut.push(m));

    // Info: one good call (signs in, lists), then one 429 with Retry-After: 20, then 20 s of calls.
    infoT.send(n("devInfo"), {});
    await until(() => infoT.answers.length === 1, 15_000, "first info");
    assert.equal(infoT.answers[0].kind, "out", JSON.stringify(infoT.answers[0]));
    sims.info.outage({ vendor: "navien", endpoint: "/device/info", status: 429, retryAfter: 20, count: 1, seconds: 60 });
    // NOX: one 429 with Retry-After: 10.
    sims.nox.outage({ vendor: "nox", endpoint: "link-sessions", status: 429, retryAfter: 10, count: 1, seconds: 60 });

    const tInfo = Date.now();
    for (let i = 0; Date.now() - t0 < OUTAGE_S * 1000; i++) {
      navienT.send(n("devSignIn"), {});
      waviotT.send(n("userW"), {});
      if (Date.now() - tInfo < 20_000) infoT.send(n("devInfo"), {});
      if (Date.now() - tInfo < 10_000) noxT.send(n("linkN"), { payload: `user-${i}` });
      await sleep(1000);
    }

    // Counted at the clouds.
    const signIns = sims.signIn.countRequests({ vendor: "navien", endpoint: "/user/sign-in", since: t0 });
    const logins = sims.waviot.countRequests({ vendor: "waviot", endpoint: "user-login", since: t0 });
    // The one 429 itself, then nothing until its Retry-After is over.
    const infoInWindow = sims.info.countRequests({ vendor: "navien", endpoint: "/device/info", since: tInfo, until: tInfo + 19_500 });
    const noxInWindow = sims.nox.countRequests({ vendor: "nox", endpoint: "link-sessions", since: tInfo, until: tInfo + 9_500 });
    assert.ok(signIns <= 8, `Navien sign-in attempts during a ${OUTAGE_S}-s outage: ${signIns} (≤ 8)`);
    assert.ok(signIns >= 2, `the sign-in is retried during the outage (${signIns})`);
    assert.ok(logins <= 8, `WAVIoT login attempts during a ${OUTAGE_S}-s outage: ${logins} (≤ 8)`);
    assert.ok(logins >= 2, `the login is retried during the outage (${logins})`);
    assert.equal(infoInWindow, 1, "Navien info: the 429 itself and no request inside Retry-After: 20");
    assert.equal(noxInWindow, 1, "NOX link: the 429 itself and no request inside Retry-After: 10");
    // Device lists: at most once a minute for an empty account and for a failing list.
    const emptyLists = sims.empty.countRequests({ vendor: "navien", endpoint: "/device/list", since: t0 });
    const failingLists = sims.listFails.countRequests({ vendor: "navien", endpoint: "/device/list", since: t0 });
    assert.ok(emptyLists <= 1, `device lists of an account with no devices in ${OUTAGE_S} s: ${emptyLists}`);
    assert.ok(failingLists <= 1, `device lists of a failing account in ${OUTAGE_S} s: ${failingLists}`);

    // Every message answered, each within its deadline (+1 s for delivery).
    await until(() => navienT.answers.length === navienT.sent.size && waviotT.answers.length === waviotT.sent.size, 20_000, "every message answered").catch((e) => {
      const missing = (t) => [...t.sent.keys()].filter((k) => !t.answers.some((a) => a.n === k));
      throw new Error(`${e.message}: navien missing ${missing(navienT)} of ${navienT.sent.size}, waviot missing ${missing(waviotT)} of ${waviotT.sent.size}; navien answers ${JSON.stringify(navienT.answers.slice(0, 4))}`);
    });
    await until(() => infoT.answers.length === infoT.sent.size && noxT.answers.length === noxT.sent.size, 20_000, "every info/link answered");
    for (const [t, limit] of [[navienT, 6_000], [waviotT, 16_000], [infoT, 16_000], [noxT, 16_000]]) {
      for (const a of t.answers) assert.ok(a.ms <= limit, `answered in ${a.ms} ms (limit ${limit}): ${JSON.stringify(a)}`);
    }
    // Paused requests fail at once, naming the pause, with the cause's code.
    const paused = navienT.answers.filter((a) => a.kind === "caught" && /paused/.test(a.text || ""));
    assert.ok(paused.length > 0, "some commands failed at once because the sign-in was paused");
    assert.ok(paused.every((a) => a.code === "HTTP_ERROR"), JSON.stringify(paused.slice(0, 2)));
    assert.ok(paused.some((a) => /\d+ s/.test(a.text)), "the message says in how many seconds");
    // Yellow rings with "retry in N s" on the affected nodes.
    for (const id of ["devSignIn", "stSignIn", "userW", "devInfo", "linkN"]) {
      assert.ok(
        statuses[id].some((s) => s.fill === "yellow" && s.shape === "ring" && /retry in \d+ s/.test(s.text || "")),
        `${id} showed the pause: ${JSON.stringify(statuses[id].slice(-3))}`,
      );
    }

    // Healing, no redeploy: statuses flow again and the next calls succeed.
    await until(() => stOut.length > 0, 75_000, "status-in emits after the sign-in outage");
    const done = () => navienT.answers.filter((a) => a.kind === "out").length;
    const before = done();
    for (let i = 0; i < 10 && done() === before; i++) {
      navienT.send(n("devSignIn"), {});
      await sleep(1500);
    }
    assert.ok(done() > before, "a status command succeeds after the outage");
    const wBefore = waviotT.answers.filter((a) => a.kind === "out").length;
    await until(
      async () => {
        waviotT.send(n("userW"), {});
        await sleep(1000);
        return waviotT.answers.filter((a) => a.kind === "out").length > wBefore;
      },
      75_000,
      "whoami succeeds after the login outage",
    );
    infoT.send(n("devInfo"), {});
    noxT.send(n("linkN"), { payload: "user-after" });
    await until(() => infoT.answers.at(-1).n === infoT.sent.size - 1 && noxT.answers.at(-1)?.n === noxT.sent.size - 1, 20_000, "info and link answered after the pause");
    assert.equal(infoT.answers.at(-1).kind, "out", JSON.stringify(infoT.answers.at(-1)));
    assert.equal(noxT.answers.at(-1).kind, "out", JSON.stringify(noxT.answers.at(-1)));
    assert.equal(statuses.devSignIn.at(-1).fill, "green");
  });
});
