"use strict";
/**
 * A confirmation is the device's answer to *this* command (CONTRACT "navien-device commands").
 * The simulated heater works through one request at a time (processingMs), so when a command is
 * published, the answers to earlier requests — a status-in poll, another node's request, a nudge —
 * are still on their way and already show the wanted state. Each command of the contract, with
 * the device already in the wanted state, must resolve only after the device has answered *its*
 * request (the simulator records when that answer was due), never on the earlier answers.
 */
const assert = require("node:assert/strict");
const { helper, loadNode, until, runtimeVersion } = require("../support/runtime");
const { startSimulator } = require("../simulator");
const { DEMO_USER } = require("../simulator/navien");
const { accountTab } = require("../support/navien");

const MAC = "a1b2c3d4e5f6";
const TYPES = ["navien-account", "navien-device", "navien-status-in", "navien-tou"].map(loadNode);
const PROCESSING_MS = 150;
const OFFERED = 184680448; // a controller firmware the simulated cloud offers

describe(`Navien confirmations prove cause: polls, other nodes' requests and nudges race every command (Node-RED ${runtimeVersion()})`, function () {
  this.timeout(90_000);
  let sim;
  let device;
  const outputs = { dev: [], other: [], tou: [], tou2: [] };
  const errors = [];

  before(async () => {
    helper.settings({ navienMqtt: { backoff: { initialMs: 50, maxMs: 400 }, connectTimeoutMs: 3000 } });
    sim = await startSimulator();
    await helper.startServer();
    sim.navien.setDeviceCount(2);
    device = sim.navien.broker.device(MAC);
    device.feature.recirculationUse = 2; // so that every command of the contract can run
    sim.navien.firmwareOffer = { swCode: 1, version: OFFERED }; // so that firmware-update has something to commit
    const acc = "acc";
    const node = (id, type, props) => ({ id, z: "f1", type, account: acc, device: MAC, timeout: 10, wires: [[`out-${id}`]], ...props });
    const flow = [
      ...accountTab(sim),
      node("dev", "navien-device", { command: "" }),
      node("other", "navien-device", { command: "" }),
      node("tou", "navien-tou", { action: "" }),
      node("tou2", "navien-tou", { action: "" }),
      node("st", "navien-status-in", { device: MAC, interval: 0, onlyChanges: false, includeRaw: false, wires: [[]] }),
      { id: "catcher", z: "f1", type: "catch", scope: null, uncaught: false, wires: [["caught"]] },
      { id: "caught", z: "f1", type: "helper" },
      ...Object.keys(outputs).map((id) => ({ id: `out-${id}`, z: "f1", type: "helper" })),
    ];
    await helper.load(TYPES, flow, { [acc]: { email: DEMO_USER.email, password: DEMO_USER.password } });
    for (const id of Object.keys(outputs)) helper.getNode(`out-${id}`).on("input", (m) => outputs[id].push({ msg: m, at: Date.now() }));
    helper.getNode("caught").on("input", (m) => errors.push(m));
  });
  after(async () => {
    helper.settings({});
    await helper.unload();
    await helper.stopServer();
    await sim.close();
  });
  afterEach(() => {
    device.processingMs = 0;
  });

  /** Sends msg to node id and resolves with {payload, at} of its output (rejects on its error). */
  async function run(id, msg, ms = 12_000) {
    const n = outputs[id].length;
    const e = errors.length;
    helper.getNode(id).receive(structuredClone(msg)); // the node reuses the message
    await until(() => outputs[id].length > n || errors.slice(e).some((x) => x.error.source.id === id), ms, `${id} ${JSON.stringify(msg)}`);
    const err = errors.slice(e).find((x) => x.error.source.id === id);
    if (err) throw new Error(`${id}: ${err.error.code} ${err.error.message}`);
    return { payload: outputs[id][n].msg.payload, at: outputs[id][n].at };
  }

  const ctrl = (mode) => (r) => r.topic.endsWith("/ctrl") && r.request.mode === mode;
  const suffix = (s) => (r) => r.topic.endsWith(s);
  const POLL = [["st", {}], ["other", { command: "status" }]];

  // [node, message, which device request is the command's own, rivals published just before it]
  const CASES = [
    ["dev", { command: "status" }, suffix("/st"), POLL],
    ["dev", { command: "features" }, suffix("/st/did"), [["other", { command: "features" }]]],
    ["dev", { command: "power", payload: true }, ctrl("power-on"), POLL],
    ["dev", { command: "temperature", payload: 130 }, ctrl("dhw-temperature"), POLL],
    ["dev", { command: "mode", payload: "heat-pump" }, ctrl("dhw-mode"), POLL],
    ["dev", { command: "vacation", payload: 7 }, ctrl("dhw-mode"), POLL],
    ["dev", { command: "mode", payload: "energy-saver" }, ctrl("dhw-mode"), POLL],
    ["dev", { command: "reservations" }, suffix("/st/rsv/rd"), [["other", { command: "reservations" }]]],
    ["dev", { command: "reservations", payload: { enabled: true } }, suffix("/ctrl/rsv/rd"), [["other", { command: "reservations" }]]],
    ["dev", { command: "energy-usage", payload: { year: 2025, months: [9] } }, suffix("/st/energy-usage-daily-query/rd"), [["other", { command: "energy-usage", payload: { year: 2025, months: [9] } }]]],
    ["dev", { command: "anti-legionella", payload: { enabled: true, periodDays: 7 } }, ctrl("anti-leg-on"), POLL],
    ["dev", { command: "demand-response", payload: true }, ctrl("dr-on"), POLL],
    ["dev", { command: "intelligent", payload: true }, ctrl("intelligent-on"), POLL],
    ["dev", { command: "freeze-protection", payload: 43 }, ctrl("frez-temp"), POLL],
    ["dev", { command: "air-filter-reset" }, ctrl("air-filter-reset"), POLL],
    ["dev", { command: "recirculation", payload: "always" }, ctrl("recirc-mode"), POLL],
    ["dev", { command: "hot-button" }, ctrl("recirc-hotbtn"), POLL],
    ["dev", { command: "smart-diagnostic" }, ctrl("smart-diagnostic"), POLL],
    ["dev", { command: "wifi-reconnect" }, ctrl("wifi-reconnect"), POLL],
    ["dev", { command: "wifi-reset", payload: { confirm: "wifi-reset" } }, ctrl("wifi-reset"), POLL],
    ["dev", { command: "firmware-update", payload: { swCode: 1, swVersion: OFFERED, confirm: "firmware-update" } }, (r) => r.topic.endsWith("/ctrl") && r.request.command === 33554442, POLL],
    ["tou", { action: "enable" }, ctrl("tou-on"), POLL],
    ["tou", { action: "disable" }, ctrl("tou-off"), POLL],
  ];

  /**
   * Runs the command once (device now in the wanted state), then again right behind the rivals:
   * resolves only once the device has answered the command's own request.
   */
  async function race(id, msg, own, rivals) {
    await run(id, msg);
    device.processingMs = PROCESSING_MS;
    const n0 = device.requests.length;
    for (const [rid, rmsg] of rivals) helper.getNode(rid).receive(structuredClone(rmsg));
    // The rivals' requests have reached the device; their answers (the wanted state) are on their way.
    await until(() => device.requests.length >= n0 + rivals.length, 5_000, "the rivals' requests at the device");
    const rivalAnswersDue = Math.max(...device.requests.slice(n0).map((r) => r.answerAt));
    const result = await run(id, msg);
    const mine = device.requests.slice(n0).filter(own).at(-1);
    assert.ok(mine, "the command was published, although the device was already in the wanted state");
    assert.ok(mine.answerAt > rivalAnswersDue, "the rivals were answered first");
    assert.ok(result.at >= mine.answerAt, `${JSON.stringify(msg)} resolved ${mine.answerAt - result.at} ms before the device answered it`);
    device.processingMs = 0;
    return result.payload;
  }

  for (const [id, msg, own, rivals] of CASES) {
    it(`${id} ${JSON.stringify(msg)}`, async () => {
      const payload = await race(id, msg, own, rivals);
      assert.equal(typeof payload, "object");
    });
  }

  it("navien-tou set: confirmed by the echo of its own write, not by another node's identical write", async () => {
    const plan = (await run("tou", { action: "get" })).payload;
    delete plan.raw;
    const result = await race("tou", { action: "set", payload: plan }, suffix("/ctrl/tou/rd"), [["tou2", { action: "set", payload: plan }]]);
    assert.ok(result);
  });

  it("a nudge's answer in flight does not confirm the next command", async () => {
    // The other node's control takes longer than the nudge delay (1.5 s), so a nudge goes out for it.
    device.processingMs = 1_700;
    const n0 = device.requests.length;
    helper.getNode("other").receive({ command: "power", payload: true });
    await until(() => device.requests.slice(n0).filter(suffix("/st")).length >= 1, 5_000, "the nudge at the device");
    const rivalAnswersDue = Math.max(...device.requests.slice(n0).map((r) => r.answerAt));
    const result = await run("dev", { command: "power", payload: true }, 15_000);
    const mine = device.requests.slice(n0).filter(ctrl("power-on")).at(-1);
    assert.ok(mine.answerAt > rivalAnswersDue);
    assert.ok(result.at >= mine.answerAt, `resolved ${mine.answerAt - result.at} ms before the device answered it`);
    assert.equal(result.payload.power, true);
  });
});
