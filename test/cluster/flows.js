"use strict";
/**
 * The flows every instance runs (the same on all, as in FlowFuse HA or a docker-compose set-up):
 * one home-energy-cluster named by the three accounts; NOX link + strict callback; a
 * navien-status-in; a waviot-history with onlyNew. Every output, error (Catch) and status (Status)
 * is reported to the test's collector over HTTP with the instance's name (env INSTANCE).
 */
function report(id, kind, collectorUrl, y) {
  return [
    {
      id: `${id}-fn`, type: "function", z: "t", name: `report ${kind}`, x: 600, y,
      func: `msg.payload = { instance: env.get("INSTANCE"), kind: ${JSON.stringify(kind)}, payload: msg.payload, topic: msg.topic, error: msg.error ? { code: msg.error.code, message: msg.error.message } : undefined, status: msg.status };\nmsg.headers = { "content-type": "application/json" };\nreturn msg;`,
      outputs: 1, timeout: 0, noerr: 0, initialize: "", finalize: "", libs: [], wires: [[`${id}-post`]],
    },
    { id: `${id}-post`, type: "http request", z: "t", name: "", method: "POST", ret: "txt", paytoqs: "ignore", url: collectorUrl, tls: "", persist: false, proxy: "", insecureHTTPParser: false, authType: "", senderr: false, headers: [], x: 800, y, wires: [[]] },
  ];
}

function clusterFlows({ redisUrl, redisPassword, sim, noxKey, navien, waviot, proxyUrl, collectorUrl }) {
  return [
    { id: "t", type: "tab", label: "cluster test", disabled: false, info: "" },
    { id: "cl", type: "home-energy-cluster", name: "test cluster", url: redisUrl, prefix: "he-test", credentials: { password: redisPassword } },

    // NOX: GET /link?user=… creates a link session (answers its JSON); the callback is served by nox-callback.
    { id: "nox-acc", type: "nox-account", name: "nox", apiUrl: sim.nox.apiUrl, cluster: "cl", credentials: { apiKey: noxKey } },
    { id: "link-in", type: "http in", z: "t", name: "", url: "/link", method: "get", upload: false, swaggerDoc: "", x: 100, y: 40, wires: [["link-req"]] },
    {
      id: "link-req", type: "function", z: "t", name: "link request", x: 250, y: 40, outputs: 1, timeout: 0, noerr: 0, initialize: "", finalize: "", libs: [],
      func: `msg.payload = { user_id: String(msg.req.query.user), redirect_url: ${JSON.stringify(proxyUrl + "/nox/callback")} };\nreturn msg;`,
      wires: [["link"]],
    },
    { id: "link", type: "nox-link", z: "t", name: "", account: "nox-acc", userId: "", redirectUrl: "", language: "en", brand: "", assetType: "", timeout: 10, storeScope: "global", store: "", x: 400, y: 40, wires: [["link-res"]] },
    { id: "link-res", type: "http response", z: "t", name: "", statusCode: "", headers: {}, x: 550, y: 40, wires: [] },
    { id: "link-catch", type: "catch", z: "t", name: "", scope: ["link"], uncaught: false, x: 100, y: 80, wires: [["link-fail", "link-err-fn"]] },
    {
      id: "link-fail", type: "function", z: "t", name: "503 + code", x: 250, y: 80, outputs: 1, timeout: 0, noerr: 0, initialize: "", finalize: "", libs: [],
      func: "msg.statusCode = 503;\nmsg.payload = { code: msg.error.code };\nreturn msg;",
      wires: [["link-res"]],
    },
    ...report("link-err", "link-error", collectorUrl, 80),
    { id: "cb", type: "nox-callback", z: "t", name: "", account: "nox-acc", url: "/nox/callback", redirect: "", strict: true, storeScope: "global", store: "", x: 120, y: 140, wires: [["cb-out-fn"]] },
    ...report("cb-out", "callback", collectorUrl, 140),
    { id: "cb-catch", type: "catch", z: "t", name: "", scope: ["cb"], uncaught: false, x: 100, y: 180, wires: [["cb-err-fn"]] },
    ...report("cb-err", "callback-error", collectorUrl, 180),

    // Navien: one status-in (the leader's emits; standbys show "standby").
    { id: "nav-acc", type: "navien-account", name: "navien", apiUrl: sim.navien.apiUrl, mqttUrl: sim.url.replace(/^http/, "ws") + "/navien/mqtt", region: "us-east-1", unit: "F", persistTokens: false, cluster: "cl", credentials: navien },
    { id: "st", type: "navien-status-in", z: "t", name: "", account: "nav-acc", device: "", interval: 5, onlyChanges: false, includeRaw: false, x: 120, y: 240, wires: [["st-out-fn"]] },
    ...report("st-out", "status-msg", collectorUrl, 240),
    { id: "st-status", type: "status", z: "t", name: "", scope: ["st"], x: 100, y: 280, wires: [["st-st-fn"]] },
    ...report("st-st", "node-status", collectorUrl, 280),

    // WAVIoT: GET /history triggers waviot-history (onlyNew); a Complete node reports the end of each run.
    { id: "wv-acc", type: "waviot-account", name: "waviot", authUrl: sim.waviot.authUrl, cluster: "cl", credentials: waviot },
    { id: "hist-in", type: "http in", z: "t", name: "", url: "/history", method: "get", upload: false, swaggerDoc: "", x: 100, y: 340, wires: [["hist", "hist-ok"]] },
    { id: "hist-ok", type: "http response", z: "t", name: "", statusCode: "202", headers: {}, x: 300, y: 380, wires: [] },
    { id: "hist", type: "waviot-history", z: "t", name: "", account: "wv-acc", onlyNew: true, x: 300, y: 340, wires: [["hist-out-fn"]] },
    ...report("hist-out", "history", collectorUrl, 340),
    { id: "hist-done", type: "complete", z: "t", name: "", scope: ["hist"], uncaught: false, x: 100, y: 420, wires: [["hist-done-fn"]] },
    ...report("hist-done", "history-done", collectorUrl, 420),
    { id: "hist-catch", type: "catch", z: "t", name: "", scope: ["hist"], uncaught: false, x: 100, y: 460, wires: [["hist-err-fn"]] },
    ...report("hist-err", "history-error", collectorUrl, 460),
  ];
}

module.exports = { clusterFlows };
