"use strict";
/**
 * Simulated NOX Energy Authenticator (docs/protocol/nox.md §3–§5) under the prefix /nox:
 *   POST /nox/v2/supplier/link-sessions   create a link session (x-api-key required)
 *   GET  /nox/ui?token=…&language=…       the "Authenticator UI": a user who opens it is
 *                                         sent (302) to the session's redirect_url with ?data=…
 *                                         and the device is then linked to the NOX user
 *   GET  /nox/package/v1/devices?user_id=…&limit=…[&next_token=…]
 *                                         Package API (docs/protocol/nox.md §10, vector package-api.json): the
 *                                         devices linked to this supplier, paged by next_token
 *   …/package/v1/devices/pv, /devices/settings (GET, PATCH), /device/thermal-control/…,
 *   /house/consumption/forecast           the rest of the Package API (nox-package.js)
 * Tests turn the switches: faults (see `fault()`), `script()` (serve one canned answer),
 * counters, `requests` (what the client sent), `allowedRedirects`.
 */
const crypto = require("node:crypto");
const { sendJson, readBody, FaultSwitches } = require("./util");
const packageApi = require("./nox-package");

const PREFIX = "/nox";
const LINK_PATH = "/v2/supplier/link-sessions";
const PACKAGE_DEVICES_PATH = "/package/v1/devices";
const DEMO_API_KEY = "nox_demo_key_5b1f0c7e9a";
const LANGUAGES = ["nl", "en", "fr", "es"];
/** The customer whose fleet is linked from the start (the connect example's default user), so `npm start` and the dashboard show devices. */
const DEMO_SUPPLIER_USER = "demo-user-1";

function encodeData(obj) {
  return Buffer.from(JSON.stringify(obj), "utf8").toString("base64url");
}

/** Appends ?data= (or &data=) the way NOX does. */
function callbackUrl(redirectUrl, data) {
  return redirectUrl + (redirectUrl.includes("?") ? "&" : "?") + "data=" + data;
}

