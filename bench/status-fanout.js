"use strict";
/**
 * Benchmark (issue 10 §5): 10 `navien-status-in` nodes on one heater versus one. Throughput is
 * heater statuses per second fully delivered (every node has emitted it), so the ideal is 1.0×:
 * a status should be parsed and decoded once per account, not once per node; only the per-node
 * `send` remains. Rounds alternate between 1 and 10 nodes; medians are reported (goal ≥ 0.8).
 *
 * Embedded Node-RED runtime (bench/support/embedded-red.js), the simulator's SigV4 broker.
 */
const { startStatusBench, median, fmt } = require("./support/status-bench");

const N = Number(process.env.BENCH_MESSAGES || 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const FANOUT = 10;

async function main() {
  const b = await startStatusBench();
  // Warm-up (JIT, lazily created objects), not counted.
  await b.measure(b.flows.ours(1), 5_000, 1);
  await b.measure(b.flows.ours(FANOUT), 5_000, FANOUT);
  const one = [];
  const ten = [];
  for (let i = 0; i < ROUNDS; i++) {
    one.push(await b.measure(b.flows.ours(1), N, 1));
    ten.push(await b.measure(b.flows.ours(FANOUT), N, FANOUT));
  }
  await b.stop();
  const r1 = median(one);
  const r10 = median(ten);
  console.log(`1 navien-status-in: ${fmt(r1)} statuses/s (median of ${ROUNDS} × ${N}; runs ${one.map(fmt).join(", ")})`);
  console.log(`${FANOUT} navien-status-in on the same heater: ${fmt(r10)} statuses/s, each emitted ${FANOUT}× (runs ${ten.map(fmt).join(", ")})`);
  console.log(`ratio ${FANOUT} nodes / 1 node: ${(r10 / r1).toFixed(2)} (goal ≥ 0.80)`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error("bench failed:", err);
    process.exit(1);
  },
);
