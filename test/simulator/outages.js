"use strict";
/**
 * The simulator's outage switch (issue 17): any vendor endpoint can answer with a chosen status,
 * `Retry-After`, an HTML page or nothing at all, for a number of seconds; and every request is
 * logged so that tests (and curious users) can count what reached the "cloud" during an outage.
 *
 *   sim.outage({vendor: "navien", endpoint: "/user/sign-in", status: 503, seconds: 30})
 *   sim.outage({vendor: "nox", endpoint: "/link", status: 429, retryAfter: 10, seconds: 10})
 *   sim.outage({vendor: "waviot", endpoint: "user-login", status: 503})   // a WAVIoT action
 *   sim.outage({vendor: "navien", endpoint: "mqtt", status: 503})         // WebSocket upgrades
 *   sim.outage({..., kind: "html"})  an HTML page with the status;  kind: "hang"  no answer
 *   sim.clearOutages();  sim.countRequests({vendor, endpoint, since, until})  requests seen
 *
 * Over HTTP (for flows, e.g. the "cloud outage" example): POST /_sim/outage with that JSON body,
 * DELETE /_sim/outage ends every outage, GET /_sim/outage lists them with the request counts.
 * An outage answers only `count` times when given (e.g. one 429), else until `seconds` run out.
 */
const { sendJson, readBody } = require("./util");

const MAX_LOG = 20_000;

function createOutages(vendorPrefixes) {
  const list = [];
  const log = [];
  const hanging = new Set();

  function matches(o, vendor, pathname, action) {
    if (o.vendor && o.vendor !== vendor) return false;
    if (!o.endpoint) return true;
    return action === o.endpoint || pathname === o.endpoint || pathname.endsWith(o.endpoint) || pathname.includes(o.endpoint + "/");
  }

  function vendorOf(pathname) {
    for (const [name, prefix] of Object.entries(vendorPrefixes())) if (pathname.startsWith(prefix + "/")) return name;
    return "";
  }

  function active(vendor, pathname, action) {
    const now = Date.now();
    for (let i = list.length - 1; i >= 0; i--) if (list[i].until <= now || list[i].left === 0) list.splice(i, 1);
    return list.find((o) => matches(o, vendor, pathname, action));
  }

  const api = {
    /** Starts an outage; returns it (its `until` is ms since epoch). */
    add({ vendor = "", endpoint = "", status = 503, retryAfter, seconds = 30, kind = "status", count } = {}) {
      const o = { vendor, endpoint, status: Number(status) || 503, retryAfter, kind, until: Date.now() + Number(seconds) * 1000, left: count === undefined ? -1 : Number(count) };
      list.push(o);
      return o;
    },
    clear() {
      list.length = 0;
      for (const res of hanging) res.destroy();
      hanging.clear();
    },
    /** Requests seen (any answer), optionally for one vendor/endpoint and since an instant. */
    count({ vendor, endpoint, since = 0, until = Infinity, method } = {}) {
      return log.filter((r) => r.at >= since && r.at < until && (!vendor || r.vendor === vendor) && (!method || r.method === method) && (!endpoint || matches({ endpoint }, r.vendor, r.path, r.action))).length;
    },
    log,
    list,
    /** For every HTTP request: logs it, and answers it when an outage covers it (true = handled). */
    handle(req, res, url) {
      const vendor = vendorOf(url.pathname);
      const action = url.searchParams.get("action") || "";
      if (vendor) {
        log.push({ at: Date.now(), vendor, method: req.method, path: url.pathname, action });
        if (log.length > MAX_LOG) log.splice(0, log.length - MAX_LOG);
      }
      const o = vendor && active(vendor, url.pathname, action);
      if (!o) return false;
      if (o.left > 0) o.left -= 1;
      if (o.kind === "hang") {
        hanging.add(res);
        res.on("close", () => hanging.delete(res));
        return true;
      }
      const headers = {};
      if (o.retryAfter !== undefined) headers["Retry-After"] = String(o.retryAfter);
      if (o.kind === "html") {
        res.writeHead(o.status, { ...headers, "Content-Type": "text/html" });
        res.end("<html><body><h1>Service temporarily unavailable</h1></body></html>");
      } else {
        const text = JSON.stringify({ code: o.status, msg: "SIMULATED_OUTAGE", data: null });
        res.writeHead(o.status, { ...headers, "Content-Type": "application/json" });
        res.end(text);
      }
      return true;
    },
    /** For WebSocket upgrades (endpoint "mqtt"): refuses with the outage's status (true = handled). */
    upgrade(req, socket) {
      const url = new URL(req.url, "http://sim.local");
      const vendor = vendorOf(url.pathname);
      const o = vendor && active(vendor, "mqtt", "mqtt");
      if (!o || o.endpoint !== "mqtt") return false;
      if (o.left > 0) o.left -= 1;
      const retry = o.retryAfter !== undefined ? `Retry-After: ${o.retryAfter}\r\n` : "";
      socket.end(`HTTP/1.1 ${o.status} Simulated Outage\r\n${retry}Content-Length: 0\r\nConnection: close\r\n\r\n`);
      return true;
    },
    /** The control endpoint under /_sim/outage (true = handled). */
    async control(req, res, url) {
      if (url.pathname !== "/_sim/outage") return false;
      if (req.method === "POST") {
        let body = {};
        try {
          body = JSON.parse((await readBody(req, 16 * 1024)) || "{}");
        } catch {
          sendJson(res, 400, { error: "JSON body expected" });
          return true;
        }
        const items = Array.isArray(body) ? body : [body];
        const added = items.map((b) => api.add(b || {}));
        sendJson(res, 200, { ok: true, outages: added.map(view) });
      } else if (req.method === "DELETE") {
        api.clear();
        sendJson(res, 200, { ok: true, outages: [] });
      } else {
        sendJson(res, 200, { ok: true, outages: list.filter((o) => o.until > Date.now()).map(view), requests: log.length });
      }
      return true;
    },
  };
  return api;
}

function view(o) {
  return { vendor: o.vendor, endpoint: o.endpoint, status: o.status, retryAfter: o.retryAfter ?? null, kind: o.kind, secondsLeft: Math.max(0, Math.round((o.until - Date.now()) / 1000)) };
}

module.exports = { createOutages };
