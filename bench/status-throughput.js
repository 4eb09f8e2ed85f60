"use strict";
/**
 * Benchmark (issues 3 and 10 §5): decoded status messages per second through `navien-status-in`
 * (every one of the 102 fields decoded) versus the hand-built flow a user would otherwise wire:
 * Node-RED's core `mqtt in` + `json` node, subscribed to the same topic on the same broker over
 * the same transport (WebSocket), in the same runtime; plus the heap growth after 100,000
 * messages through navien-status-in. Rounds alternate between the two flows; the ratio is the
 * median of the per-round ratios (load from other processes hits both alike), and the same ratio
 * per CPU second of the process is printed as the steadier figure on a shared machine.
 *
 * Where the difference comes from (profiles, strace): both flows parse the same JSON; ours also
 * decodes 102 fields and compares with the previous status (about 3 µs), but saves one node hop
 * and, above all, writes one WebSocket frame per MQTT packet (src/navien/mqtt/ws-frames.ts), where core
 * `mqtt in` (mqtt.js over `ws`) writes each acknowledgement as three frames and three socket writes.
 *
 * The runtime is the real embedded Node-RED (bench/support/embedded-red.js), not the test helper.
 * Run with `npm run bench` (node --expose-gc). Prints figures and the ratio (goal ≥ 1.0); exits 0.
 */
const { startStatusBench, fmt } = require("./support/status-bench");

const N = Number(process.env.BENCH_MESSAGES || 10_000);
const HEAP_N = Number(process.env.BENCH_HEAP_MESSAGES || 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 5);

async function main() {
  const b = await startStatusBench();
  const c = await b.compare(b.flows.coreJsonNode(), b.flows.ours(1), { rounds: ROUNDS, n: N });

  /** Heap growth after `count` messages (after GC, warm-up excluded). */
  async function heapGrowth(flow, count) {
    await b.deploy(flow);
    await b.pump(5_000);
    global.gc?.();
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    b.sink.count = 0;
    await b.pump(count);
    await new Promise((r) => setTimeout(r, 300));
    global.gc?.();
    global.gc?.();
    const after = process.memoryUsage().heapUsed;
    await b.red.deploy([]);
    return (after - before) / 1024 / 1024;
  }
  const heapOurs = await heapGrowth(b.flows.ours(1), HEAP_N);
  const heapCore = await heapGrowth(b.flows.coreJsonNode(), HEAP_N);
  await b.stop();

  console.log(`navien-status-in: ${fmt(c.b)} decoded statuses/s (median of ${ROUNDS} × ${N}; runs ${c.runsB.map(fmt).join(", ")}); ${fmt(c.cpuB)} per CPU second`);
  console.log(`baseline core mqtt in + json: ${fmt(c.a)} msgs/s (runs ${c.runsA.map(fmt).join(", ")}); ${fmt(c.cpuA)} per CPU second`);
  console.log(`ratio navien-status-in / (core mqtt in + json): ${c.ratio.toFixed(2)} (median of per-round ratios; goal ≥ 1.00); per CPU second ${c.cpuRatio.toFixed(2)}`);
  const gcNote = global.gc ? "" : " (run with --expose-gc for reliable figures)";
  console.log(`heap growth after ${HEAP_N.toLocaleString("en-US")} messages: navien-status-in ${heapOurs.toFixed(2)} MiB, core mqtt in + json ${heapCore.toFixed(2)} MiB${gcNote}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error("bench failed:", err);
    process.exit(1);
  },
);
