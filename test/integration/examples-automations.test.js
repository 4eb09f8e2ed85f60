"use strict";
/**
 * The automation example flows, deployed as shipped against the simulator (accounts pointed at
 * it like `npm start` does), each checked by its outcome on the simulated heater. Waits that are
 * days or minutes in a real home are shortened through the example's own settings nodes.
 */
const assert = require("node:assert/strict");
const { helper, until, runtimeVersion, useSimulator, unloadAfterEach } = require("../support/runtime");
const { deployExample, fire, useDemoCredentials } = require("../support/examples");

const MAC = "a1b2c3d4e5f6";
const HALF_C_140F = 120; // 140 °F as the heater stores it (half-degrees Celsius)

describe(`automation examples (Node-RED ${runtimeVersion()})`, function () {
  this.timeout(60_000);
  let sim;
  let heater;
  let restoreCredentials;

  before(() => {
    restoreCredentials = useDemoCredentials();
  });
  after(() => restoreCredentials());
  // One heater; statuses only when asked (also under `npm start`'s environment).
  useSimulator((s) => (sim = s), { navien: { deviceCount: 1, mqtt: { autoStatusMs: 0 } } });
  beforeEach(() => {
    heater = sim.navien.broker.device(MAC);
    heater.silent = false;
    Object.assign(heater.status, { dhwOperationSetting: 4, dhwTemperatureSetting: HALF_C_140F, dhwTargetTemperatureSetting: HALF_C_140F, errorCode: 0, vacationDaySetting: 0 });
    heater.drEnabled = false;
  });
  unloadAfterEach(() => sim);

  /** Resolves with the errors the example's catch → debug node received so far. */
  function errorsOf(prefix) {
    const seen = [];
    helper.getNode(`${prefix}-err`).on("input", (m) => seen.push(m.error));
    return seen;
  }
  const controlsSince = (n) => heater.controls.slice(n).map((c) => c.mode);

  it("away mode: vacation for the days given, the previous mode restored once they are over or on return", async () => {
    // A "day" of 1.5 s: the hourly check runs by hand below.
    await deployExample("Navien - away mode with vacation and return.json", sim, {
      "nv-away-days": (n) => ({ rules: n.rules.map((r) => (r.p === "dayMs" ? { ...r, to: "1500" } : r)) }),
    });
    const errors = errorsOf("nv-away");
    fire("nv-away-leave");
    await until(() => heater.status.dhwOperationSetting === 5, 15_000, "vacation");
    assert.equal(heater.status.vacationDaySetting, 3);

    // Days not over yet: the check restores nothing.
    const n = heater.controls.length;
    fire("nv-away-check");
    await new Promise((r) => setTimeout(r, 300));
    const awayUntil = helper.getNode("nv-away-restore").context().flow.get("awayUntil");
    assert.ok(Date.now() < awayUntil, "the check ran inside the (shortened) away time");
    assert.deepEqual(controlsSince(n), []);

    await until(() => Date.now() > awayUntil + 50, 10_000, "3 shortened days");
    fire("nv-away-check");
    await until(() => heater.status.dhwOperationSetting === 4, 15_000, "high-demand restored by the check");

    // Leaving again, then "Back home" early: restored at once.
    fire("nv-away-leave");
    await until(() => heater.status.dhwOperationSetting === 5, 15_000, "vacation again");
    fire("nv-away-back");
    await until(() => heater.status.dhwOperationSetting === 4, 15_000, "high-demand restored on return");
    assert.deepEqual(errors, []);
  });

  it("solar boost: set-point raised while the surplus is above the threshold, back after", async () => {
    await deployExample("Navien - solar boost from a PV surplus.json", sim);
    const errors = errorsOf("nv-solar");
    fire("nv-solar-high"); // 2500 W > 1500 W
    await until(() => heater.status.dhwTemperatureSetting !== HALF_C_140F, 15_000, "boosted set-point");
    assert.equal(heater.status.dhwTemperatureSetting, 130, "149 °F = 65 °C = raw 130");
    const n = heater.controls.length;
    fire("nv-solar-high"); // still above: nothing new
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(controlsSince(n), []);
    fire("nv-solar-low"); // 200 W < 1500 − 300 W
    await until(() => heater.status.dhwTemperatureSetting === HALF_C_140F, 15_000, "set-point back to 140 °F");
    assert.deepEqual(errors, []);
  });

  it("demand response: the utility signal turns demand-response on with a lower set-point, and both back", async () => {
    await deployExample("Navien - demand response from a utility signal.json", sim);
    const errors = errorsOf("nv-dr");
    fire("nv-dr-start");
    await until(() => heater.drEnabled === true && heater.status.dhwTemperatureSetting !== HALF_C_140F, 15_000, "DR on, set-point lowered");
    assert.ok(heater.status.dhwTemperatureSetting < HALF_C_140F, `lowered: raw ${heater.status.dhwTemperatureSetting}`);
    fire("nv-dr-end");
    await until(() => heater.drEnabled === false && heater.status.dhwTemperatureSetting === HALF_C_140F, 15_000, "DR off, set-point back");
    assert.deepEqual(errors, []);
  });

  it("cheapest hours: high-demand in today's cheapest period, energy-saver otherwise", async () => {
    const start = heater.controls.length;
    await deployExample("Navien - cheapest hours from the time-of-use plan.json", sim, { "nv-tou-auto-plan-i": { onceDelay: 0.1 } });
    const decide = helper.getNode("nv-tou-auto-decide");
    await until(() => decide.context().flow.get("touPlan"), 15_000, "the plan read at start");
    // The flow decides once right after reading the plan, by the real clock: let that command land
    // first, so that it cannot overtake the decisions below (which give their own time in msg.now).
    // The heater may already be in that mode: the command itself is what shows it landed.
    const first = await until(() => decide.context().get("mode"), 15_000, "the decision at start");
    await until(() => controlsSince(start).includes("dhw-mode"), 15_000, "the mode command of the decision at start");
    await until(() => heater.status.dhwOperationSetting === (first === "high-demand" ? 4 : 3), 15_000, `${first} at start`);
    // The simulator's plan (PG&E EV-A): winter weekdays 00:00–06:59 cheapest, 14:00–20:59 dearest.
    const at = (h) => ({ now: new Date(2026, 11, 1, h, 30).getTime() }); // a Tuesday in December
    /** Decides at hh:30 and waits for the raw mode; exactly one mode command must have reached the heater. */
    const decideAt = async (h, raw, what) => {
      const n = heater.controls.length;
      decide.receive(at(h));
      await until(() => heater.status.dhwOperationSetting === raw, 15_000, what);
      assert.deepEqual(controlsSince(n), ["dhw-mode"], `one mode command for ${what}`);
    };
    // The flow sends only changes, and a heater already in the wanted mode passes a check by itself:
    // every decision below must change the mode, so after an energy-saver start go to high-demand first.
    if (first === "energy-saver") await decideAt(3, 4, "high-demand at 03:30 (after an energy-saver start)");
    await decideAt(15, 3, "energy-saver at 15:30");
    await decideAt(3, 4, "high-demand at 03:30");
    await decideAt(16, 3, "energy-saver again at 16:30");
  });

  it("cheapest hours from an applied plan: Find plans lists OpenEI's plans, Apply a plan feeds the automatic mode", async () => {
    const { PLANS } = require("../simulator/openei");
    const chosen = PLANS["94102"][1];
    try {
      await deployExample("Navien - cheapest hours from the time-of-use plan.json", sim, {
        "nv-tou-auto-plan-i": { once: false }, // only the applied plan this time
        "nv-tou-apply-i": { payload: JSON.stringify({ label: chosen.label, zip: "94102" }) },
      });
      const plans = [];
      helper.getNode("nv-tou-plans-debug").on("input", (m) => plans.push(m.payload));
      fire("nv-tou-plans-i");
      await until(() => plans.length, 15_000, "the plans at 94102");
      assert.deepEqual(plans[0].map((p) => p.label), [...PLANS["94102"]].sort((a, b) => b.startdate - a.startdate).map((p) => p.label));
      const decide = helper.getNode("nv-tou-auto-decide");
      const start = heater.controls.length;
      fire("nv-tou-apply-i");
      await until(() => decide.context().flow.get("touPlan")?.name === chosen.name, 15_000, "the applied plan remembered");
      assert.equal(sim.navien.touPuts.at(-1).sourceData.label, chosen.label);
      // The automatic mode decides right away from the applied plan.
      await until(() => decide.context().get("mode"), 15_000, "a decision from the applied plan");
      assert.ok(heater.controls.length >= start);
    } finally {
      sim.navien.touPlans.clear();
    }
  });

  it("alerts: error detected / cleared and 'offline' after the (shortened) silence, then back online", async () => {
    await deployExample("Navien - alerts on errors and when offline.json", sim, { "nv-alert-offline": { duration: "1", units: "s" } });
    const notes = [];
    helper.getNode("nv-alert-notify").on("input", (m) => notes.push(m.payload));
    const poll = () => helper.getNode("nv-alert-status").receive({});
    await until(() => helper.getNode("nv-alert-online") && notes.length === 0 && sim.navien.broker.counters.devicePublishes > 0, 10_000, "first status");

    // Statuses keep coming faster than the offline time: no alert.
    for (let i = 0; i < 6; i++) {
      poll();
      await new Promise((r) => setTimeout(r, 250));
    }
    heater.status.errorCode = 407;
    poll();
    await until(() => notes.some((t) => /error 407/.test(t)), 10_000, "error notification");
    heater.status.errorCode = 0;
    poll();
    await until(() => notes.some((t) => /error is cleared/.test(t)), 10_000, "cleared notification");
    assert.ok(!notes.some((t) => /offline/.test(t)), `no offline alert while statuses come: ${JSON.stringify(notes)}`);

    heater.silent = true;
    await until(() => notes.some((t) => /is offline/.test(t)), 10_000, "offline notification");
    heater.silent = false;
    poll();
    await until(() => notes.some((t) => /back online/.test(t)), 10_000, "back online notification");
    assert.equal(notes.filter((t) => /is offline/.test(t)).length, 1, JSON.stringify(notes));
  });
});
