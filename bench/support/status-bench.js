"use strict";
/**
 * What the status benchmarks share: the simulator's aedes broker (SigV4-checked WebSocket for our
 * nodes, plus a second, unsigned WebSocket listener on the same aedes instance for Node-RED's core
 * `mqtt in`, which cannot presign), the embedded Node-RED runtime, the flows under test, and a
 * pump that injects full 102-field statuses into the broker as the device would publish them.
 */
const http = require("node:http");
const { WebSocketServer, createWebSocketStream } = require("ws");
const { startRed } = require("./embedded-red");
const { startSimulator } = require("../../test/simulator");
const { DEMO_USER } = require("../../test/simulator/navien");
const { vector } = require("../../test/simulator/vectors");
const { until: untilEvery } = require("../../test/support/until");

const MAC = "a1b2c3d4e5f6";
const TOPIC = `cmd/52/navilink-${MAC}/res/st`;

function statusPayload(i) {
  const msg = vector("navien", "mqtt-status-response.json").payload;
  msg.response.status.dhwTemperature = 100 + (i % 20); // vary, so nothing can be cached away
  return Buffer.from(JSON.stringify(msg));
}

/** Waits until fn() is truthy, polling every 5 ms (test/support/until.js does not load the test helper and its spies). */
const until = (fn, ms, what) => untilEvery(fn, ms, what, 5);

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const fmt = (x) => Math.round(x).toLocaleString("en-US");

