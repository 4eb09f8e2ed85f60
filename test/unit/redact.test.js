"use strict";
/** Issue 18, finding 6: mask first, then cut; a fragment of a secret left at a cut is masked too. */
const assert = require("node:assert/strict");
const { redact, clip, CUT } = require("../../nodes/lib/core/redact.js");

const KEY = "abcdef0123456789";

describe("redact and clip", () => {
  it("clip masks before cutting: the whole secret counts, not the piece left", () => {
    assert.equal(clip(`key=${KEY} and more text`, 12, [KEY]), `key=*** and ${CUT}`);
  });
  it("no cut position leaves 4 or more characters of a secret, whether the cutting code knew it or not", () => {
    const text = "x".repeat(20) + KEY + "y".repeat(40);
    for (let max = 1; max < text.length; max++) {
      for (const out of [clip(text, max, [KEY]), redact(clip(text, max), [KEY])]) {
        for (let n = 4; n <= KEY.length; n++) assert.ok(!out.includes(KEY.slice(0, n)), `max ${max}: ${out}`);
      }
    }
  });
  it("redact masks a fragment before a cut made by code that did not know the secret", () => {
    const cutElsewhere = clip("HTTP 502: echo " + KEY, 22);
    assert.equal(cutElsewhere, "HTTP 502: echo abcdef0" + CUT);
    assert.equal(redact(`failed: ${cutElsewhere} (try later)`, [KEY]), `failed: HTTP 502: echo ***${CUT} (try later)`);
  });
  it("text that merely ends like a secret's start is left alone without a cut; short fragments are not masked", () => {
    assert.equal(redact("ends with abcd", [KEY]), "ends with abcd");
    assert.equal(redact(`ab${CUT}`, [KEY]), `ab${CUT}`);
  });
  it("is linear enough for hostile text (a long run of the secret's first characters)", () => {
    const secret = "aaaa".repeat(64);
    const started = Date.now();
    redact("a".repeat(100_000) + CUT + "b", [secret]);
    assert.ok(Date.now() - started < 500);
  });
});
