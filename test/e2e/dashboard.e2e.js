"use strict";
/* global RED, window */
/**
 * Dashboard end-to-end test in a real browser: the simulator (heaters publishing a status every
 * second), Node-RED 4 — the runtime `npm start` runs, from the root devDependencies next to
 * @flowfuse/node-red-dashboard, which it loads from there — with this package linked into a fresh
 * user dir (.e2e/dash-<pid>/userdir, removed after a green run) running the shipped example
 * "Navien - dashboard for a water heater" with its accounts pointed at the simulator, and headless
 * Debian Chromium driven by playwright-core at /dashboard.
 *
 * Checks
 *   1. every widget of the example (every node placed in a ui-group) renders, with content, on its page;
 *   2. the temperature chart gets points from the live status: a tank temperature changed in the
 *      simulated heater reaches the chart (socket.io frames to the widget) and its picture changes;
 *   3. dragging the set-point slider changes the simulated heater's set-point (device state), and
 *      the heater's confirmation is shown as a notification;
 *   4. Node-RED 4's module hint: in a Node-RED without the dashboard, importing the example in the
 *      editor names @flowfuse/node-red-dashboard with an "Install all" button, while a plain
 *      example imports with no unknown node;
 *   5. no console error / page error / failed request of the dashboard, no error in the Node-RED log.
 * Screenshot dashboard.png (docs/images/ with UPDATE_SCREENSHOTS=1, else .e2e/shots/). Ends with
 * "N passed, N failed"; exits 1 on any failure. Bounded: a watchdog aborts after E2E_TIMEOUT_MS
 * (default 120 s).
 */
const fs = require("node:fs");
const path = require("node:path");
const { root, chromiumPath, shotsDir, freePort, until, requireFiles, prepareUserDir, demoEnv, stopNodeRed, createHarness } = require("./harness");

const EXAMPLE = "Navien - dashboard for a water heater.json";
const MAC = "a1b2c3d4e5f6";
const runDir = path.join(root, ".e2e", `dash-${process.pid}`);
const userDir = path.join(runDir, "userdir");
const logFile = path.join(runDir, "node-red.log");
const TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_MS || 120000);

const h = createHarness({ label: "dashboard", runName: "dashboard e2e run", runDir, timeoutMs: TIMEOUT_MS });
const { record, step } = h;

/** Node-RED 4 of the root devDependencies (next to the dashboard) on this Node. */
const NR4 = { node: process.execPath, red: require.resolve("node-red/red.js", { paths: [root] }) };

/**
 * A fresh user dir with this package and `flow` deployed. Node-RED loads the dashboard from this
 * repository's node_modules (it scans those above its own install); with `dashboard` false it is
 * on the palette's deny list instead, so it is not loaded, as if not installed. The flow is
 * the example as `npm start` deploys it: accounts on the simulator, credentials from the environment.
 */
function prepareDashboardUserDir(dir, port, flow, { dashboard }) {
  prepareUserDir(dir, {
    port,
    flows: flow,
    name: "home-energy-dashboard-e2e",
    generatedBy: "test/e2e/dashboard.e2e.js",
    denyList: dashboard ? [] : ["@flowfuse/node-red-dashboard"],
  });
}

