"use strict";
/**
 * Simulated WAVIoT auth server (docs/protocol/waviot.md §3–§4) under /waviot, one front controller keyed on
 * `?action=`. It issues sessions like the vectors (sc/rt/sessid + a synthetic WAVIOT_JWT with a
 * readable `exp`), checks the §3.2 cookie + bearer set on every authenticated call, counts open
 * sessions per user and answers 429 past `maxSessions` (30). Switches and counters are plain
 * properties so tests can turn them. Also exports `startReplayServer` (scripted answers from the
 * vectors, for the client's unit tests).
 */
const crypto = require("node:crypto");
const http = require("node:http");
const { sendJson, readBody, FaultSwitches, parseCookies } = require("./util");
const { createCabinet, DEMO_API_KEY } = require("./waviot-cabinet");

const PREFIX = "/waviot";
const DEMO_USER = { login: "demo@example.com", password: "demo-waviot-Passw0rd" };
const SALT = "waviot-simulator-salt";

function b64json(obj) {
  return Buffer.from(JSON.stringify(obj)).toString("base64"); // standard base64 WITH padding (not base64url)
}

function randomHex(n) {
  return crypto.randomBytes(n).toString("hex");
}

/** A token in the real WAVIOT_JWT format: `alg: md5`, padded base64, base64(hex(HMAC-MD5)). */
function mintJwt(claims) {
  const head = b64json({ alg: "md5", typ: "WAVIOT_JWT" });
  const body = b64json(claims);
  const sig = Buffer.from(crypto.createHmac("md5", SALT).update(`${head}.${body}`).digest("hex")).toString("base64");
  return `${head}.${body}.${sig}`;
}


function sendText(res, status, text, type = "text/html; charset=UTF-8", extra = {}) {
  res.writeHead(status, { "Content-Type": type, "Content-Length": Buffer.byteLength(text), ...extra });
  res.end(text);
}

