"use strict";
/**
 * Waiting for a condition by polling, shared by the tests, the E2E and cluster harnesses and the
 * benchmarks. No dependency: the benchmarks must not load the test helper (its spies would be
 * measured too).
 */

/**
 * Calls `fn` (may be async) every `everyMs` until it returns something truthy, and resolves with
 * that value; throws naming `what` once `ms` have passed. `what` may be a function, called then,
 * so that the error can say what the last poll saw.
 */
async function until(fn, ms = 5000, what = "condition", everyMs = 10) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${typeof what === "function" ? what() : what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

module.exports = { until };