async function main() {
  const started = Date.now();
  fs.mkdirSync(runDir, { recursive: true });
  fs.mkdirSync(shotsDir, { recursive: true });
  requireFiles([
    ["Chromium (apt-get install chromium)", chromiumPath],
    ["compiled nodes (nodes/lib — run the build)", path.join(root, "nodes", "lib")],
    ["@flowfuse/node-red-dashboard (npm install)", path.join(root, "node_modules", "@flowfuse", "node-red-dashboard", "package.json")],
  ]);

  const { startSimulator, pointAccountsAt } = require("../simulator");
  const { toRawHalfC } = require("../../nodes/lib/navien/codec/units.js");
  const sim = (h.sim = await startSimulator());
  sim.navien.broker.autoStatusMs = 1000; // the heater publishes a (drifting) status every second
  const heater = sim.navien.broker.device(MAC);
  const flow = JSON.parse(fs.readFileSync(path.join(root, "examples", EXAMPLE), "utf8"));
  pointAccountsAt(flow, sim);
  const port = await freePort();
  prepareDashboardUserDir(userDir, port, flow, { dashboard: true });
  const env = demoEnv(sim);
  const { base } = await h.startNodeRed(NR4, userDir, port, env, logFile, "/dashboard");
  console.log(`     simulator ${sim.url}, Node-RED ${require("node-red/package.json").version} ${base} (log ${path.relative(root, logFile)})`);

  const browser = await h.launchBrowser();
  // The dashboard's socket.io long-poll may be cut when it upgrades to WebSocket.
  const page = await h.newPage({ width: 1400, height: 1000 }, base, { ignoreFailed: (url) => /socket\.io/.test(url) });
  // Messages the runtime sends to each widget over socket.io: 42["msg-input:<id>", msg].
  const frames = [];
  page.on("websocket", (ws) =>
    ws.on("framereceived", ({ payload }) => {
      const m = /^42(\[.*\])$/s.exec(typeof payload === "string" ? payload : "");
      if (!m) return;
      try {
        const [event, msg] = JSON.parse(m[1]);
        if (typeof event === "string" && event.startsWith("msg-input:")) frames.push({ id: event.slice(10), msg, at: Date.now() });
      } catch {
        /* not a JSON event */
      }
    }),
  );

  await page.goto(`${base}/dashboard`);
  // Each widget with the path of its page (the example has more than one page: Water heater, Meters).
  const pathOf = (groupId) => {
    const g = flow.find((x) => x.id === groupId && x.type === "ui-group");
    const p = g && flow.find((x) => x.id === g.page && x.type === "ui-page");
    return p ? p.path : "";
  };
  const widgetIds = flow.filter((n) => n.group && flow.some((g) => g.id === n.group && g.type === "ui-group")).map((n) => ({ id: n.id, type: n.type, path: pathOf(n.group) }));
  const firstPath = widgetIds.length ? widgetIds[0].path : "";
  let shownPath = firstPath;

  // 1. every widget renders with content
  const CONTENT = {
    "ui-chart": "canvas, svg",
    "ui-gauge": "svg, .nrdb-ui-gauge-value, canvas",
    "ui-text": ".nrdb-ui-text-value",
    "ui-slider": ".v-slider-thumb",
    "ui-button-group": "button",
    "ui-switch": "input[type=checkbox]",
    "ui-table": "tbody tr",
  };
  // The first page's widgets first (shown at /dashboard), then every other page's after navigating to it.
  for (const w of [...widgetIds.filter((x) => x.path === firstPath), ...widgetIds.filter((x) => x.path !== firstPath)]) {
    if (w.path !== shownPath) {
      shownPath = w.path;
      await page.goto(`${base}/dashboard${w.path}`);
    }
    await step(`widget renders: ${w.type} ${w.id}${w.path !== firstPath ? ` (page ${w.path})` : ""}`, async () => {
      const el = page.locator(`#nrdb-ui-widget-${w.id}`);
      await el.waitFor({ state: "visible", timeout: 20000 });
      const sel = CONTENT[w.type];
      if (!sel) return "visible";
      await el.locator(sel).first().waitFor({ state: "attached", timeout: 20000 });
      if (w.type === "ui-text") await until(async () => (await el.locator(sel).first().innerText()).trim(), 20000, "a value");
      if (w.type === "ui-table") await until(async () => (await el.locator("tbody tr td").count()) > 1, 20000, "rows with data");
      const text = (await el.innerText()).replace(/\s+/g, " ").trim();
      return `${sel.split(",")[0]} present${text ? `: "${text.slice(0, 60)}"` : ""}`;
    });
  }

  if (shownPath !== firstPath) await page.goto(`${base}/dashboard${firstPath}`); // back to the heater's page

  // 2. the chart follows the simulated heater
  await step("temperature chart gets points as the simulated heater changes", async () => {
    const chartId = flow.find((n) => n.type === "ui-chart" && n.chartType === "line").id;
    const chart = page.locator(`#nrdb-ui-widget-${chartId}`);
    await until(() => frames.some((f) => f.id === chartId), 20000, "a first point");
    const before = await chart.screenshot();
    const n = frames.length;
    // The heater's tank drops to about 50 °C (122 °F; it heats up again from there): the next
    // statuses must carry that to the chart, where it was near 140 °F before.
    heater.status.dhwTemperature = 100;
    const low = (f) => f.id === chartId && f.msg && /^Tank/.test(f.msg.topic) && f.msg.payload < 125;
    const point = await until(() => frames.slice(n).find(low), 20000, "a tank point below 125 °F");
    await until(() => frames.slice(n).filter((f) => f.id === chartId).length >= 4, 20000, "more points");
    await page.waitForTimeout(1200); // the chart's redraw animation
    const after = await chart.screenshot();
    if (before.equals(after)) throw new Error("the chart's picture did not change");
    return `${frames.filter((f) => f.id === chartId).length} points received, one "${point.msg.topic}" = ${point.msg.payload}; picture changed`;
  });

  // 3. the slider changes the simulated set-point through navien-device
  await step("moving the set-point slider changes the simulated heater's set-point (confirmed)", async () => {
    const slider = flow.find((n) => n.type === "ui-slider");
    const el = page.locator(`#nrdb-ui-widget-${slider.id}`);
    const rawBefore = heater.status.dhwTemperatureSetting;
    const target = 120; // °F
    const track = await el.locator(".v-slider-track").boundingBox();
    const thumb = await el.locator(".v-slider-thumb").boundingBox();
    const x = track.x + ((target - slider.min) / (slider.max - slider.min)) * track.width;
    const y = thumb.y + thumb.height / 2;
    await page.mouse.move(thumb.x + thumb.width / 2, y);
    await page.mouse.down();
    await page.mouse.move(x, y, { steps: 8 });
    await page.mouse.up();
    const want = toRawHalfC(target, "F"); // raw half-°C as the heater stores it (the package's own conversion)
    await until(() => Math.abs(heater.status.dhwTemperatureSetting - want) <= 1, 20000, `the heater's set-point near raw ${want}`);
    const sent = heater.controls.filter((c) => c.mode === "dhw-temperature").map((c) => c.param[0]);
    await page.locator(".v-snackbar, .nrdb-ui-notification").filter({ hasText: /confirmed/ }).first().waitFor({ state: "visible", timeout: 15000 });
    return `heater set-point raw ${rawBefore} → ${heater.status.dhwTemperatureSetting} (sent ${sent.join(", ")}); "confirmed" notification shown`;
  });

  await step(`screenshot ${path.relative(root, path.join(shotsDir, "dashboard.png"))}`, async () => {
    await page.mouse.move(1390, 990); // off the widgets and the navigation drawer
    await page.waitForTimeout(4500); // let the notification fade and the chart gather a few points
    const file = path.join(shotsDir, "dashboard.png");
    await page.screenshot({ path: file, fullPage: true });
    const size = fs.statSync(file).size;
    if (size < 20000) throw new Error(`only ${size} bytes`);
    return `${(size / 1024).toFixed(0)} kB`;
  });

  // 4. the module hint: a Node-RED 4 without the dashboard offers to install it on import
  await step("importing the example without the dashboard offers to install it; a plain example imports cleanly", async () => {
    const plainDir = path.join(runDir, "plain-userdir");
    const plainPort = await freePort();
    prepareDashboardUserDir(plainDir, plainPort, [], { dashboard: false });
    const plain = await h.startNodeRed(NR4, plainDir, plainPort, env, path.join(runDir, "node-red-plain.log"), "/settings");
    const editor = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    editor.on("pageerror", (e) => h.browserErrors.push(`editor pageerror: ${e.message}`));
    try {
      await editor.goto(`${plain.base}/`);
      await editor.waitForFunction(() => window.RED && RED.nodes && RED.nodes.version && RED.nodes.version() && RED.workspaces && RED.workspaces.active(), null, { timeout: 30000 });
      const importFile = (file) =>
        editor.evaluate((nodes) => RED.view.importNodes(nodes, { generateIds: true, addFlow: true, notify: false }), JSON.parse(fs.readFileSync(path.join(root, "examples", file), "utf8")));
      const unknownTypes = () =>
        editor.evaluate(() => {
          const out = new Set();
          // A callback returning false stops eachNode: this one returns nothing.
          const visit = (n) => {
            if (n.type === "unknown") out.add(n.name);
          };
          RED.nodes.eachNode(visit);
          RED.nodes.eachConfig(visit);
          return [...out];
        });
      await importFile("Navien - solar boost from a PV surplus.json");
      const plainUnknown = await unknownTypes();
      if (plainUnknown.length) throw new Error(`the plain example has unknown types: ${plainUnknown.join(", ")}`);
      await importFile(EXAMPLE);
      const note = editor.locator(".red-ui-notification").filter({ hasText: "@flowfuse/node-red-dashboard" });
      await note.waitFor({ state: "visible", timeout: 10000 });
      const buttons = (await note.locator("button").allInnerTexts()).map((t) => t.trim());
      if (!buttons.some((t) => /install all/i.test(t))) throw new Error(`no "Install all" button: ${buttons.join(", ")}`);
      const unknown = await unknownTypes();
      if (!unknown.includes("ui-chart")) throw new Error(`the dashboard's types are not unknown here: ${unknown.join(", ")}`);
      return `unknown: ${unknown.join(", ")}; the notification names @flowfuse/node-red-dashboard with [${buttons.join("] [")}]`;
    } finally {
      await editor.close();
      await stopNodeRed(plain.proc);
    }
  });

  const logLines = fs.readFileSync(logFile, "utf8").split("\n");
  const errors = logLines.filter((l) => /\[(error)\]/.test(l));
  record("Node-RED log: no errors", errors.length === 0, errors.slice(0, 5).join(" | "));
  console.log(`     took ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

h.run(main);
