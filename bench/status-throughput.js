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
 * Run with `npm run bench` (node --expose-gc). Prints figures and the ratio; exits 0.
 */
const http = require("node:http");
const path = require("node:path");
const { WebSocketServer, createWebSocketStream } = require("ws");
const { helper, loadNode, until } = require("../test/support/runtime");
const { startSimulator } = require("../test/simulator");
const { DEMO_USER } = require("../test/simulator/navien");
const { vector } = require("../test/simulator/vectors");

const MAC = "a1b2c3d4e5f6";
const TOPIC = `cmd/52/navilink-${MAC}/res/st`;
const N = Number(process.env.BENCH_MESSAGES || 20_000);
const HEAP_N = Number(process.env.BENCH_HEAP_MESSAGES || 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);

const runtimeDir = path.dirname(require.resolve(process.env.NR_RUNTIME ? path.resolve(process.env.NR_RUNTIME) : "node-red"));
const coreMqtt = require(require.resolve("@node-red/nodes/core/network/10-mqtt.js", { paths: [runtimeDir] }));

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

  await helper.startServer();
  const types = [loadNode("navien-account"), loadNode("navien-status-in"), coreMqtt];
  const sink = { count: 0 };

  const ours = [
    { id: "f1", type: "tab" },
    { id: "acc", type: "navien-account", apiUrl: sim.navien.apiUrl, mqttUrl: sim.url.replace(/^http/, "ws") + "/navien/mqtt", region: "us-east-1", unit: "F" },
    { id: "src", z: "f1", type: "navien-status-in", account: "acc", device: MAC, interval: 0, onlyChanges: false, includeRaw: false, wires: [["sink"]] },
    { id: "sink", z: "f1", type: "helper" },
  ];
  const baseline = [
    { id: "f1", type: "tab" },
    { id: "brk", type: "mqtt-broker", broker: openUrl, port: "", clientid: "", autoConnect: true, usetls: false, protocolVersion: "4", keepalive: "60", cleansession: true },
    { id: "src", z: "f1", type: "mqtt in", topic: `cmd/52/navilink-${MAC}/#`, qos: "1", datatype: "json", broker: "brk", nl: false, rap: true, rh: 0, inputs: 0, wires: [["sink"]] },
    { id: "sink", z: "f1", type: "helper" },
  ];

  /**
   * The test helper wraps Node.prototype methods in sinon spies that keep every call's arguments;
   * that is test bookkeeping, not the runtime, so the benchmark removes the spies after loading.
   */
  async function load(flow, creds) {
    await helper.load(types, flow, creds);
    helper._sandbox.restore();
  }

  async function measure(flow, creds, n) {
    await load(flow, creds);
    sink.count = 0;
    helper.getNode("sink").on("input", () => sink.count++);
    await until(() => aedes.connectedClients >= 1 && Object.keys(sim.navien.broker.counters?.subscribes ?? {}).length >= 0, 10_000);
    await new Promise((r) => setTimeout(r, 1000)); // connected and subscribed
    sink.count = 0;
    const rate = await pump(aedes, n, sink);
    await helper.unload();
    await new Promise((r) => setTimeout(r, 300));
    return rate;
  }

  const creds = { acc: { email: DEMO_USER.email, password: DEMO_USER.password } };
  const results = { ours: [], core: [] };
  for (let i = 0; i < ROUNDS; i++) {
    results.core.push(await measure(baseline, {}, N));
    results.ours.push(await measure(ours, creds, N));
  }
  const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const oursRate = median(results.ours);
  const coreRate = median(results.core);

  // Heap growth after 100,000 messages through navien-status-in (after GC, warm-up excluded).
  await load(process.env.BENCH_HEAP_FLOW === "core" ? baseline : ours, process.env.BENCH_HEAP_FLOW === "core" ? {} : creds);
  helper.getNode("sink").on("input", () => sink.count++);
  await new Promise((r) => setTimeout(r, 1000));
  sink.count = 0;
  await pump(aedes, 5_000, sink);
  global.gc?.();
  const before = process.memoryUsage().heapUsed;
  sink.count = 0;
  await pump(aedes, HEAP_N, sink);
  global.gc?.();
  await new Promise((r) => setTimeout(r, 200));
  global.gc?.();
  const after = process.memoryUsage().heapUsed;
  await helper.unload();
  await helper.stopServer();
  wss.close();
  open.close();
  await sim.close();

  const fmt = (x) => Math.round(x).toLocaleString("en-US");
  console.log(`navien-status-in: ${fmt(oursRate)} decoded statuses/s (median of ${ROUNDS} × ${N}; runs ${results.ours.map(fmt).join(", ")})`);
  console.log(`baseline core mqtt in (JSON): ${fmt(coreRate)} msgs/s (runs ${results.core.map(fmt).join(", ")})`);
  console.log(`ratio navien-status-in / core mqtt in: ${(oursRate / coreRate).toFixed(2)} (goal ≥ 0.90)`);
  console.log(`heap growth after ${HEAP_N.toLocaleString("en-US")} messages: ${((after - before) / 1024 / 1024).toFixed(2)} MiB${global.gc ? "" : " (no --expose-gc: not reliable)"}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error("bench failed:", err);
    process.exit(1);
  },
);