/** `DD.MM.YYYY HH:MM:SS` in Moscow time (UTC+3), as the server writes `date_time`. */
function moscowDateTime(ms) {
  const d = new Date(ms + 3 * 3600_000);
  const p = (n) => String(n).padStart(2, "0");
  return `${p(d.getUTCDate())}.${p(d.getUTCMonth() + 1)}.${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

function historyEntry(ms, ip, userAgent, country = { id: 185, iso: "RU", lat: 60, lon: 100, name_en: "Russia" }) {
  return {
    date_time: moscowDateTime(ms),
    browser: { family: "Chrome", version: "75.0.3770" },
    operating_system: { family: "Linux", version: "" },
    device: { brand: null, family: "Other", model: null },
    ts: String(Math.floor(ms / 1000)),
    country,
    city: { id: 524901, lat: 55.75222, lon: 37.61556, name_en: "Moscow" },
    map_links: { google: "https://google.com/maps/search/55.75222,37.61556" },
    type: "browser",
    ip,
    user_agent: userAgent,
  };
}

function create(options = {}) {
  const sim = {
    prefix: PREFIX,
    baseUrl: "",
    demoEnv: { WAVIOT_LOGIN: DEMO_USER.login, WAVIOT_PASSWORD: DEMO_USER.password, WAVIOT_API_KEY: DEMO_API_KEY },
    /** login → {password, profile, settings, history} */
    users: new Map(),
    /** Seconds a WAVIOT_JWT is valid. */
    tokenLifetime: options.tokenLifetime ?? 3600,
    maxSessions: options.maxSessions ?? 30,
    /** sessid → {login, sc, rt, jwt, exp} */
    sessions: new Map(),
    /** Highest number of sessions open at once for any user (since resetCounters). */
    peakSessions: 0,
    counters: {},
    /** Protocol violations seen (e.g. a cookie named `sc`, auth on an unauthenticated call, missing X-Requested-With). */
    violations: [],
    /** Every secret value ever issued (for leak checks). */
    issued: new Set(),
    faults: new FaultSwitches("action"),

    get authUrl() {
      return this.baseUrl + PREFIX;
    },
    /** The personal-cabinet API (meter data) of the same simulated server. */
    get dataUrl() {
      return this.cabinet.dataUrl;
    },

    addUser(login, password) {
      this.users.set(login, {
        password,
        profile: {
          account_id: crypto.randomUUID(), lastName: "Smith", firstName: "Jack", headEmail: login, emailConfirmed: "1",
          createdTS: "1560160621", confirmTS: "1560160695", birthday: null, phone: "11234567890", phoneConfirmed: "1",
          balance: "0", b_id: "1129", lk_id: "5247", location: "us", language: "en", activity: "1",
        },
        settings: { "notifications-meters__email": "1", "notifications-tariffs__push": "1" },
        history: [historyEntry(Date.UTC(2019, 6, 24, 16, 2, 13), "151.101.231.191", "Mozilla/5.0 (Macintosh)")],
      });
    },

    /** Open sessions of one user (or of everybody). */
    openSessions(login) {
      let n = 0;
      for (const s of this.sessions.values()) if (!login || s.login === login) n += 1;
      return n;
    },

    /** Add an entry to the user's authorization history on every login. */
    recordLogins: true,

    /** {action: "user-logout" | "*", kind: "500"|"html"|"hang"|"429"|"unauthorized"|"garbage"|"delay" (+ ms), times} */
    fault(f) {
      this.faults.add(f);
    },
    /** Back to a freshly started server (sessions, faults, counters, limits) for the next test. */
    reset() {
      this.revokeAll();
      this.clearFaults();
      this.resetCounters();
      this.tokenLifetime = 3600;
      this.maxSessions = 30;
      this.cabinet.reset();
    },
    clearFaults() {
      this.faults.clear();
    },
    resetCounters() {
      this.counters = { login: 0, refresh: 0, logout: 0, whoami: 0, update: 0, signUp: 0, settings: 0, setSettings: 0, password: 0, recovery: 0, history: 0, unauthorized: 0, sessionLimit: 0 };
      this.peakSessions = this.openSessions();
      this.violations = [];
      this.recordLogins = true;
    },
    /** Every JWT expires now (calls answer 400 Unauthorized; refresh still works). */
    expireTokens() {
      for (const s of this.sessions.values()) s.exp = Math.floor(Date.now() / 1000) - 1;
    },
    /** Every session dies (as after a server restart): refresh answers 401, a login is needed. */
    revokeAll() {
      this.sessions.clear();
    },
    /** Adds a login to the user's authorization history (e.g. from a new country). */
    addLogin(login, entry) {
      this.users.get(login).history.push(entry);
    },

    issue(login, sessid) {
      const exp = Math.floor(Date.now() / 1000) + this.tokenLifetime;
      const user = this.users.get(login);
      const jwt = mintJwt({
        iss: "auth.waviot.sim", aud: "waviot.sim", exp, headEmail: login, claims: [], account_id: user.profile.account_id,
        firstName: "Jack", lastName: "Smith", timezone: "Europe/Moscow", language: "en", lk_id: 5247, b_id: 1129,
        apiKeys: ["simkey" + randomHex(16)], rabbit_guest_api_connection: `amqp://guest:${randomHex(8)}@127.0.0.1:5672/`,
      });
      const s = { login, sc: randomHex(16), rt: randomHex(16), sessid: sessid || randomHex(16), jwt, exp };
      for (const v of [s.sc, s.rt, s.sessid, jwt]) this.issued.add(v);
      this.sessions.set(s.sessid, s);
      this.peakSessions = Math.max(this.peakSessions, this.openSessions(login));
      return s;
    },

    /** The session the request's cookies name, if ck and rt match (the JWT may be expired). */
    sessionOf(req) {
      const c = parseCookies(req.headers.cookie);
      if ("sc" in c) this.violations.push("cookie named sc (must be ck)");
      const s = c.sessid && this.sessions.get(c.sessid);
      return s && s.sc === c.ck && s.rt === c.rt ? s : undefined;
    },

    /** docs/protocol/waviot.md §3.2: all four cookies plus `Authorization: bearer`, with an unexpired JWT. */
    authorized(req) {
      const s = this.sessionOf(req);
      const c = parseCookies(req.headers.cookie);
      const ok = s && c.WAVIOT_JWT === s.jwt && req.headers.authorization === `bearer ${s.jwt}` && s.exp * 1000 > Date.now();
      return ok ? s : undefined;
    },

    async handle(req, res, url) {
      if (url.pathname.startsWith(this.cabinet.prefix + "/")) return this.cabinet.handle(req, res, url);
      if (url.pathname !== PREFIX + "/") return false;
      const action = url.searchParams.get("action") || "";
      const fault = this.faults.take(action);
      if (fault) {
        if (fault.kind === "hang") {
          this.faults.hang(res);
          return true;
        }
        if (fault.kind === "delay") await new Promise((r) => setTimeout(r, fault.ms || 500));
        else if (fault.kind === "500") return sendText(res, 500, ""), true;
        else if (fault.kind === "html") return sendText(res, 200, "<!DOCTYPE html><html><body>login form</body></html>"), true;
        else if (fault.kind === "429") return (this.counters.sessionLimit += 1), sendText(res, 429, "Too Many Requests"), true;
        else if (fault.kind === "unauthorized") return sendText(res, action === "user-refresh" ? 401 : 400, action === "user-refresh" ? "" : "400 Unauthorized"), true;
        else if (fault.kind === "garbage") return sendJson(res, 200, { status: true }), true;
      }
      const xhr = req.headers["x-requested-with"] === "XMLHttpRequest";
      if (!xhr) this.violations.push(`no X-Requested-With on ${action}`);
      const text = await readBody(req);
      let body = {};
      try {
        body = text ? JSON.parse(text) : {};
      } catch {
        return sendJson(res, 400, { success: false, message: "Invalid JSON" }), true;
      }
      const unauthenticated = ["user-login", "user-recovery_password"].includes(action) || (action === "user" && !req.headers.cookie && !req.headers.authorization);
      if (unauthenticated && (req.headers.cookie || req.headers.authorization)) this.violations.push(`auth sent on ${action}`);

      switch (action) {
        case "user-login": {
          this.counters.login += 1;
          if (!xhr || url.searchParams.get("true_api") !== "1") return sendText(res, 200, "<html>login form</html>"), true;
          const user = this.users.get(body.login);
          if (!user || user.password !== body.password) return sendJson(res, 400, { status: false, message: "incorrect login/password pair" }), true;
          if (this.openSessions(body.login) >= this.maxSessions) {
            this.counters.sessionLimit += 1;
            return sendText(res, 429, "Too Many Requests"), true;
          }
          const s = this.issue(body.login);
          const ua = String(req.headers["user-agent"] || "node");
          if (this.recordLogins) user.history.push(historyEntry(Date.now(), "127.0.0.1", ua));
          return sendJson(res, 200, { sc: s.sc, rt: s.rt, WAVIOT_JWT: s.jwt, sessid: s.sessid }), true;
        }
        case "user-refresh": {
          this.counters.refresh += 1;
          const old = this.sessionOf(req);
          if (!old) return sendText(res, 401, ""), true;
          this.sessions.delete(old.sessid);
          const s = this.issue(old.login, old.sessid);
          return sendJson(res, 200, { sc: s.sc, rt: s.rt, WAVIOT_JWT: s.jwt, sessid: s.sessid }), true;
        }
        case "user-logout": {
          this.counters.logout += 1;
          const s = this.sessionOf(req);
          if (!xhr) return sendText(res, 302, "", "text/html", { Location: "/" }), true;
          if (!s) return sendText(res, 401, ""), true;
          this.sessions.delete(s.sessid);
          return sendText(res, 200, "", "application/json; charset=UTF-8"), true;
        }
        case "user-recovery_password": {
          this.counters.recovery += 1;
          const known = [...this.users.values()].some((u) => u.profile.headEmail === body.email);
          return sendJson(res, 200, known
            ? { message: "Email with password recovery link sent.", success: true, type: "email" }
            : { message: "The specified email was not found", success: false, type: "email" }), true;
        }
      }
      if (action === "user" && unauthenticated) {
        this.counters.signUp += 1;
        const fields = ["lastName", "firstName", "headEmail", "phone", "password", "repPassword"];
        if (!fields.every((f) => typeof body[f] === "string" && body[f]) || !/@/.test(body.headEmail)) {
          return sendJson(res, 400, { success: false, message: "There was an error during registration: wrong email address." }), true;
        }
        if (!this.users.has(body.headEmail)) this.addUser(body.headEmail, body.password);
        return sendJson(res, 200, { success: true, message: "Registration successfully completed, to log in to the system, confirmation of the email or phone number is required." }), true;
      }

      const s = this.authorized(req);
      if (!s) {
        this.counters.unauthorized += 1;
        return sendText(res, 400, "400 Unauthorized"), true;
      }
      const user = this.users.get(s.login);
      switch (action) {
        case "get-whoAmI":
          this.counters.whoami += 1;
          return sendJson(res, 200, user.profile), true;
        case "user": {
          this.counters.update += 1;
          if (body.phone !== undefined && !/^\d+$/.test(body.phone)) return sendJson(res, 400, { success: false, message: "Invalid Data Provided." }), true;
          Object.assign(user.profile, body);
          return sendJson(res, 200, { success: true, message: "User data have been updated." }), true;
        }
        case "get-accounts_settings":
          this.counters.settings += 1;
          return sendJson(res, 200, { api: Object.entries(user.settings).map(([name, value], i) => ({ name, createdTS: 1560237687 - i, value })) }), true;
        case "set-accounts_settings": {
          this.counters.setSettings += 1;
          const result = {};
          for (const [k, v] of Object.entries(body)) {
            user.settings[k] = String(v);
            result[k] = true;
          }
          return sendJson(res, 200, { success: true, set_count: Object.keys(result).length, result }), true;
        }
        case "user-password": {
          this.counters.password += 1;
          const errors = {};
          if (!body.password_old) errors.password_old = "Old password is not provided";
          else if (body.password_old !== user.password) errors.password_old = "Old password is incorrect";
          if (!body.password_new) errors.password_new = "New password is not provided";
          if (Object.keys(errors).length) return sendJson(res, 400, { code: 400, message: "Incorrect request", result: { errors } }), true;
          user.password = body.password_new;
          return sendJson(res, 200, { success: true }), true;
        }
        case "user-auth_history":
          this.counters.history += 1;
          return sendJson(res, 200, user.history.slice().reverse()), true;
      }
      sendJson(res, 404, { success: false, message: "Unknown action" });
      return true;
    },

    async close() {
      this.faults.releaseHung();
      this.cabinet.close();
    },
  };
  sim.cabinet = createCabinet(sim);
  sim.addUser(DEMO_USER.login, DEMO_USER.password);
  sim.resetCounters();
  return sim;
}

/**
 * A loopback server answering from a script, for vector tests: every request is recorded
 * ({method, url, headers, text}); each is answered by the next scripted step —
 * {status, headers, body | body_text}, or "ECONNRESET" / "connection refused" (socket destroyed), or "hang".
 */
async function startReplayServer() {
  const requests = [];
  const script = [];
  const sockets = new Set();
  const server = http.createServer(async (req, res) => {
    const text = await readBody(req);
    requests.push({ method: req.method, url: req.url, headers: req.headers, text });
    const step = script.shift();
    if (!step) return sendText(res, 599, "unexpected request", "text/plain");
    if (step === "hang") return undefined;
    if (typeof step === "string") return req.socket.destroy();
    const headers = { ...(step.headers || {}) };
    const out = step.body !== undefined ? JSON.stringify(step.body) : step.body_text || "";
    if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type") && step.body !== undefined) headers["content-type"] = "application/json";
    res.writeHead(step.status, { ...headers, "content-length": Buffer.byteLength(out) });
    res.end(out);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    script,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

module.exports = { create, DEMO_USER, DEMO_API_KEY, PREFIX, mintJwt, historyEntry, startReplayServer };
