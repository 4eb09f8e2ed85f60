"use strict";
/**
 * Simulated Navien Smart Control REST cloud (docs/protocol/navien.md §2), built on the shared vectors.
 * State and switches are plain properties so tests can turn them:
 *   tokenLifetime / awsLifetime (s), deviceCount, faults (see `fault()`), counters.
 */
const crypto = require("node:crypto");
const { vector } = require("./vectors");
const { sendJson, readBody, FaultSwitches } = require("./util");

const PREFIX = "/navien/api/v2.1";
const DEMO_USER = { email: "demo@example.com", password: "demo-password" };

function token(kind) {
  // Opaque, JWT-looking, unique: the package must treat it as an opaque string.
  return `sim.${kind}.${crypto.randomBytes(18).toString("base64url")}`;
}

function create(options = {}) {
  const signIn = vector("navien", "rest-sign-in-response.json");
  const listVec = vector("navien", "rest-device-list-response.json");
  const infoVec = vector("navien", "rest-device-info-response.json");
  const fwVec = vector("navien", "rest-firmware-info-response.json");
  const touVec = vector("navien", "rest-tou-get-response.json");
  const convertVec = vector("navien", "rest-tou-convert-response.json");

  const sim = {
    prefix: "/navien",
    baseUrl: "",
    users: new Map([[DEMO_USER.email, DEMO_USER.password], ["user@example.com", "correct-horse"]]),
    tokenLifetime: options.tokenLifetime ?? 3600,
    awsLifetime: options.awsLifetime ?? 3600,
    /** The user type sign-in reports; GET /device/tou wants exactly this one back. */
    userType: "O",
    /** Put 401s inside HTTP 200 envelopes (a documented server quirk). */
    unauthorizedIn200: false,
    /** Include new AWS credentials in refresh answers (seed shape B). */
    refreshWithAws: false,
    devices: [],
    counters: { signIn: 0, refresh: 0, list: 0, info: 0, firmware: 0, tou: 0, touConvert: 0, touPut: 0, unauthorized: 0 },
    /** Plans applied with PUT /device/tou, by MAC (GET /device/tou then answers with them); the bodies received. */
    touPlans: new Map(),
    touPuts: [],
    /** Active access tokens → {expiresAt}; refresh tokens → email. */
    accessTokens: new Map(),
    refreshTokens: new Map(),
    /** AWS credentials issued: accessKeyId → {secretKey, sessionToken, expiresAt}. */
    awsCredentials: new Map(),
    faults: new FaultSwitches("path"),
    /** A firmware the cloud has downloaded for every device, offered for commit: {swCode, version} or null. */
    firmwareOffer: null,

    get apiUrl() {
      return this.baseUrl + PREFIX;
    },

    /** Sets how many devices the account has (generated from the vector's first device). */
    setDeviceCount(n) {
      const base = listVec.data[0];
      this.devices = [];
      for (let i = 0; i < n; i++) {
        const mac = i < 2 ? listVec.data[i].deviceInfo.macAddress : "a1b2c3d4" + (0xe000 + i).toString(16);
        const src = i < 2 ? listVec.data[i] : base;
        this.devices.push({
          deviceInfo: { ...src.deviceInfo, macAddress: mac, additionalValue: String(9876 + i), deviceName: i < 2 ? src.deviceInfo.deviceName : `Heater ${i + 1}` },
          location: { ...src.location },
        });
      }
    },

    /**
     * Adds a fault: {path: "/device/list" | RegExp | "*", kind: "500"|"hang"|"garbage"|"401"|"html"|"bad-shape", times: n}.
     */
    fault(f) {
      this.faults.add(f);
    },

    clearFaults() {
      this.faults.clear();
    },

    resetCounters() {
      for (const k of Object.keys(this.counters)) this.counters[k] = 0;
    },

    /** Forgets every token (as if the cloud restarted). */
    revokeAll() {
      this.accessTokens.clear();
      this.refreshTokens.clear();
    },

    async handle(req, res, url) {
      if (!url.pathname.startsWith(PREFIX + "/")) return false;
      const path = url.pathname.slice(PREFIX.length);
      const fault = this.faults.take(path);
      if (fault) {
        if (fault.kind === "hang") {
          this.faults.hang(res);
          return true;
        }
        if (fault.kind === "500") return sendJson(res, 500, { code: 500, msg: "INTERNAL_SERVER_ERROR", data: null }), true;
        if (fault.kind === "garbage") {
          res.writeHead(200, { "Content-Type": "application/json" });
          res.end("{\"code\":200,\"msg\":\"SUCC<<<garbage");
          return true;
        }
        if (fault.kind === "html") {
          res.writeHead(200, { "Content-Type": "text/html" });
          res.end("<html><body>Maintenance</body></html>");
          return true;
        }
        if (fault.kind === "bad-shape") return sendJson(res, 200, { code: 200, msg: "SUCCESS", data: { unexpected: true } }), true;
        if (fault.kind === "401") return this.unauthorized(res), true;
      }
      const text = await readBody(req);
      let body = {};
      try {
        body = text ? JSON.parse(text) : {};
      } catch {
        return sendJson(res, 400, { code: 400, msg: "BAD_REQUEST", data: null }), true;
      }
      switch (`${req.method} ${path}`) {
        case "POST /user/sign-in":
          return this.signIn(body, res), true;
        case "POST /auth/refresh":
          return this.refresh(body, res), true;
      }
      const auth = req.headers.authorization;
      const entry = auth && this.accessTokens.get(auth);
      if (!entry || entry.expiresAt < Date.now()) {
        this.counters.unauthorized += 1;
        return this.unauthorized(res), true;
      }
      switch (`${req.method} ${path}`) {
        case "POST /device/list": {
          this.counters.list += 1;
          const offset = Number(body.offset) || 0;
          const count = Math.min(20, Number(body.count) || 20);
          return sendJson(res, 200, { code: 200, msg: "SUCCESS", data: this.devices.slice(offset, offset + count) }), true;
        }
        case "POST /device/info": {
          this.counters.info += 1;
          const dev = this.devices.find((d) => d.deviceInfo.macAddress === body.macAddress && d.deviceInfo.additionalValue === body.additionalValue);
          if (!dev) return sendJson(res, 200, { code: 404, msg: "NOT_FOUND", data: null }), true;
          return sendJson(res, 200, { ...infoVec, data: { ...infoVec.data, deviceInfo: dev.deviceInfo, location: dev.location } }), true;
        }
        case "POST /device/firmware/info": {
          this.counters.firmware += 1;
          const dev = this.devices.find((d) => d.deviceInfo.macAddress === body.macAddress);
          if (!dev) return sendJson(res, 200, { code: 404, msg: "NOT_FOUND", data: null }), true;
          const offer = this.firmwareOffer;
          const firmwares = fwVec.data.firmwares.map((f) => ({
            ...f,
            macAddress: dev.deviceInfo.macAddress,
            additionalValue: dev.deviceInfo.additionalValue,
            ...(offer && offer.swCode === f.curSwCode ? { downloadedVersion: offer.version } : {}),
          }));
          return sendJson(res, 200, { ...fwVec, data: { firmwares } }), true;
        }
        case "GET /device/tou": {
          this.counters.tou += 1;
          const q = url.searchParams;
          const dev = this.devices.find((d) => d.deviceInfo.macAddress === q.get("macAddress"));
          if (!dev || !q.get("controllerId") || q.get("userType") !== this.userType) return sendJson(res, 200, { code: 400, msg: "BAD_PARAMETER", data: null }), true;
          const data = JSON.parse(JSON.stringify(this.touPlans.get(dev.deviceInfo.macAddress) ?? touVec.data));
          data.touInfo.controllerId = q.get("controllerId");
          return sendJson(res, 200, { ...touVec, data }), true;
        }
        case "POST /device/tou/convert": {
          // docs/protocol/navien.md §14 "TOU plans from OpenEI": OpenEI plans (version 7) in, the device's TOU format out (the vector's schedule).
          this.counters.touConvert += 1;
          const ok = body.sourceType === "openei" && body.sourceVersion === 7 && Array.isArray(body.sourceData) && body.sourceData.length && body.userType === this.userType;
          if (!ok) return sendJson(res, 200, { code: 400, msg: "BAD_PARAMETER", data: null }), true;
          const schedule = convertVec.data.touInfo[0].schedule;
          const touInfo = body.sourceData.map((p) => ({ utility: p.utility, name: p.name, schedule: JSON.parse(JSON.stringify(schedule)) }));
          return sendJson(res, 200, { code: 200, msg: "SUCCESS", data: { touInfo } }), true;
        }
        case "PUT /device/tou": {
          this.counters.touPut += 1;
          this.touPuts.push(body);
          const dev = this.devices.find((d) => d.deviceInfo.macAddress === body.macAddress && d.deviceInfo.additionalValue === body.additionalValue);
          const t = body.touInfo;
          if (!dev || !t || !Array.isArray(t.schedule) || body.sourceType !== "openei" || body.userType !== this.userType) {
            return sendJson(res, 200, { code: 400, msg: "BAD_PARAMETER", data: null }), true;
          }
          const zip = Number(body.zipCode);
          const stored = { registerPath: body.registerPath, sourceType: "openei", touInfo: { ...t, zipCode: Number.isFinite(zip) ? zip : t.zipCode } };
          this.touPlans.set(dev.deviceInfo.macAddress, stored);
          return sendJson(res, 200, { code: 200, msg: "SUCCESS", data: { sourceType: "openei", touInfo: stored.touInfo } }), true;
        }
      }
      sendJson(res, 404, { code: 404, msg: "NOT_FOUND", data: null });
      return true;
    },

    unauthorized(res) {
      sendJson(res, this.unauthorizedIn200 ? 200 : 401, { code: 401, msg: "Unauthorized", data: null });
    },

    issueTokens(email, withAws) {
      const accessToken = token("access");
      const refreshToken = token("refresh");
      this.accessTokens.set(accessToken, { email, expiresAt: Date.now() + this.tokenLifetime * 1000 });
      this.refreshTokens.set(refreshToken, email);
      const out = { idToken: token("id"), accessToken, refreshToken, authenticationExpiresIn: this.tokenLifetime };
      if (withAws) {
        const accessKeyId = "ASIASIM" + crypto.randomBytes(7).toString("hex").toUpperCase().slice(0, 13);
        const secretKey = crypto.randomBytes(30).toString("base64");
        const sessionToken = "IQoJsim" + crypto.randomBytes(48).toString("base64");
        this.awsCredentials.set(accessKeyId, { secretKey, sessionToken, expiresAt: Date.now() + this.awsLifetime * 1000 });
        Object.assign(out, { accessKeyId, secretKey, sessionToken, authorizationExpiresIn: this.awsLifetime });
      }
      return out;
    },

    signIn(body, res) {
      this.counters.signIn += 1;
      const pw = this.users.get(body.userId);
      if (!pw || pw !== body.password) return sendJson(res, 401, { code: 401, msg: "Invalid credentials" });
      const data = JSON.parse(JSON.stringify(signIn.data));
      data.userInfo.userType = this.userType;
      data.token = this.issueTokens(body.userId, true);
      sendJson(res, 200, { code: 200, msg: "SUCCESS", data });
    },

    refresh(body, res) {
      this.counters.refresh += 1;
      const email = this.refreshTokens.get(body.refreshToken);
      if (!email) return sendJson(res, 401, { code: 401, msg: "Invalid refresh token", data: null });
      const t = this.issueTokens(email, this.refreshWithAws);
      // Like Cognito: a refresh does not rotate the refresh token.
      this.refreshTokens.delete(t.refreshToken);
      delete t.refreshToken;
      sendJson(res, 200, { code: 200, msg: "SUCCESS", data: t });
    },

    async close() {
      this.faults.releaseHung();
    },
  };
  require("./navien-mqtt").attachBroker(sim, options.mqtt || {});
  sim.setDeviceCount(options.deviceCount ?? 2);
  return sim;
}

module.exports = { create, DEMO_USER, PREFIX };
