"use strict";
/**
 * The cloud simulator: one loopback HTTP server that fakes the Navien REST cloud (and, as later
 * issues add them, the Navien MQTT broker, NOX and WAVIoT) under path prefixes:
 *   /navien/api/v2.1/...   Navien REST       (navien.js)
 *   /nox/...               NOX Energy        (nox.js)
 *   /waviot/...            WAVIoT auth API   (waviot.js)
 *   /_sim/outage           the outage switch (outages.js): any endpoint fails on demand
 *   /waviot/lk/...         WAVIoT personal cabinet, meter data (waviot-cabinet.js, wired by waviot.js)
 *   /openei/...            OpenEI utility-rate database (openei.js; navien-tou plans/apply)
 * A vendor module may also return `demoEnv` (environment variables with demo credentials for
 * `npm start`); they are merged into `sim.demoEnv`.
 * Used by the tests, the benchmarks and `npm start`. Each vendor module exports
 * `create(options)` → { prefix, handle(req, res, url) → Promise<boolean>, upgrade?(req, socket, head) → boolean, close() }.
 */
const http = require("node:http");
const { sendJson } = require("./util");
const { createOutages } = require("./outages");

const fs = require("node:fs");
const path = require("node:path");

/** Every vendor module present in this folder (navien.js, nox.js, waviot.js). */
const VENDORS = Object.fromEntries(
  ["navien", "nox", "waviot", "openei"]
    .filter((name) => fs.existsSync(path.join(__dirname, `${name}.js`)))
    .map((name) => [name, () => require(`./${name}`)]),
);

/**
 * @param {{port?: number, host?: string, navien?: object}} [options]
 */
async function startSimulator(options = {}) {
  const host = options.host || "127.0.0.1";
  const vendors = {};
  for (const [name, load] of Object.entries(VENDORS)) vendors[name] = load().create(options[name] || {});
  const sockets = new Set();
  const outages = createOutages(() => Object.fromEntries(Object.entries(vendors).map(([name, v]) => [name, v.prefix])));

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://sim.local");
    (async () => {
      if ((await outages.control(req, res, url)) || outages.handle(req, res, url)) return;
      for (const v of Object.values(vendors)) {
        if (url.pathname.startsWith(v.prefix + "/") && (await v.handle(req, res, url))) return;
      }
      sendJson(res, 404, { code: 404, msg: "NOT_FOUND", data: null });
    })().catch((err) => {
      if (!res.headersSent) sendJson(res, 500, { code: 500, msg: "SIMULATOR_ERROR: " + err.message, data: null });
      else res.destroy();
    });
  });
  server.on("upgrade", (req, socket, head) => {
    if (outages.upgrade(req, socket)) return;
    for (const v of Object.values(vendors)) if (v.upgrade && v.upgrade(req, socket, head)) return;
    socket.destroy();
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port || 0, host, resolve);
  });
  const { port } = server.address();
  const url = `http://${host}:${port}`;
  for (const v of Object.values(vendors)) v.baseUrl = url;
  const demoEnv = Object.assign({}, ...Object.values(vendors).map((v) => v.demoEnv || {}));

  return {
    url,
    port,
    demoEnv,
    ...vendors,
    /** Starts an outage (see outages.js): {vendor, endpoint, status, retryAfter, seconds, kind, count}. */
    outage: (o) => outages.add(o),
    clearOutages: () => outages.clear(),
    /** Requests that reached the simulator: {vendor, endpoint, since, method} → count. */
    countRequests: (q) => outages.count(q),
    /** Number of TCP connections currently open to the simulator. */
    get openSockets() {
      return sockets.size;
    },
    async close() {
      outages.clear();
      for (const v of Object.values(vendors)) if (v.close) await v.close();
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Points the accounts among `nodes` (a flow's node definitions, changed in place) at `sim`, as
 * `npm start`, the examples' tests and the E2E runs do. `extra(node)` may return more properties
 * to set on each account (npm start's " (simulator)" name). Returns `nodes`.
 */
function pointAccountsAt(nodes, sim, extra) {
  const urls = accountUrls(sim);
  for (const n of nodes) if (urls[n.type]) Object.assign(n, urls[n.type], extra ? extra(n) : {});
  return nodes;
}

/** Each account type's URL properties → where they point on `sim`. */
function accountUrls(sim) {
  return {
    "navien-account": { apiUrl: sim.navien.apiUrl, mqttUrl: sim.navien.mqttUrl, ...(sim.openei ? { openeiUrl: sim.openei.url } : {}) },
    "nox-account": { apiUrl: sim.nox.apiUrl, packageUrl: sim.nox.packageUrl },
    "waviot-account": { authUrl: sim.waviot.authUrl, dataUrl: sim.waviot.dataUrl },
  };
}

/**
 * The examples fix nox-link's Redirect URL to a public address (https://energy.example.com/…, never
 * built from the Host header); the demo and the tests serve the callback elsewhere: same path, at `base`.
 */
function pointRedirectsAt(nodes, base) {
  for (const n of nodes) {
    if (n.type === "nox-link" && typeof n.redirectUrl === "string" && n.redirectUrl) n.redirectUrl = base + new URL(n.redirectUrl).pathname;
  }
  return nodes;
}

module.exports = { startSimulator, pointAccountsAt, pointRedirectsAt, accountUrls };
