"use strict";
/**
 * Issue 10 §4, broker faults during a status stream, at the Node-RED node level with the
 * connection's default settings (what a user deploys): the broker restarted 10 times a couple of
 * seconds apart, and the broker cutting every connection every few seconds (AWS IoT's 24-hour
 * cut-off, compressed). The simulated device publishes a status every 200 ms by itself, so the
 * stream does not depend on polling.
 *
 * Timing (spec §12.1 back-off: 1 s × 2^(n−1), jitter ±50 %): when the back-off restarts at
 * attempt 1 after every successful reconnect, a drop is followed by a first attempt within 1.5 s
 * and, if the broker is still down, a second within 3 s more; the bounds below add headroom for
 * a loaded CI machine.
 */
const assert = require("node:assert/strict");
const { helper, loadNode, until, runtimeVersion, useSimulator } = require("../support/runtime");
const { DEMO_USER } = require("../simulator/navien");
const { statusAndDeviceFlow } = require("../support/navien");

const MAC = "a1b2c3d4e5f6";
const TYPES = ["navien-account", "navien-device", "navien-status-in"].map(loadNode);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Longest time from a broker coming back to the next status reaching the flow. */
const RESUME_MS = 8_000;

describe(`Navien faults: broker restarts and cut-offs (Node-RED ${runtimeVersion()})`, function () {
  this.timeout(150_000);
  let sim;
  let broker;
  useSimulator((s) => {
    sim = s;
    broker = s.navien.broker;
  });
  beforeEach(() => {
    sim.navien.setDeviceCount(1);
    broker.start();
    broker.resetCounters();
  });
  afterEach(async () => {
    broker.autoStatusMs = 0;
    broker.cutEveryMs = 0;
    broker.start();
    await helper.unload();
    await until(() => broker.liveConnections === 0, 5_000, "connections closed after unload");
  });

  /** status-in and navien-device on one account; every output and error collected with its time. */
  async function deploy() {
    const flow = statusAndDeviceFlow(sim, MAC, { timeout: 15, catchScope: ["dev"] });
    await helper.load(TYPES, flow, { acc: { email: DEMO_USER.email, password: DEMO_USER.password } });
    const got = { statusAt: [], answers: [], errors: [] };
    helper.getNode("out").on("input", () => got.statusAt.push(Date.now()));
    helper.getNode("devOut").on("input", (m) => got.answers.push(m));
    helper.getNode("caught").on("input", (m) => got.errors.push(m));
    broker.autoStatusMs = 200;
    await until(() => got.statusAt.length >= 2, 15_000, "the status stream");
    return got;
  }

  /** Sends a command to navien-device and returns its answer (throws with the contract error). */
  async function command(got, command, payload) {
    const answers = got.answers.length;
    const errors = got.errors.length;
    helper.getNode("dev").receive({ command, payload });
    await until(() => got.answers.length > answers || got.errors.length > errors, 20_000, `the answer to ${command}`);
    if (got.errors.length > errors) throw new Error(`${command} failed: ${got.errors.at(-1).error.code} ${got.errors.at(-1).error.message}`);
    return got.answers.at(-1).payload;
  }

  /**
   * Every accepted upgrade carries a date taken at that connect (a reused URL would be a cut-off
   * period old), and no signature or X-Amz-Date is ever used twice.
   */
  function assertFreshlyPresigned() {
    const presigns = broker.presigns;
    assert.equal(presigns.length, broker.counters.accepted);
    for (const p of presigns) {
      const signedAt = Date.parse(p.amzDate.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, "$1-$2-$3T$4:$5:$6Z"));
      assert.ok(Math.abs(p.at - signedAt) <= 2_000, `presign dated ${p.amzDate} used at ${new Date(p.at).toISOString()}`);
    }
    assert.equal(new Set(presigns.map((p) => p.signature)).size, presigns.length, "a signature was reused");
    assert.equal(new Set(presigns.map((p) => p.amzDate)).size, presigns.length, "two connects shared one X-Amz-Date");
  }

  it("one cut-off (after 2 s up): status resumes by itself, the reconnect is freshly presigned, a command succeeds", async () => {
    const got = await deploy();
    await sleep(2_000); // a URL reused from the first connect would now be 2 s old
    const cutAt = Date.now();
    broker.dropAll();
    await until(() => got.statusAt.some((t) => t > cutAt) && broker.liveConnections === 1, RESUME_MS, "status after the cut");
    assert.equal(broker.counters.accepted, 2, "one reconnect");
    assertFreshlyPresigned();
    assert.equal(typeof (await command(got, "status")).dhwChargePer, "number");
    assert.ok(broker.maxLiveConnections <= 1, `max live ${broker.maxLiveConnections}`);
  });

  // Needs the back-off to restart at attempt 1 after every successful reconnect (issue 10 §4).
  it("broker restarted 10 times a couple of seconds apart: status resumes within seconds each time, commands after recovery succeed, 1 live connection at the end", async () => {
    const got = await deploy();
    const resumed = [];
    for (let i = 0; i < 10; i++) {
      await broker.restart(300 + (i % 3) * 300); // down 0.3–0.9 s
      const upAt = Date.now();
      await until(() => got.statusAt.some((t) => t > upAt), RESUME_MS + 5_000, `status after restart ${i + 1}`);
      resumed.push(got.statusAt.find((t) => t > upAt) - upAt);
      // A command sent after recovery is published and confirmed by the device.
      const setting = 120 + 2 * i;
      const answer = i % 2 ? await command(got, "status") : await command(got, "temperature", setting);
      if (i % 2 === 0) assert.equal(Math.round(answer.dhwTemperatureSetting), setting, `temperature after restart ${i + 1}`);
      else assert.equal(typeof answer.dhwChargePer, "number");
      assert.ok(broker.liveConnections <= 1, `live connections ${broker.liveConnections}`);
      await sleep(1_000); // with the recovery above: restarts ~3 s apart
    }
    assert.ok(Math.max(...resumed) <= RESUME_MS, `status resumed after ${resumed.join(", ")} ms (bound ${RESUME_MS})`);
    assert.deepEqual(got.errors.map((e) => e.error.code), []);
    await sleep(300);
    assert.equal(broker.liveConnections, 1, "one live connection at the end");
    assert.ok(broker.maxLiveConnections <= 1, `at most one live connection at any time (max ${broker.maxLiveConnections})`);
  });

  // Same back-off dependency (every cut is at most 3 s after the last reconnect).
  it("the broker cuts every connection every 3 s: status keeps flowing without redeploy, no gap over a few seconds, each reconnect freshly presigned", async () => {
    const got = await deploy();
    const startAt = Date.now();
    const connectsBefore = broker.counters.accepted;
    broker.cutEveryMs = 3_000;
    await sleep(18_000);
    broker.cutEveryMs = 0;
    const cuts = broker.counters.accepted - connectsBefore;
    assert.ok(cuts >= 5, `the broker cut and we reconnected ${cuts} times`);
    const times = got.statusAt.filter((t) => t >= startAt);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    const worst = Math.max(...gaps, Date.now() - times.at(-1));
    // A cut is followed by the first attempt within 1.5 s; 6 s leaves room for a loaded machine
    // (a cut landing on a reconnect still in progress costs one more back-off step).
    assert.ok(worst <= 6_000, `longest gap between statuses ${worst} ms`);
    assertFreshlyPresigned();
    assert.equal(got.errors.length, 0);
    assert.equal(broker.liveConnections, 1);
    assert.ok(broker.maxLiveConnections <= 1, `max live ${broker.maxLiveConnections}`);
  });
});
