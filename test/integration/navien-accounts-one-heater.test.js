"use strict";
/**
 * Several accounts on one heater, as in `npm start` where every example flow has its own account
 * node: each account holds its own MQTT connection and subscription to the device. Their commands
 * race at the broker and at the device, in bursts with idle gaps between them (an account's
 * device subscription used to be dropped when idle and made again at the next command; the
 * UNSUBSCRIBE and SUBSCRIBE crossed at the broker and left the account deaf to the device until a
 * redeploy). Every command of every account must be confirmed by the device's answer, every round.
 */
const assert = require("node:assert/strict");
const { helper, loadNode, until, runtimeVersion } = require("../support/runtime");
const { useNavienRuntime } = require("../support/navien");
const { DEMO_USER } = require("../simulator/navien");

const MAC = "a1b2c3d4e5f6";
const TYPES = ["navien-account", "navien-device", "navien-status-in"].map(loadNode);
const ACCOUNTS = ["a1", "a2", "a3", "a4"];
/** Accounts with a navien-status-in on the heater (the others only send commands, like most examples). */
const LISTENING = ["a1", "a2"];
const ROUNDS = 6;
const FILTER = `cmd/52/navilink-${MAC}/#`;

describe(`Navien: several accounts on one heater, commands in bursts with idle gaps (Node-RED ${runtimeVersion()})`, function () {
  this.timeout(90_000);
  let sim;
  useNavienRuntime((s) => (sim = s), { connectTimeoutMs: 3000 });

  it(`${ACCOUNTS.length} accounts × ${ROUNDS} rounds: every command answered, one subscription per account, the status-in nodes see the device`, async () => {
    const flow = [{ id: "f1", type: "tab" }];
    const creds = {};
    for (const a of ACCOUNTS) {
      flow.push(
        { id: a, type: "navien-account", apiUrl: sim.navien.apiUrl, mqttUrl: sim.navien.mqttUrl, region: "us-east-1", unit: "F" },
        { id: `${a}-dev`, z: "f1", type: "navien-device", account: a, device: MAC, command: "", timeout: 10, wires: [[`${a}-out`]] },
        { id: `${a}-out`, z: "f1", type: "helper" },
      );
      if (LISTENING.includes(a)) {
        flow.push(
          { id: `${a}-st`, z: "f1", type: "navien-status-in", account: a, device: MAC, interval: 0, onlyChanges: false, includeRaw: false, wires: [[`${a}-stOut`]] },
          { id: `${a}-stOut`, z: "f1", type: "helper" },
        );
      }
      creds[a] = { email: DEMO_USER.email, password: DEMO_USER.password };
    }
    flow.push({ id: "catcher", z: "f1", type: "catch", scope: null, uncaught: false, wires: [["caught"]] }, { id: "caught", z: "f1", type: "helper" });
    await helper.load(TYPES, flow, creds);
    const outs = Object.fromEntries(ACCOUNTS.map((a) => [a, []]));
    const statuses = Object.fromEntries(ACCOUNTS.map((a) => [a, 0]));
    const errors = [];
    for (const a of ACCOUNTS) {
      helper.getNode(`${a}-out`).on("input", (m) => outs[a].push(m));
      helper.getNode(`${a}-stOut`)?.on("input", () => statuses[a]++);
    }
    helper.getNode("caught").on("input", (m) => errors.push(`${m.error.source.id}: ${m.error.code} ${m.error.message}`));

    const device = sim.navien.broker.device(MAC);
    const setpoints = [120, 125, 130];
    const commands = (round, i) => [
      { command: "status" },
      { command: "power", payload: true },
      { command: "temperature", payload: setpoints[(round + i) % setpoints.length] },
      { command: "mode", payload: ["heat-pump", "energy-saver"][(round + i) % 2] },
      { command: "features" },
    ];
    let sent = 0;
    for (let round = 0; round < ROUNDS; round++) {
      // The burst: every account sends all its commands at once.
      const want = Object.fromEntries(ACCOUNTS.map((a) => [a, outs[a].length]));
      ACCOUNTS.forEach((a, i) => {
        for (const msg of commands(round, i)) {
          helper.getNode(`${a}-dev`).receive(msg);
          want[a]++;
          sent++;
        }
      });
      await until(() => errors.length > 0 || ACCOUNTS.every((a) => outs[a].length >= want[a]), 20_000, `round ${round}: all answers`);
      assert.deepEqual(errors, [], `round ${round}`);
      // Idle: no request outstanding anywhere (the old code dropped the device subscription here).
      await new Promise((r) => setTimeout(r, 150 + 100 * (round % 3)));
    }
    assert.equal(ACCOUNTS.reduce((n, a) => n + outs[a].length, 0), sent);
    for (const a of ACCOUNTS) {
      for (const m of outs[a]) assert.ok(m.payload && typeof m.payload === "object", `${a}: ${JSON.stringify(m.payload)}`);
    }
    // One device subscription per account for the whole test, never dropped and made again.
    assert.equal(sim.navien.broker.counters.subscribes[FILTER], ACCOUNTS.length);
    assert.equal(sim.navien.broker.counters.unsubscribes[FILTER] ?? 0, 0);
    // The status-in nodes heard the device: answers to every account's status requests reach every subscriber.
    assert.ok(device.requests.length >= sent, `${device.requests.length} requests at the device for ${sent} commands`);
    for (const a of LISTENING) assert.ok(statuses[a] >= ROUNDS, `${a}: ${statuses[a]} statuses`);
  });
});
