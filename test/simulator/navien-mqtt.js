"use strict";
/**
 * Simulated Navien MQTT broker (AWS IoT Core stand-in, docs/protocol/navien.md §4–§6) with simulated NWP500 devices.
 *
 * `attachBroker(navienSim, options)` adds to the REST simulator object:
 *   navienSim.upgrade(req, socket, head)  WebSocket upgrade on /navien/mqtt (sub-protocol `mqtt`):
 *       verifies the SigV4 presign (§4) independently of the package's code against
 *       navienSim.awsCredentials, refuses with HTTP 403 + `x-amzn-ErrorType` / `x-sim-reason`
 *       headers and a JSON body, otherwise hands the stream to an aedes broker.
 *   navienSim.mqttUrl                    ws://host:port/navien/mqtt
 *   navienSim.broker                     controls:
 *       dropAll()            destroy every client socket (24-h cut-off / network loss)
 *       stop() / start()     drop all and refuse upgrades with 503 until start() (broker restart)
 *       restart(downMs)      stop(), then start() after downMs; resolves when started again
 *       cutEveryMs           drop every connection every N ms (AWS IoT's 24-h cut-off, compressed; 0 = off)
 *       presigns             every accepted upgrade's presign: [{at, amzDate, signature, accessKeyId}]
 *       kick(clientId)       close one MQTT client
 *       liveConnections      open MQTT clients (after CONNECT); maxLiveConnections (high-water mark)
 *       openWebSockets       open WebSocket connections; maxOpenWebSockets
 *       clientIds            ids of the open MQTT clients
 *       counters             {upgrades, accepted, connects, disconnects, refusals: {reason: n}, publishes: {topic: n},
 *                            subscribes: {filter: n}, unsubscribes: {filter: n}, devicePublishes}
 *       acceptedKeys         AWS access key id of every accepted upgrade
 *       received             last client publishes [{topic, clientId, payload (parsed JSON or string), at}]
 *       resetCounters()
 *       device(mac)          the SimDevice (state: status, feature, reservations, touPeriods; silent)
 *       publishStatus(mac?)  make device(s) publish an unsolicited status now
 *       autoStatusMs         devices publish a status by themselves every N ms (0 = off)
 *       answerDelayMs        delay before a device answers
 *       ackDelayMs           hold client publishes (and their PUBACK) this long
 *       silent               no device answers (NAVIEN_TIMEOUT tests)
 *       region               region expected in the signature scope (default us-east-1)
 *       clockSkewMs          allowed X-Amz-Date skew (default 15 min)
 *       waitFor(pred, ms)    resolves when pred(broker) is true
 *       close()
 * Options: {autoStatusMs, answerDelayMs, silent, region}. The env var NAVIEN_SIM_AUTO_STATUS_MS sets
 * the default of autoStatusMs (for `npm start`).
 */
const crypto = require("node:crypto");
const { WebSocketServer, createWebSocketStream } = require("ws");
const { Aedes } = require("aedes");
const { SimDevice } = require("./navien-device");

const PATH = "/navien/mqtt";
const SERVICE = "iotdevicegateway";

/** AWS-style error type per refusal reason (what a client can read from the 403). */
const ERROR_TYPES = {
  "missing-params": "IncompleteSignatureException",
  "bad-algorithm": "IncompleteSignatureException",
  "bad-signed-headers": "IncompleteSignatureException",
  "wrong-service": "SignatureDoesNotMatchException",
  "wrong-region": "SignatureDoesNotMatchException",
  "date-skew": "InvalidSignatureException",
  "scope-date": "SignatureDoesNotMatchException",
  "unknown-key": "UnrecognizedClientException",
  "signature-mismatch": "SignatureDoesNotMatchException",
  "token-signed": "SignatureDoesNotMatchException",
  expired: "ExpiredTokenException",
  "token-missing": "UnrecognizedClientException",
  "token-mismatch": "UnrecognizedClientException",
  "bad-subprotocol": "BadRequestException",
};

