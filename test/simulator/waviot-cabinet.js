"use strict";
/**
 * Simulated WAVIoT personal cabinet ("LK") API (docs/protocol/waviot.md §20.1–§20.4) under /waviot/lk:
 * `GET /waviot/lk/api.<type>/<method>/?…`, authenticated by the cabinet's API key (`key=`) or by a
 * session of the auth simulator (bearer + `WAVIOT_JWT` cookie). A home of three meters:
 *   - 5089081 on modem 70b3b9: two-tariff electricity meter (T1 day 07–23 MSK, T2 night), values as
 *     decimal strings, the newest hours held back until `deliverLate()` (late batches, §20.7.4 #1);
 *   - 5089082 on modem 86145d: water meter, channel id and unit unknown to the package, values as
 *     JSON numbers (string/number mix, §20.7.4 #8);
 *   - 5089083 on modem a1b2c3: single-register electricity meter whose modem went offline two days
 *     ago, with a reset to "0.0000" four days ago (§20.7.4 #2, #3).
 * Channel values answer `[]` when a window holds nothing, and also return the last reading before
 * `from` (the spec's inferred window behaviour). Switches, faults and the request log are plain
 * properties for the tests.
 */
const { sendJson, FaultSwitches, parseCookies } = require("./util");

const ELEMENT_ID = "1793084";
const DEMO_API_KEY = "5f1d8a0c3b7e49d2a6c4e8f0b1d3a5c7";
const HOUR = 3600;
const DAYS_OF_DATA = 40;

function fixed4(n) {
  return n.toFixed(4);
}


