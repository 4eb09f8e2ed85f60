"use strict";
/** Small HTTP helpers shared by the simulated clouds. */

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req, limit = 1024 * 1024) {
  const chunks = [];
  let size = 0;
  for await (const c of req) {
    size += c.length;
    if (size > limit) throw new Error("body too large");
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Fault switches shared by the simulated clouds. A fault is `{<key>: "*" | value | RegExp, kind,
 * times}` (key "path" or "action"); `take(value)` returns the first matching fault and uses up one
 * of its times; `hang(res)` keeps a request open until `releaseHung()` (the simulator's close).
 */
class FaultSwitches {
  constructor(key) {
    this.key = key;
    this.list = [];
    this.hung = new Set();
  }

  add(fault) {
    this.list.push({ times: Infinity, [this.key]: "*", ...fault });
  }

  clear() {
    this.list = [];
  }

  take(value) {
    const f = this.list.find((x) => {
      const want = x[this.key];
      return x.times > 0 && (want === "*" || want === value || (want instanceof RegExp && want.test(value)));
    });
    if (f) f.times -= 1;
    return f;
  }

  hang(res) {
    this.hung.add(res);
    res.on("close", () => this.hung.delete(res));
  }

  releaseHung() {
    for (const r of this.hung) r.destroy();
    this.hung.clear();
  }
}

/** A Cookie header as {name: value} (values kept as sent). */
function parseCookies(header) {
  const out = {};
  for (const part of String(header || "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

module.exports = { sendJson, readBody, FaultSwitches, parseCookies };