function create(options = {}) {
  const sim = {
    prefix: PREFIX,
    baseUrl: "",
    demoEnv: { NOX_API_KEY: DEMO_API_KEY },
    apiKeys: new Set([DEMO_API_KEY, ...(options.apiKeys || [])]),
    /** null = every redirect_url is allowed; else a list of allowed prefixes (NOX's allow-list). */
    allowedRedirects: null,
    sessionSeconds: options.sessionSeconds ?? 600,
    /** Seconds added to the server clock (to test clock offsets). */
    clockOffset: 0,
    sessions: new Map(),
    requests: [],
    counters: { linkSessions: 0, created: 0, unauthorized: 0, uiOpened: 0, completed: 0, packageDevices: 0 },
    /** Package API: device id → device (with user_id = the NOX user), filled when a link completes. */
    devices: new Map(),
    /** Package API requests as received ({headers, query}). */
    packageRequests: [],
    packagePageSize: 1000,
    /** Milliseconds the Package API waits before answering (to test a browser leaving meanwhile). */
    packageDelayMs: 0,
    faults: new FaultSwitches("path"),
    scripted: [],
    /** When true, a completed link gives the NOX user a whole fleet (see linkFleet), not one heat pump. */
    fleetOnLink: !!options.fleetOnLink,

    get apiUrl() {
      return this.baseUrl + PREFIX;
    },
    /** The nox-account `packageUrl` pointing at this simulator. */
    get packageUrl() {
      return this.baseUrl + PREFIX + "/package";
    },

    /** {path: "/v2/supplier/link-sessions" | "/ui" | "*", kind: "500"|"429"|"html"|"hang"|"bad-shape"|"non-json", times}. */
    fault(f) {
      this.faults.add(f);
    },
    /** The next link-session POST gets exactly this answer: {status, headers, body | body_text} (vector shape). */
    script(response) {
      this.scripted.push(response);
    },
    clearFaults() {
      this.faults.clear();
      this.scripted = [];
    },
    reset() {
      this.clearFaults();
      for (const k of Object.keys(this.counters)) this.counters[k] = 0;
      this.requests = [];
      this.sessions.clear();
      this.allowedRedirects = null;
      this.clockOffset = 0;
      this.devices.clear();
      this.packageRequests = [];
      this.packagePageSize = 1000;
      this.packageDelayMs = 0;
      this.fleetOnLink = !!options.fleetOnLink;
      this.packageApi.reset();
      this.seedDemo();
    },

    /** The demo customer's fleet, linked as if DEMO_SUPPLIER_USER had completed a link (off with options.demoFleet === false). */
    seedDemo() {
      if (options.demoFleet === false) return;
      const { nox_user_id: user, brand } = this.connection({ supplier_user_id: DEMO_SUPPLIER_USER, brand: "daikin" });
      this.linkDevices(user, [user.replace(/^nox_/, "hp_")], brand);
      this.linkFleet(user, brand);
    },

    /** The next Package API call other than GET /v1/devices gets exactly this answer (vector shape). */
    packageScript(response) {
      this.packageApi.scripted.push(response);
    },

    /** x-api-key check of the Package API: 403 without a key, 401 for an unknown one. False = answered. */
    checkKey(req, res) {
      const key = req.headers["x-api-key"];
      if (!key) return sendJson(res, 403, { message: "Forbidden" }), false;
      if (!this.apiKeys.has(key)) return sendJson(res, 401, { message: "Invalid API key" }), false;
      return true;
    },

    async handle(req, res, url) {
      const path = url.pathname.slice(PREFIX.length);
      const fault = this.faults.take(path);
      if (fault) {
        if (path === LINK_PATH) this.counters.linkSessions += 1;
        return this.applyFault(fault.kind, req, res);
      }
      if (req.method === "POST" && path === LINK_PATH) return this.linkSession(req, res), true;
      if (req.method === "GET" && path === "/ui") return this.ui(url, res), true;
      if (req.method === "GET" && path === PACKAGE_DEVICES_PATH) return await this.packageDevices(req, res, url), true;
      if (path.startsWith("/package/v1/")) return await this.packageApi.handle(req, res, url, path.slice("/package/v1".length));
      return false;
    },

    applyFault(kind, req, res) {
      if (kind === "hang") {
        this.faults.hang(res);
        return true;
      }
      if (kind === "500") return sendJson(res, 500, { message: "Internal server error" }), true;
      if (kind === "429") {
        res.writeHead(429, { "Content-Type": "application/json", "Retry-After": "30" });
        res.end(JSON.stringify({ message: "Too Many Requests" }));
        return true;
      }
      if (kind === "html") {
        res.writeHead(502, { "Content-Type": "text/html" });
        res.end("<html><body><h1>502 Bad Gateway</h1></body></html>");
        return true;
      }
      if (kind === "non-json") {
        res.writeHead(200, { "Content-Type": "text/html" });
        res.end("<html>ok</html>");
        return true;
      }
      if (kind === "bad-shape") return sendJson(res, 201, { link_token: "lt_x", supplier: "Sim Energy" }), true;
      throw new Error("unknown fault " + kind);
    },

    now() {
      return Math.floor(Date.now() / 1000) + this.clockOffset;
    },

    async linkSession(req, res) {
      this.counters.linkSessions += 1;
      const text = await readBody(req);
      let body;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      this.requests.push({ method: req.method, path: req.url, headers: { ...req.headers }, body, text });
      const scripted = this.scripted.shift();
      if (scripted) {
        res.writeHead(scripted.status, scripted.headers || {});
        res.end(scripted.body_text !== undefined ? scripted.body_text : JSON.stringify(scripted.body));
        return;
      }
      const key = req.headers["x-api-key"];
      if (!key) return sendJson(res, 403, { message: "Forbidden" });
      if (!this.apiKeys.has(key)) {
        this.counters.unauthorized += 1;
        return sendJson(res, 401, { message: "Invalid API key" });
      }
      if (!body || typeof body !== "object") return sendJson(res, 400, { detail: "Body must be a JSON object" });
      const errs = [];
      if (typeof body.user_id !== "string" || !body.user_id) errs.push({ loc: ["body", "user_id"], msg: "field required", type: "value_error.missing" });
      if (typeof body.redirect_url !== "string" || !body.redirect_url) errs.push({ loc: ["body", "redirect_url"], msg: "field required", type: "value_error.missing" });
      if (body.language !== undefined && !LANGUAGES.includes(body.language)) errs.push({ loc: ["body", "language"], msg: "unexpected value", type: "value_error" });
      if (errs.length) return sendJson(res, 422, { detail: errs });
      if (this.allowedRedirects && !this.allowedRedirects.some((p) => body.redirect_url.startsWith(p))) {
        return sendJson(res, 400, { error: "validation_error", message: "redirect_url is not in the allowed redirect URLs for this supplier" });
      }
      const token = "lt_" + crypto.randomBytes(24).toString("base64url");
      const language = body.language || "nl";
      const createdAt = this.now();
      const session = {
        link_url: `${this.baseUrl}${PREFIX}/ui?token=${token}&language=${language}`,
        link_token: token,
        supplier: "Simulated Energy",
        supplier_user_id: body.user_id,
        redirect_url: body.redirect_url,
        language,
        brand: body.brand ?? null,
        completed_at: null,
        created_at: createdAt,
        expires_at: createdAt + this.sessionSeconds,
      };
      // NOX keeps one session per user: a newer link replaces the older one.
      for (const [t, s] of this.sessions) if (s.supplier_user_id === body.user_id) this.sessions.delete(t);
      this.sessions.set(token, session);
      this.counters.created += 1;
      sendJson(res, 201, session);
    },

    /** The user "picks a brand, logs in at the manufacturer and grants access" in one step. */
    ui(url, res) {
      this.counters.uiOpened += 1;
      const session = this.sessions.get(url.searchParams.get("token") || "");
      const html = (status, text) => {
        res.writeHead(status, { "Content-Type": "text/html; charset=utf-8" });
        res.end(`<!DOCTYPE html><html><body><h1>NOX (simulated)</h1><p>${text}</p></body></html>`);
      };
      if (!session) return html(404, "This link is unknown.");
      if (session.completed_at !== null) return html(410, "This link was already used.");
      if (this.now() > session.expires_at) return html(410, "This link has expired.");
      session.completed_at = this.now();
      const connection = this.connection(session);
      this.linkDevices(connection.nox_user_id, connection.device_ids, connection.brand);
      if (this.fleetOnLink) this.linkFleet(connection.nox_user_id, connection.brand);
      this.counters.completed += 1;
      res.writeHead(302, { Location: callbackUrl(session.redirect_url, encodeData(connection)) });
      res.end();
    },

    /** The connection NOX reports for a session (docs/protocol/nox.md §5), before encoding. */
    connection(session, overrides = {}) {
      const suffix = crypto.createHash("sha256").update(session.supplier_user_id).digest("hex").slice(0, 8);
      return {
        nox_user_id: "nox_" + suffix,
        supplier_user_id: session.supplier_user_id,
        brand: session.brand || "daikin",
        device_ids: ["hp_" + suffix],
        connected_at: this.now(),
        ...overrides,
      };
    },

    /** The callback `data` NOX would send for a session (docs/protocol/nox.md §5). */
    connectionData(session, overrides = {}) {
      return encodeData(this.connection(session, overrides));
    },

    /** NOX links the devices to the NOX user (one owner per device: the last link wins, docs/protocol/nox.md §7). */
    linkDevices(noxUserId, deviceIds, brand = "daikin", profile = "steerable") {
      for (const id of deviceIds) this.devices.set(id, heatPump(id, noxUserId, brand, profile));
    },

    /**
     * The rest of a linked user's fleet (for nox-device): a heat pump in its 30-day learning period,
     * one whose manufacturer login must be renewed (needs_reauthentication), and a PV installation.
     * Their ids end in _learning, _reauth and (pv_…) the user's suffix.
     */
    linkFleet(noxUserId, brand = "daikin") {
      const suffix = noxUserId.replace(/^nox_/, "");
      this.linkDevices(noxUserId, [`hp_${suffix}_learning`], brand, "learning");
      this.linkDevices(noxUserId, [`hp_${suffix}_reauth`], brand, "reauth");
      this.packageApi.linkPv(noxUserId, `pv_${suffix}`);
      return { steerable: `hp_${suffix}`, learning: `hp_${suffix}_learning`, reauth: `hp_${suffix}_reauth`, pv: `pv_${suffix}` };
    },

    /** Package API GET /v1/devices (vector "get_devices_by_user"): x-api-key, user_id filter, limit, next_token. */
    async packageDevices(req, res, url) {
      this.counters.packageDevices += 1;
      this.packageRequests.push({ method: req.method, path: "/devices", headers: { ...req.headers }, query: Object.fromEntries(url.searchParams) });
      if (this.packageDelayMs > 0) await new Promise((r) => setTimeout(r, this.packageDelayMs));
      const key = req.headers["x-api-key"];
      if (!key) return sendJson(res, 403, { message: "Forbidden" });
      if (!this.apiKeys.has(key)) return sendJson(res, 401, { message: "Invalid API key" });
      const limit = Number(url.searchParams.get("limit") ?? 1000);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
        return sendJson(res, 422, { detail: [{ loc: ["query", "limit"], msg: "ensure this value is between 1 and 1000", type: "value_error" }] });
      }
      const user = url.searchParams.get("user_id");
      const device = url.searchParams.get("device_id");
      const all = [...this.devices.values()].filter((d) => (!user || d.user_id === user) && (!device || d.device_id === device));
      let offset = 0;
      const token = url.searchParams.get("next_token");
      if (token) {
        try {
          offset = JSON.parse(Buffer.from(token, "base64url").toString("utf8")).offset;
        } catch {
          return sendJson(res, 422, { detail: [{ loc: ["query", "next_token"], msg: "invalid token", type: "value_error" }] });
        }
      }
      const size = Math.min(limit, this.packagePageSize);
      const page = all.slice(offset, offset + size);
      const more = offset + size < all.length;
      const next = more ? Buffer.from(JSON.stringify({ offset: offset + size }), "utf8").toString("base64url") : null;
      sendJson(res, 200, { data: page, meta: { energy_supplier: "Simulated Energy", capacity_unit: "kWh", next_token: next } });
    },

    async close() {
      this.faults.releaseHung();
    },
  };
  sim.packageApi = packageApi.create(sim);
  sim.seedDemo();
  return sim;
}

/** A heat pump as GET /v1/devices lists it (vector "get_devices_by_user"), in one of three states. */
function heatPump(id, noxUserId, brand, profile) {
  const ready = "Device is ready to receive an action.";
  const reason = profile === "learning" ? "Learning period: NOX is collecting data (about 30 days after the link)." : profile === "reauth" ? "The manufacturer login has to be renewed." : ready;
  const action = { can_activate_action: profile === "steerable", in_active_action: false, reason };
  return {
    model: "SIM-1",
    brand,
    country: "BE",
    device_id: id,
    user_id: noxUserId,
    device_type: "heat_pump",
    legionella_config: { frequency_per_weeks: 1, capacity: 20, duration_minutes: 60 },
    cycle_config: { max_cycles_per_day: 8 },
    steerable_status: { steering_enabled: profile !== "reauth", steerable: profile === "steerable", DHW: { ...action }, room: { ...action } },
    needs_reauthentication: profile === "reauth",
  };
}

module.exports = { create, DEMO_API_KEY, DEMO_SUPPLIER_USER, PREFIX, LINK_PATH, PACKAGE_DEVICES_PATH, encodeData, callbackUrl };