async function startStatusBench() {
  const sim = await startSimulator();
  const aedes = sim.navien.broker.aedes;
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
  const publish = (payload) =>
    new Promise((r) => aedes.publish({ cmd: "publish", topic: TOPIC, payload, qos: 1, retain: false, dup: false }, r));

  const flows = {
    /** `count` navien-status-in nodes on the one heater, each wired to the sink. */
    ours(count = 1) {
      const nodes = [
        { id: "f1", type: "tab", label: "bench" },
        { id: "acc", type: "navien-account", apiUrl: sim.navien.apiUrl, mqttUrl: sim.navien.mqttUrl, region: "us-east-1", unit: "F" },
        { id: "sink", z: "f1", type: "bench-sink", wires: [] },
      ];
      for (let i = 0; i < count; i++) {
        nodes.push({ id: `src${i}`, z: "f1", type: "navien-status-in", account: "acc", device: MAC, interval: 0, onlyChanges: false, includeRaw: false, wires: [["sink"]] });
      }
      return nodes;
    },
    /**
     * `count` hand-built flows: each a core `mqtt in` with its own subscription to the device's
     * topics on one shared core `mqtt-broker` config node, followed (json: true) by its own core
     * `json` node → sink, as a user wires one per consumer. With json false, `mqtt in` straight to
     * the sink (datatype buffer: Node-RED's own delivery of an MQTT message to one more node).
     */
    core(count = 1, { json = true, datatype = json ? "utf8" : "buffer" } = {}) {
      const nodes = [
        { id: "f1", type: "tab", label: "bench" },
        { id: "brk", type: "mqtt-broker", broker: openUrl, port: "", clientid: "", autoConnect: true, usetls: false, protocolVersion: "4", keepalive: "60", cleansession: true },
        { id: "sink", z: "f1", type: "bench-sink", wires: [] },
      ];
      for (let i = 0; i < count; i++) {
        nodes.push({ id: `src${i}`, z: "f1", type: "mqtt in", topic: `cmd/52/navilink-${MAC}/#`, qos: "1", datatype, broker: "brk", nl: false, rap: true, rh: 0, inputs: 0, wires: [[json ? `parser${i}` : "sink"]] });
        if (json) nodes.push({ id: `parser${i}`, z: "f1", type: "json", property: "payload", action: "obj", pretty: false, wires: [["sink"]] });
      }
      return nodes;
    },
    /** The hand-built flow: core `mqtt in` (string) → core `json` → sink. */
    coreJsonNode() {
      return [
        { id: "f1", type: "tab", label: "bench" },
        { id: "brk", type: "mqtt-broker", broker: openUrl, port: "", clientid: "", autoConnect: true, usetls: false, protocolVersion: "4", keepalive: "60", cleansession: true },
        { id: "src", z: "f1", type: "mqtt in", topic: `cmd/52/navilink-${MAC}/#`, qos: "1", datatype: "utf8", broker: "brk", nl: false, rap: true, rh: 0, inputs: 0, wires: [["parser"]] },
        { id: "parser", z: "f1", type: "json", property: "payload", action: "obj", pretty: false, wires: [["sink"]] },
        { id: "sink", z: "f1", type: "bench-sink", wires: [] },
      ];
    },
  };

  /**
   * Publishes n statuses in chunks (bounded broker queues) until `perStatus` × n reached the sink.
   * Returns {rate: statuses per wall-clock second, cpuRate: statuses per CPU second of this
   * process (broker and runtime both run here; the steadier figure on a machine shared with other
   * work)}.
   */
  async function pump(n, perStatus = 1) {
    const payloads = Array.from({ length: 20 }, (_, i) => statusPayload(i));
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    let sent = 0;
    while (sent < n) {
      const chunk = Math.min(500, n - sent);
      await Promise.all(Array.from({ length: chunk }, (_, k) => publish(payloads[(sent + k) % 20])));
      sent += chunk;
      await until(() => sink.count >= (sent - 2000) * perStatus, 60_000, "the flow to keep up");
    }
    await until(() => sink.count >= n * perStatus, 60_000, "all messages");
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    return { rate: n / wall, cpuRate: n / ((cpu.user + cpu.system) / 1e6) };
  }

  /** Deploys a flow and waits until a probe status reaches the sink (connected and subscribed). */
  async function deploy(flow) {
    await red.deploy(flow);
    sink.count = 0;
    await until(async () => {
      await publish(statusPayload(0));
      await new Promise((r) => setTimeout(r, 100));
      return sink.count > 0;
    }, 15_000, "the flow to receive");
    await new Promise((r) => setTimeout(r, 200));
    sink.count = 0;
  }

  /** {rate, cpuRate} of a flow (n statuses; perStatus sink messages each), see pump(). */
  async function measure(flow, n, perStatus = 1) {
    await deploy(flow);
    const r = await pump(n, perStatus);
    await red.deploy([]);
    return r;
  }

  /**
   * Alternates `rounds` measurements of flows a and b and reports medians. The ratio b/a is the
   * median of the per-round ratios: load from other processes drifts slowly, so the two runs of a
   * round see nearly the same machine.
   */
  async function compare(a, b, { rounds, n, perStatusA = 1, perStatusB = 1 }) {
    await measure(a, Math.min(n, 5_000), perStatusA); // warm-up (JIT, lazily created objects), not counted
    await measure(b, Math.min(n, 5_000), perStatusB);
    const ra = [];
    const rb = [];
    for (let i = 0; i < rounds; i++) {
      ra.push(await measure(a, n, perStatusA));
      rb.push(await measure(b, n, perStatusB));
    }
    return {
      a: median(ra.map((r) => r.rate)),
      b: median(rb.map((r) => r.rate)),
      runsA: ra.map((r) => r.rate),
      runsB: rb.map((r) => r.rate),
      ratio: median(ra.map((r, i) => rb[i].rate / r.rate)),
      cpuRatio: median(ra.map((r, i) => rb[i].cpuRate / r.cpuRate)),
      cpuA: median(ra.map((r) => r.cpuRate)),
      cpuB: median(rb.map((r) => r.cpuRate)),
    };
  }

  /**
   * Alternates `rounds` measurements of several flows ({name: {flow, perStatus}}), in the same
   * order each round after one warm-up of each. Returns {name: [{rate, cpuRate}, …]} per round,
   * so ratios and differences can be taken per round (the runs of one round see nearly the same machine).
   */
  async function roundsOf(cases, { rounds, n }) {
    const names = Object.keys(cases);
    for (const k of names) await measure(cases[k].flow, Math.min(n, 5_000), cases[k].perStatus ?? 1);
    const out = Object.fromEntries(names.map((k) => [k, []]));
    for (let i = 0; i < rounds; i++) {
      for (const k of names) out[k].push(await measure(cases[k].flow, n, cases[k].perStatus ?? 1));
    }
    return out;
  }

  /**
   * Node-RED's own cost of one message from a node's send() to the sink (µs of CPU): what every
   * further status-in node adds at the least, whatever the node does. Sent from a deployed
   * status-in node with a decoded-status-sized payload and its own _msgid (the package's id
   * generator, as status-in uses: Node-RED's own is not part of its delivery), 1,000 per turn.
   */
  async function deliveryCostUs(n = 50_000) {
    await deploy(flows.ours(1));
    const node = red.RED.nodes.getNode("src0");
    const { decodeStatus } = require("../../nodes/lib/navien/codec/status.js");
    const { newMsgId } = require("../../nodes/lib/nodes/shared/msg-id.js");
    const { vector } = require("../../test/simulator/vectors");
    const status = decodeStatus(vector("navien", "mqtt-status-response.json").payload.response.status, "F");
    const costs = [];
    for (let round = 0; round < 3; round++) {
      sink.count = 0;
      const cpu0 = process.cpuUsage();
      for (let i = 0; i < n; i++) {
        node.send({ _msgid: newMsgId(), topic: "bench", payload: status });
        if (i % 1000 === 999) await new Promise((r) => setImmediate(r));
      }
      while (sink.count < n) await new Promise((r) => setImmediate(r));
      const cpu = process.cpuUsage(cpu0);
      costs.push((cpu.user + cpu.system) / n);
    }
    await red.deploy([]);
    return median(costs);
  }

  async function stop() {
    await red.stop();
    wss.close();
    open.close();
    await sim.close();
  }

  const payloads = Array.from({ length: 20 }, (_, i) => statusPayload(i));
  return { red, sink, flows, pump, deploy, compare, roundsOf, deliveryCostUs, stop, TOPIC, payloads };
}

module.exports = { startStatusBench, median, fmt };
