"use strict";
/**
 * Benchmark (issue 3): decoded status messages per second through `navien-status-in` versus the
 * baseline of Node-RED's core `mqtt in` node (parsed JSON) subscribed to the same topic on the
 * same broker over the same transport (WebSocket), in the same runtime; plus the heap growth
 * after 100,000 messages through navien-status-in.
 *
 * The simulator's aedes broker gets a second, unsigned WebSocket listener for the core node (it
 * cannot presign); our node goes through the SigV4-checked one. Statuses are the full 102-field
 * vector, injected into the broker as the device would publish them.
 *
 * The runtime is the real embedded Node-RED (bench/support/embedded-red.js), not the test helper.
 * Run with `npm run bench` (node --expose-gc). Prints figures and the ratio; exits 0.
 */
const http = require("node:http");
const { WebSocketServer, createWebSocketStream } = require("ws");
const { until } = require("../test/support/runtime");
const { startRed } = require("./support/embedded-red");
const { startSimulator } = require("../test/simulator");
const { DEMO_USER } = require("../test/simulator/navien");
const { vector } = require("../test/simulator/vectors");

const MAC = "a1b2c3d4e5f6";
const TOPIC = `cmd/52/navilink-${MAC}/res/st`;
const N = Number(process.env.BENCH_MESSAGES || 20_000);
const HEAP_N = Number(process.env.BENCH_HEAP_MESSAGES || 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);


function statusPayload(i) {
  const msg = vector("navien", "mqtt-status-response.json").payload;
  msg.response.status.dhwTemperature = 100 + (i % 20); // vary, so nothing can be cached away
  return Buffer.from(JSON.stringify(msg));
}

/** Publishes n statuses into the broker in chunks (so the broker's queues stay bounded). */
async function pump(aedes, n, sink) {
  const payloads = Array.from({ length: 20 }, (_, i) => statusPayload(i));
  const t0 = process.hrtime.bigint();
  let sent = 0;
  while (sent < n) {
    const chunk = Math.min(500, n - sent);
    await Promise.all(
      Array.from({ length: chunk }, (_, k) =>
        new Promise((r) => aedes.publish({ cmd: "publish", topic: TOPIC, payload: payloads[(sent + k) % 20], qos: 1, retain: false, dup: false }, r)),
      ),
    );
    sent += chunk;
    await until(() => sink.count >= sent - 2000, 60_000, "the flow to keep up");
  }
  await until(() => sink.count >= n, 60_000, "all messages");
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  return n / secs;
}

async function main() {
  const sim = await startSimulator();
  const aedes = sim.navien.broker.aedes;
  // Unsigned WebSocket listener on the same aedes instance, for the core mqtt node.
  const open = http.createServer();
  const wss = new WebSocketServer({ server: open, handleProtocols: (p) => (p.has("mqtt") ? "mqtt" : false) });
  wss.on("connection", (ws, req) => aedes.handle(createWebSocketStream(ws), req));
  await new Promise((r) => open.listen(0, "127.0.0.1", r));
  const openUrl = `ws://127.0.0.1:${open.address().port}/mqtt`;

  // Credentials through the documented environment fallback: nothing secret in the flow.
  process.env.NAVIEN_EMAIL = DEMO_USER.email;
  process.env.NAVIEN_PASSWORD = DEMO_USER.password;
  const red = await startRed();
  const sink = red.sink;

  const ours = [
    { id: "f1", type: "tab", label: "bench" },
    { id: "acc", type: "navien-account", apiUrl: sim.navien.apiUrl, mqttUrl: sim.url.replace(/^http/, "ws") + "/navien/mqtt", region: "us-east-1", unit: "F" },
    { id: "src", z: "f1", type: "navien-status-in", account: "acc", device: MAC, interval: 0, onlyChanges: false, includeRaw: false, wires: [["sink"]] },
    { id: "sink", z: "f1", type: "bench-sink", wires: [] },
  ];
  const baseline = [
    { id: "f1", type: "tab", label: "bench" },
    { id: "brk", type: "mqtt-broker", broker: openUrl, port: "", clientid: "", autoConnect: true, usetls: false, protocolVersion: "4", keepalive: "60", cleansession: true },
    { id: "src", z: "f1", type: "mqtt in", topic: `cmd/52/navilink-${MAC}/#`, qos: "1", datatype: "json", broker: "brk", nl: false, rap: true, rh: 0, inputs: 0, wires: [["sink"]] },
    { id: "sink", z: "f1", type: "bench-sink", wires: [] },
  ];

  /** Deploys one flow, waits until it is connected and subscribed, and measures n messages. */
  async function deploy(flow) {
    await red.deploy(flow);
    sink.count = 0;
    // A probe message proves the subscription is live before timing starts.
    await until(async () => {
      await new Promise((r) => aedes.publish({ cmd: "publish", topic: TOPIC, payload: statusPayload(0), qos: 1, retain: false, dup: false }, r));
      await new Promise((r) => setTimeout(r, 100));
      return sink.count > 0;
    }, 15_000, "the flow to receive");
    await new Promise((r) => setTimeout(r, 200));
    sink.count = 0;
  }
  async function measure(flow, n) {
    await deploy(flow);
    const rate = await pump(aedes, n, sink);
    await red.deploy([]);
    return rate;
  }

  const results = { ours: [], core: [] };
  for (let i = 0; i < ROUNDS; i++) {
    results.core.push(await measure(baseline, N));
    results.ours.push(await measure(ours, N));
  }
  const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const oursRate = median(results.ours);
  const coreRate = median(results.core);

  /** Heap growth after `count` messages (after GC, warm-up excluded). */
  async function heapGrowth(flow, count) {
    await deploy(flow);
    await pump(aedes, 5_000, sink);
    global.gc?.();
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    sink.count = 0;
    await pump(aedes, count, sink);
    await new Promise((r) => setTimeout(r, 300));
    global.gc?.();
    global.gc?.();
    const after = process.memoryUsage().heapUsed;
    await red.deploy([]);
    return (after - before) / 1024 / 1024;
  }
  const heapOurs = await heapGrowth(ours, HEAP_N);
  const heapCore = await heapGrowth(baseline, HEAP_N);

  await red.stop();
  wss.close();
  open.close();
  await sim.close();

  const fmt = (x) => Math.round(x).toLocaleString("en-US");
  console.log(`navien-status-in: ${fmt(oursRate)} decoded statuses/s (median of ${ROUNDS} × ${N}; runs ${results.ours.map(fmt).join(", ")})`);
  console.log(`baseline core mqtt in (JSON): ${fmt(coreRate)} msgs/s (runs ${results.core.map(fmt).join(", ")})`);
  console.log(`ratio navien-status-in / core mqtt in: ${(oursRate / coreRate).toFixed(2)} (goal ≥ 0.90)`);
  const gcNote = global.gc ? "" : " (run with --expose-gc for reliable figures)";
  console.log(`heap growth after ${HEAP_N.toLocaleString("en-US")} messages: navien-status-in ${heapOurs.toFixed(2)} MiB, core mqtt in ${heapCore.toFixed(2)} MiB${gcNote}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error("bench failed:", err);
    process.exit(1);
  },
);