function createCabinet(auth) {
  const cab = {
    prefix: "/waviot/lk",
    apiKey: DEMO_API_KEY,
    elementId: ELEMENT_ID,
    /** Hours (newest first) held back: readings stamped then are published only by deliverLate(). */
    lagHours: 3,
    /** When true, get_balance_info answers the whole-history balance (start 0), as right after a rollover. */
    rollover: false,
    /** Every request: {at (ms), type, method, params (without key), mode: "key"|"session"|"none"|…, cookies (names), bearer}. */
    requests: [],
    /** Refused requests (bad key, expired session). */
    refused: 0,
    faults: new FaultSwitches("method"),
    /** End of the data (s): the current whole hour at reset. */
    nowS: 0,
    /** modem → channel → Map(ts s → value string|number) */
    series: new Map(),

    get dataUrl() {
      return auth.baseUrl + this.prefix;
    },

    /** {method: "get_modem_channel_values" | "*" | RegExp, kind: "500"|"html"|"expired"|"echo"|"hang", times} */
    fault(f) {
      this.faults.add(f);
    },

    reset() {
      this.faults.clear();
      this.requests = [];
      this.refused = 0;
      this.lagHours = 3;
      this.rollover = false;
      this.apiKey = DEMO_API_KEY;
      this.build();
    },

    /** The held-back hours arrive (in one batch). */
    deliverLate() {
      this.lagHours = 0;
    },

    /** Requests of one method (or all). */
    calls(method) {
      return this.requests.filter((r) => !method || r.method === method);
    },

    build() {
      const end = Math.floor(Date.now() / 1000 / HOUR) * HOUR;
      this.nowS = end;
      const start = end - DAYS_OF_DATA * 86400;
      const elec = { electro_ac_p_lsum_t1: new Map(), electro_ac_p_lsum_t2: new Map(), electro_ac_p_lsum_tsum: new Map() };
      let t1 = 21149.162;
      let t2 = 8120.5;
      const water = new Map();
      let w = 123.456;
      const single = new Map();
      let s = 668.957;
      const resetAt = end - 4 * 86400;
      const offlineFrom = end - 2 * 86400;
      for (let ts = start; ts <= end; ts += HOUR) {
        const mskHour = new Date((ts + 3 * HOUR) * 1000).getUTCHours();
        const day = mskHour >= 7 && mskHour < 23;
        if (ts > start) {
          if (day) t1 += 0.5;
          else t2 += 0.25;
          w += mskHour === 7 || mskHour === 19 ? 0.05 : 0.001;
          s = ts === resetAt ? 0 : s + 0.1;
        }
        elec.electro_ac_p_lsum_t1.set(ts, fixed4(t1));
        elec.electro_ac_p_lsum_t2.set(ts, fixed4(t2));
        elec.electro_ac_p_lsum_tsum.set(ts, fixed4(t1 + t2));
        water.set(ts, Math.round(w * 1000) / 1000); // a number, not a string
        if (ts < offlineFrom) single.set(ts, fixed4(s)); // "0.0000" at the reset
      }
      this.resetAt = resetAt;
      this.offlineFrom = offlineFrom;
      this.series = new Map([
        ["70b3b9", elec],
        ["86145d", { water_volume_forward: water }],
        ["a1b2c3", { electro_ac_p_lsum: single }],
      ]);
    },

    /** Published points of a channel (the newest `lagHours` held back). */
    points(modem, channel) {
      const m = this.series.get(modem);
      const map = m && m[channel];
      if (!map) return [];
      const limit = this.nowS - this.lagHours * HOUR;
      return [...map.entries()].filter(([ts]) => ts <= limit);
    },

    /** The value of a channel at or before ts (published), or undefined. */
    valueAt(modem, channel, ts) {
      let best;
      for (const [t, v] of this.points(modem, channel)) if (t <= ts) best = v;
      return best;
    },

    lastOf(modem, channel) {
      const p = this.points(modem, channel);
      return p.length ? p[p.length - 1] : undefined;
    },

    devices() {
      const reg = (id, modem, channel, name, unitId, tsAsString) => {
        const last = this.lastOf(modem, channel);
        return {
          id, name, channel_id: channel, unit_id: unitId, serial: "00012345", offset: 0, modem_value: last ? Number(last[1]) : 0,
          last_value: last ? String(typeof last[1] === "number" ? last[1] : last[1]) : "0.0000",
          last_value_timestamp: last ? (tsAsString ? String(last[0]) : last[0]) : 0,
          billing_init_value: 0, billing_init_timestamp: 0, events: [],
        };
      };
      return {
        5089081: {
          id: 5089081, name: "SN: 00012345", class_name: "Electricity", device_sn: 12345, modem_id: "70b3b9",
          device_time: this.nowS, config_time: String(this.nowS - 86400), timezone: "Europe/Moscow", tree_name: "Home",
          registrators: {
            electro_ac_p_lsum_t1: reg(9001, "70b3b9", "electro_ac_p_lsum_t1", "Active energy import T1", "kwh", false),
            electro_ac_p_lsum_t2: reg("9002", "70b3b9", "electro_ac_p_lsum_t2", "Active energy import T2", "kwh", true),
            electro_ac_p_lsum_tsum: reg(9003, "70b3b9", "electro_ac_p_lsum_tsum", "Active energy import sum", "kwh", false),
            electro_event_log: { id: 9004, name: "Event log", channel_id: "electro_event_log", events: [] },
          },
        },
        5089082: {
          id: "5089082", name: "SN: 77001122", class_name: "Water", device_sn: "77001122", modem_id: "86145D",
          timezone: "Europe/Moscow", tree_name: "Home",
          registrators: { water_volume_forward: reg(9101, "86145d", "water_volume_forward", "Forward volume", "42", true) },
        },
        5089083: {
          id: 5089083, name: "SN: 00054321", class_name: "Electricity", device_sn: 54321, modem_id: "a1b2c3",
          timezone: "Europe/Moscow", tree_name: "Garage",
          registrators: { electro_ac_p_lsum: reg(9201, "a1b2c3", "electro_ac_p_lsum", "Active energy import", "kwh", false) },
        },
      };
    },

    modems() {
      return {
        "70b3b9": { id: "70b3b9", modem_type: "12", protocol_id: "3", last_station_time: String(this.nowS - 1200), last_info_message: String(this.nowS - 3000), hw_version: "4.1", sw_version: "2.7.3", temperature: "21", battery: "3.49", battery_type: "1", is_balance: "0" },
        "86145d": { id: "86145d", modem_type: 14, protocol_id: 3, last_station_time: this.nowS - 600, last_info_message: this.nowS - 900, hw_version: "3.0", sw_version: "2.1.0", temperature: 8.5, battery: 3.6, battery_type: 1, is_balance: 0 },
        a1b2c3: { id: "a1b2c3", modem_type: "12", protocol_id: "3", last_station_time: String(this.offlineFrom - 1800), last_info_message: String(this.offlineFrom - 1800), hw_version: "4.1", sw_version: "2.7.1", temperature: "-3", battery: "2.91", battery_type: "1", is_balance: "0" },
      };
    },

    /** Which authentication the request carries: key (query wins, D3), a live session, or neither. */
    authOf(req, url) {
      const key = url.searchParams.get("key");
      if (key !== null) return key === this.apiKey ? "key" : "badkey";
      const bearer = String(req.headers.authorization || "");
      const jwt = parseCookies(req.headers.cookie).WAVIOT_JWT;
      if (!bearer && !jwt) return "none";
      const live = [...auth.sessions.values()].find((s) => s.jwt === jwt && bearer === `bearer ${s.jwt}` && s.exp * 1000 > Date.now());
      return live ? "session" : "expired";
    },

    async handle(req, res, url) {
      const m = /^\/waviot\/lk\/api\.(tree|data|modem|general)\/([a-z_]+)\/$/.exec(url.pathname);
      if (!m) return false;
      const [, type, method] = m;
      const params = Object.fromEntries([...url.searchParams.entries()].filter(([k]) => k !== "key"));
      const mode = this.authOf(req, url);
      const cookies = Object.keys(parseCookies(req.headers.cookie));
      this.requests.push({ at: Date.now(), type, method, params, mode, cookies, bearer: !!req.headers.authorization });
      const fault = this.faults.take(method);
      if (fault) {
        if (fault.kind === "hang") return this.faults.hang(res), true;
        if (fault.kind === "500") return sendJson(res, 500, { status: "error", message: "Internal Server Error" }), true;
        if (fault.kind === "html") return (res.writeHead(200, { "Content-Type": "text/html" }), res.end("<html>maintenance</html>")), true;
        // A hostile or buggy server that repeats the request (key included) in its error text.
        if (fault.kind === "echo") return sendJson(res, 200, { status: "error", message: `bad request ${req.url}` }), true;
        if (fault.kind === "expired") return (this.refused += 1), sendJson(res, 400, { status: "error", message: "Авторизуйтесь заново", code: 400 }), true;
      }
      if (mode === "badkey") return (this.refused += 1), sendJson(res, 403, { status: "error", message: "Access denied: invalid key" }), true;
      if (mode === "none" || mode === "expired") return (this.refused += 1), sendJson(res, 400, { status: "error", message: "Авторизуйтесь заново", code: 400 }), true;
      const ok = (body) => (sendJson(res, 200, { status: "ok", ...body }), true);
      const error = (message) => (sendJson(res, 200, { status: "error", message }), true);
      switch (`${type}/${method}`) {
        case "tree/get_element":
          return ok({ element_id: ELEMENT_ID });
        case "data/get_full_element_info":
          if (params.id !== ELEMENT_ID) return error("Нет доступа к элементу");
          return ok({ devices: this.devices() });
        case "data/get_modem_channel_values": {
          const modem = String(params.modem_id || "").toLowerCase();
          const from = Number(params.from);
          const to = Number(params.to);
          if (!Number.isFinite(from) || !Number.isFinite(to) || to < from) return error("bad period");
          if (to - from > 31 * 86400) return error("Period too long");
          const pts = this.points(modem, params.channel);
          if (!pts.length && !this.series.has(modem)) return error("Modem not found");
          const values = {};
          let before;
          for (const [ts, v] of pts) {
            if (ts < from) before = [ts, v];
            else if (ts <= to) values[String(ts)] = v;
          }
          if (before && Object.keys(values).length) values[String(before[0])] = before[1]; // the last reading before the window
          return ok({ values: Object.keys(values).length ? values : [] });
        }
        case "data/get_balance_info": {
          if (params.elementId !== ELEMENT_ID) return error("Нет доступа к элементу");
          const from = Number(params.from);
          const to = Number(params.to);
          const balance = { element_name: "Home" };
          for (const [modem, channels] of this.series) {
            for (const channel of Object.keys(channels)) {
              const start = this.rollover ? 0 : Number(this.valueAt(modem, channel, from) ?? 0);
              const end = Number(this.valueAt(modem, channel, to) ?? 0);
              balance[channel] ??= { data: {} };
              balance[channel].data[modem] = { start, end, diff: Math.round((end - start) * 1e4) / 1e4, last_message_timestamp: this.nowS };
            }
          }
          return ok({ balance });
        }
        case "modem/info": {
          const modem = this.modems()[String(params.id || "").toLowerCase()];
          return modem ? ok({ modem }) : ok({});
        }
      }
      sendJson(res, 404, { status: "error", message: "Unknown method" });
      return true;
    },

    close() {
      this.faults.releaseHung();
    },
  };
  cab.build();
  return cab;
}

module.exports = { createCabinet, DEMO_API_KEY, ELEMENT_ID };