const MESSAGES = {
  "missing-params": "Missing SigV4 query parameters.",
  "bad-algorithm": "Unsupported X-Amz-Algorithm.",
  "bad-signed-headers": "X-Amz-SignedHeaders must be host.",
  "wrong-service": "Credential should be scoped to correct service: 'iotdevicegateway'.",
  "wrong-region": "Credential should be scoped to a valid region.",
  "date-skew": "Signature expired: X-Amz-Date is outside the allowed clock skew.",
  "scope-date": "Date in Credential scope does not match X-Amz-Date.",
  "unknown-key": "The security token included in the request is invalid.",
  "signature-mismatch": "The request signature we calculated does not match the signature you provided.",
  "token-signed": "The request signature we calculated does not match the signature you provided (X-Amz-Security-Token must not be signed for AWS IoT).",
  expired: "The security token included in the request is expired.",
  "token-missing": "X-Amz-Security-Token is required for temporary credentials.",
  "token-mismatch": "The security token included in the request is invalid.",
  "bad-subprotocol": "WebSocket sub-protocol mqtt required.",
};

// --------------------------------------------------------------------- SigV4 verification
// Implemented from docs/protocol/navien.md §4 on purpose without the package's presign code.

function enc(s) {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

/** Raw query → [[name, value]] decoded (no '+' → space: that is form encoding, not RFC 3986). */
function parseQuery(raw) {
  if (!raw) return [];
  return raw.split("&").filter(Boolean).map((pair) => {
    const i = pair.indexOf("=");
    const k = i < 0 ? pair : pair.slice(0, i);
    const v = i < 0 ? "" : pair.slice(i + 1);
    return [decodeURIComponent(k), decodeURIComponent(v)];
  });
}

function hmac(key, text) {
  return crypto.createHmac("sha256", key).update(text, "utf8").digest();
}

function signatureFor({ method, path, params, host, secretKey, amzDate, region, service }) {
  const canonicalQuery = params
    .map(([k, v]) => [enc(k), enc(v)])
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const emptyHash = crypto.createHash("sha256").update("").digest("hex");
  const canonicalRequest = `${method}\n${path}\n${canonicalQuery}\nhost:${host}\n\nhost\n${emptyHash}`;
  const scope = `${amzDate.slice(0, 8)}/${region}/${service}/aws4_request`;
  const sts = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${crypto.createHash("sha256").update(canonicalRequest).digest("hex")}`;
  let key = hmac("AWS4" + secretKey, amzDate.slice(0, 8));
  key = hmac(key, region);
  key = hmac(key, service);
  key = hmac(key, "aws4_request");
  return crypto.createHmac("sha256", key).update(sts).digest("hex");
}

function safeEqualHex(a, b) {
  const x = Buffer.from(String(a));
  const y = Buffer.from(String(b));
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

function parseAmzDate(s) {
  const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(s || "");
  if (!m) return NaN;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
}

/**
 * Verifies the presigned upgrade request. Returns {ok: true, accessKeyId} or {ok: false, reason}.
 * @param {{method: string, rawPath: string, rawQuery: string, host: string}} r
 */
function verifyPresign(r, { credentials, region, skewMs, now }) {
  const all = parseQuery(r.rawQuery);
  const get = (name) => {
    const e = all.find(([k]) => k === name);
    return e ? e[1] : undefined;
  };
  const algorithm = get("X-Amz-Algorithm");
  const credential = get("X-Amz-Credential");
  const amzDate = get("X-Amz-Date");
  const signedHeaders = get("X-Amz-SignedHeaders");
  const signature = get("X-Amz-Signature");
  const token = get("X-Amz-Security-Token");
  if (!algorithm || !credential || !amzDate || !signedHeaders || !signature) return { ok: false, reason: "missing-params" };
  if (algorithm !== "AWS4-HMAC-SHA256") return { ok: false, reason: "bad-algorithm" };
  if (signedHeaders !== "host") return { ok: false, reason: "bad-signed-headers" };
  const parts = credential.split("/");
  if (parts.length !== 5 || parts[4] !== "aws4_request") return { ok: false, reason: "missing-params" };
  const [accessKeyId, day, scopeRegion, service] = parts;
  if (service !== SERVICE) return { ok: false, reason: "wrong-service" };
  if (scopeRegion !== region) return { ok: false, reason: "wrong-region" };
  const t = parseAmzDate(amzDate);
  if (!Number.isFinite(t) || Math.abs(now - t) > skewMs) return { ok: false, reason: "date-skew" };
  if (day !== amzDate.slice(0, 8)) return { ok: false, reason: "scope-date" };
  const cred = credentials.get(accessKeyId);
  if (!cred) return { ok: false, reason: "unknown-key" };
  // AWS IoT: the signature covers every query parameter except the signature and the session token.
  const signed = all.filter(([k]) => k !== "X-Amz-Signature" && k !== "X-Amz-Security-Token");
  const base = { method: r.method, path: r.rawPath, host: r.host, secretKey: cred.secretKey, amzDate, region: scopeRegion, service };
  const expected = signatureFor({ ...base, params: signed });
  if (!safeEqualHex(expected, signature)) {
    const withToken = all.filter(([k]) => k !== "X-Amz-Signature");
    const tokenSigned = token !== undefined && safeEqualHex(signatureFor({ ...base, params: withToken }), signature);
    return { ok: false, reason: tokenSigned ? "token-signed" : "signature-mismatch" };
  }
  if (cred.expiresAt <= now) return { ok: false, reason: "expired" };
  if (!token) return { ok: false, reason: "token-missing" };
  if (token !== cred.sessionToken) return { ok: false, reason: "token-mismatch" };
  return { ok: true, accessKeyId };
}

function refuse(socket, status, reason) {
  const text = JSON.stringify({ message: MESSAGES[reason] || reason, reason });
  const statusText = { 400: "Bad Request", 403: "Forbidden", 503: "Service Unavailable" }[status] || "Error";
  const type = status === 503 ? "ServiceUnavailableException" : ERROR_TYPES[reason] || "ForbiddenException";
  socket.write(
    `HTTP/1.1 ${status} ${statusText}\r\n` +
      "Content-Type: application/json\r\n" +
      `Content-Length: ${Buffer.byteLength(text)}\r\n` +
      `x-amzn-ErrorType: ${type}\r\n` +
      `x-sim-reason: ${reason}\r\n` +
      "Connection: close\r\n\r\n" +
      text,
  );
  socket.destroy();
}

// --------------------------------------------------------------------- broker

function attachBroker(sim, options = {}) {
  const envAuto = Number(process.env.NAVIEN_SIM_AUTO_STATUS_MS) || 0;
  const aedes = new Aedes({
    heartbeatInterval: 60_000,
    // `ackDelayMs` holds client publishes (and so their PUBACK) for a while: lets tests cut a
    // connection while a publish is in flight.
    authorizePublish: (client, packet, cb) => {
      if (packet.topic.startsWith("$SYS")) return cb(new Error("$SYS is reserved"));
      const delay = broker ? broker.ackDelayMs : 0;
      if (!delay) return cb(null);
      const t = setTimeout(() => {
        timers.delete(t);
        cb(null);
      }, delay);
      timers.add(t);
    },
    published: (packet, client, cb) => {
      try {
        recordPublish(packet, client);
      } finally {
        cb();
      }
    },
  });
  const ready = aedes.listen();
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has("mqtt") ? "mqtt" : false),
  });
  const sockets = new Set(); // open WebSockets
  const clients = new Map(); // clientId → aedes client
  const deviceState = new Map(); // mac → SimDevice
  const timers = new Set();
  let autoTimer = null;
  let cutTimer = null;
  let cutEveryMs = 0;
  let autoStatusMs = options.autoStatusMs ?? envAuto;
  let stopped = false;
  let closed = false;

  aedes.on("error", () => {});
  aedes.on("clientError", () => {});
  aedes.on("connectionError", () => {});

  const broker = {
    region: options.region || "us-east-1",
    clockSkewMs: 15 * 60_000,
    answerDelayMs: options.answerDelayMs ?? 0,
    ackDelayMs: 0,
    silent: !!options.silent,
    maxLiveConnections: 0,
    maxOpenWebSockets: 0,
    counters: null,
    received: [],
    aedes,

    resetCounters() {
      this.counters = { upgrades: 0, accepted: 0, connects: 0, disconnects: 0, refusals: {}, publishes: {}, subscribes: {}, unsubscribes: {}, devicePublishes: 0, framesIn: 0 };
      /** AWS access key id of every accepted upgrade, in order. */
      this.acceptedKeys = [];
      /** The presign of every accepted upgrade, in order (a reconnect must be freshly signed). */
      this.presigns = [];
      this.received = [];
      this.maxLiveConnections = clients.size;
      this.maxOpenWebSockets = sockets.size;
    },

    get liveConnections() {
      return clients.size;
    },
    get openWebSockets() {
      return sockets.size;
    },
    get clientIds() {
      return [...clients.keys()];
    },
    get stopped() {
      return stopped;
    },
    get refusalCount() {
      return Object.values(this.counters.refusals).reduce((a, b) => a + b, 0);
    },

    get autoStatusMs() {
      return autoStatusMs;
    },
    set autoStatusMs(ms) {
      autoStatusMs = Number(ms) || 0;
      scheduleAuto();
    },

    /** Destroys every client socket at once (24-h cut-off, network loss). */
    dropAll() {
      for (const ws of sockets) ws.terminate();
    },
    /** Broker restart: drop everything and refuse upgrades (HTTP 503) until start(). */
    stop() {
      stopped = true;
      this.dropAll();
    },
    start() {
      stopped = false;
    },
    /** Broker restart: down (refusing with 503) for downMs, then up again. */
    restart(downMs = 500) {
      this.stop();
      return new Promise((resolve) => {
        const t = setTimeout(() => {
          timers.delete(t);
          if (!closed) this.start();
          resolve();
        }, downMs);
        timers.add(t);
      });
    },
    /** AWS IoT cuts every connection after 24 h; this compresses that to N ms (0 = never). */
    get cutEveryMs() {
      return cutEveryMs;
    },
    set cutEveryMs(ms) {
      cutEveryMs = Number(ms) || 0;
      if (cutTimer) clearInterval(cutTimer);
      cutTimer = null;
      if (cutEveryMs > 0 && !closed) {
        cutTimer = setInterval(() => broker.dropAll(), cutEveryMs);
        cutTimer.unref?.();
      }
    },
    /** Closes one MQTT client (as AWS does for a duplicate client id). */
    kick(clientId) {
      const c = clients.get(clientId);
      if (!c) return false;
      c.close();
      return true;
    },

    device(mac) {
      const key = String(mac).toLowerCase().replace(/[^0-9a-f]/g, "");
      let d = deviceState.get(key);
      const info = (sim.devices || []).find((x) => x.deviceInfo.macAddress === key);
      if (!d && info) {
        d = new SimDevice({ mac: key, additionalValue: info.deviceInfo.additionalValue, deviceType: info.deviceInfo.deviceType });
        deviceState.set(key, d);
      }
      if (d && info) {
        d.additionalValue = info.deviceInfo.additionalValue;
        d.deviceType = info.deviceInfo.deviceType ?? 52;
      }
      return d;
    },

    /** Every device of the account publishes a status now (or only `mac`). */
    publishStatus(mac) {
      const list = mac ? [mac] : (sim.devices || []).map((x) => x.deviceInfo.macAddress);
      for (const m of list) {
        const d = this.device(m);
        if (!d || d.silent) continue;
        const { topic, payload } = d.unsolicitedStatus();
        devicePublish(topic, payload);
      }
    },

    waitFor(pred, ms = 5_000) {
      return new Promise((resolve, reject) => {
        const start = Date.now();
        const tick = () => {
          if (pred(broker)) return resolve();
          if (Date.now() - start > ms) return reject(new Error("broker.waitFor timed out"));
          const t = setTimeout(() => {
            timers.delete(t);
            tick();
          }, 10);
          timers.add(t);
        };
        tick();
      });
    },

    async close() {
      if (closed) return;
      closed = true;
      if (autoTimer) clearInterval(autoTimer);
      autoTimer = null;
      if (cutTimer) clearInterval(cutTimer);
      cutTimer = null;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const ws of sockets) ws.terminate();
      await ready.catch(() => {});
      await new Promise((resolve) => aedes.close(() => resolve()));
      wss.close();
    },
  };
  broker.resetCounters();

  function devicePublish(topic, payload) {
    if (closed) return;
    broker.counters.devicePublishes += 1;
    aedes.publish({ cmd: "publish", topic, payload: Buffer.from(JSON.stringify(payload)), qos: 1, retain: false, dup: false }, () => {});
  }

  function scheduleAuto() {
    if (autoTimer) clearInterval(autoTimer);
    autoTimer = null;
    if (autoStatusMs > 0 && !closed) {
      autoTimer = setInterval(() => broker.publishStatus(), autoStatusMs);
      autoTimer.unref?.();
    }
  }
  scheduleAuto();

  aedes.on("client", (client) => {
    clients.set(client.id, client);
    broker.counters.connects += 1;
    broker.maxLiveConnections = Math.max(broker.maxLiveConnections, clients.size);
  });
  aedes.on("clientDisconnect", (client) => {
    if (clients.get(client.id) === client) clients.delete(client.id);
    broker.counters.disconnects += 1;
  });
  aedes.on("subscribe", (subs) => {
    for (const s of subs) broker.counters.subscribes[s.topic] = (broker.counters.subscribes[s.topic] || 0) + 1;
  });
  aedes.on("unsubscribe", (topics) => {
    for (const t of topics) broker.counters.unsubscribes[t] = (broker.counters.unsubscribes[t] || 0) + 1;
  });
  // Recorded in aedes' `published` hook (note: aedes may send the PUBACK before this runs).
  function recordPublish(packet, client) {
    if (!client) return; // the devices' own answers and $SYS
    broker.counters.publishes[packet.topic] = (broker.counters.publishes[packet.topic] || 0) + 1;
    let payload = packet.payload.toString("utf8");
    try {
      payload = JSON.parse(payload);
    } catch {
      /* keep text */
    }
    broker.received.push({ topic: packet.topic, clientId: client.id, payload, at: Date.now() });
    if (broker.received.length > 2000) broker.received.shift();
  }

  // The devices: one internal subscription over every device request topic (any device type; a
  // device answers only under its own type, docs/protocol/navien.md §5).
  aedes.subscribe(
    "cmd/+/+/#",
    (packet, cb) => {
      cb();
      if (!packet.clientId) return; // published by the broker itself (device answers)
      const m = /^cmd\/(\d+)\/navilink-([0-9a-f]{12})\//.exec(packet.topic);
      if (!m) return;
      const d = broker.device(m[2]);
      if (!d || broker.silent || String(d.deviceType) !== m[1]) return;
      let msg;
      try {
        msg = JSON.parse(packet.payload.toString("utf8"));
      } catch {
        return;
      }
      const answers = d.handle(packet.topic, msg);
      if (!answers.length) return;
      const send = () => answers.forEach((a) => devicePublish(a.topic, a.payload));
      const delay = Math.max(broker.answerDelayMs, answers.delayMs || 0); // delayMs: the device's own processing time
      if (delay > 0) {
        const t = setTimeout(() => {
          timers.delete(t);
          send();
        }, delay);
        timers.add(t);
      } else setImmediate(send);
    },
    () => {},
  );

  sim.broker = broker;
  Object.defineProperty(sim, "mqttUrl", {
    configurable: true,
    enumerable: true,
    get() {
      return this.baseUrl.replace(/^http/, "ws") + PATH;
    },
  });

  sim.upgrade = function upgrade(req, socket, head) {
    const raw = req.url || "";
    const q = raw.indexOf("?");
    const rawPath = q < 0 ? raw : raw.slice(0, q);
    if (rawPath !== PATH) return false;
    broker.counters.upgrades += 1;
    const count = (reason) => {
      broker.counters.refusals[reason] = (broker.counters.refusals[reason] || 0) + 1;
    };
    if (closed || stopped) {
      count("stopped");
      refuse(socket, 503, "stopped");
      return true;
    }
    const protocols = String(req.headers["sec-websocket-protocol"] || "").split(",").map((s) => s.trim());
    if (!protocols.includes("mqtt")) {
      count("bad-subprotocol");
      refuse(socket, 400, "bad-subprotocol");
      return true;
    }
    const v = verifyPresign(
      { method: req.method, rawPath, rawQuery: q < 0 ? "" : raw.slice(q + 1), host: req.headers.host || "" },
      { credentials: sim.awsCredentials, region: broker.region, skewMs: broker.clockSkewMs, now: Date.now() },
    );
    if (!v.ok) {
      count(v.reason);
      refuse(socket, 403, v.reason);
      return true;
    }
    broker.counters.accepted += 1;
    broker.acceptedKeys.push(v.accessKeyId);
    const query = new URLSearchParams(q < 0 ? "" : raw.slice(q + 1));
    broker.presigns.push({ at: Date.now(), amzDate: query.get("X-Amz-Date"), signature: query.get("X-Amz-Signature"), accessKeyId: v.accessKeyId });
    ready.then(
      () => {
        if (closed || stopped || socket.destroyed) return socket.destroy();
        wss.handleUpgrade(req, socket, head, (ws) => {
          sockets.add(ws);
          broker.maxOpenWebSockets = Math.max(broker.maxOpenWebSockets, sockets.size);
          ws.on("close", () => sockets.delete(ws));
          ws.on("error", () => {});
          ws.on("message", () => (broker.counters.framesIn += 1)); // WebSocket frames from clients
          const stream = createWebSocketStream(ws);
          stream.on("error", () => {});
          aedes.handle(stream, req);
        });
      },
      () => socket.destroy(),
    );
    return true;
  };

  const restClose = sim.close.bind(sim);
  sim.close = async function close() {
    await broker.close();
    await restClose();
  };
  return broker;
}

module.exports = { attachBroker, verifyPresign, PATH };
