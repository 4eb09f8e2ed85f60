"use strict";
/** The throttled node status line (navien-status-in): at most one update per interval, only on change, the latest shown last. */
const assert = require("node:assert/strict");
const { ThrottledStatus } = require("../../nodes/lib/nodes/shared/status-throttle.js");

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function setup(ms) {
  const shown = [];
  const built = [];
  const line = new ThrottledStatus({ status: (s) => shown.push(s.text) }, ms);
  const show = (text) => line.show(() => (built.push(text), { fill: "green", shape: "dot", text }));
  return { line, shown, built, show };
}

describe("ThrottledStatus", () => {
  it("shows the first status at once, then the latest one at the end of the interval; builds only what it shows", async () => {
    const { shown, built, show } = setup(150);
    show("a");
    for (let i = 0; i < 100; i++) show(`b${i}`);
    assert.deepEqual(shown, ["a"]);
    await sleep(400);
    assert.deepEqual(shown, ["a", "b99"]);
    assert.deepEqual(built, ["a", "b99"], "the 99 in between were never built");
  });

  it("an unchanged text is not shown again", async () => {
    const { shown, show } = setup(20);
    show("a");
    await sleep(60);
    show("a");
    await sleep(60);
    show("a");
    assert.deepEqual(shown, ["a"]);
  });

  it("an unchanged text starts the interval too: the statuses after it are not built at once, one by one", async () => {
    const { shown, built, show } = setup(150);
    show("a");
    await sleep(200); // the interval is over: the next one is built and shown at once
    show("a"); // unchanged: not shown, but the interval starts again
    for (let i = 0; i < 100; i++) show("a");
    assert.deepEqual(built, ["a", "a"], "the 100 after the unchanged one wait for the interval");
    await sleep(300);
    assert.deepEqual(built, ["a", "a", "a"], "the latest is built once at the end of the interval");
    assert.deepEqual(shown, ["a"]);
  });

  it("reset(): a pending status is dropped and the next one shows at once, even with the same text", async () => {
    const { line, shown, show } = setup(10_000);
    show("a");
    show("b"); // pending for 10 s
    line.reset(); // e.g. an error or "reconnecting" took the status line over
    show("a");
    assert.deepEqual(shown, ["a", "a"]);
    line.reset(); // no timer left behind
  });

  it("set(): shown at once, drops what is pending; the next show() is not held back and compares with it", async () => {
    const { line, shown, built, show } = setup(10_000);
    show("a");
    show("b"); // pending for 10 s
    line.set({ fill: "red", shape: "ring", text: "error" }); // e.g. an error takes the line over
    assert.deepEqual(shown, ["a", "error"]);
    show("a"); // a reading after it shows at once, though the interval of "a" is not over
    assert.deepEqual(shown, ["a", "error", "a"]);
    line.set({ fill: "yellow", shape: "ring", text: "reconnecting" });
    line.set({ fill: "yellow", shape: "ring", text: "reconnecting" }); // set() always shows what it is given
    assert.deepEqual(shown, ["a", "error", "a", "reconnecting", "reconnecting"]);
    show("reconnecting"); // same text as what set() showed: not shown again
    assert.deepEqual(shown, ["a", "error", "a", "reconnecting", "reconnecting"]);
    show("c");
    await sleep(50);
    assert.deepEqual(shown, ["a", "error", "a", "reconnecting", "reconnecting"], "c waits for the interval of the unchanged text");
    line.set({ fill: "red", shape: "ring", text: "error" });
    await sleep(50);
    assert.deepEqual(shown, ["a", "error", "a", "reconnecting", "reconnecting", "error"], "c was dropped, no timer shows it later");
    assert.ok(!built.includes("b") && !built.includes("c"), "the dropped statuses were never built");
    line.reset(); // no timer left behind
  });
});
