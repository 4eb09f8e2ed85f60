"use strict";
/**
 * Simulated NOX Package API beyond the device list (spec nox-package-api.md, documented parts
 * only), for the devices the simulated link flow creates. Mounted by nox.js under
 * /nox/package/v1:
 *   GET   /devices/pv                          PV installations (limit, next_token)
 *   GET   /devices/settings                    settings (user_id, device_id filters)
 *   PATCH /devices/settings                    change settings: 204; 422 (FastAPI detail) for a
 *                                              missing user_id, wrong types, flex_trading together
 *                                              with pv_self_consumption/dynamic_tariff, reversed
 *                                              bounds, out-of-range temperatures; 404 unknown device
 *   GET   /device/thermal-control/current-state  thermal snapshot (device_id, unit kWh|celsius)
 *   GET   /device/thermal-control/forecast       thermal forecast per 15 min (start_time, end_time)
 *   GET   /house/consumption/forecast            72 h per 15 min, decimal strings, paged
 *                                                (consumptionPageSize, default 96 → 3 pages)
 * Every call needs the x-api-key (403 without, 401 unknown) and is recorded in
 * nox.packageRequests ({method, path, query, headers, body}).
 */
const { sendJson, readBody } = require("./util");

const MODES = ["auto", "heating", "cooling", "off"];
const QUARTER = 15 * 60 * 1000;

const missing = (...loc) => ({ loc: ["body", ...loc], msg: "Field required", type: "missing" });
const invalid = (loc, msg, type = "value_error") => ({ loc: ["body", ...loc], msg, type });

function token(offset) {
  return Buffer.from(JSON.stringify({ offset }), "utf8").toString("base64url");
}
function offsetOf(text) {
  if (!text) return 0;
  const o = JSON.parse(Buffer.from(text, "base64url").toString("utf8")).offset;
  if (!Number.isInteger(o) || o < 0) throw new Error("bad token");
  return o;
}

/** "YYYY-MM-DD HH:MM" in UTC, as NOX writes forecast times (docs/protocol/nox.md §20.8). */
function noxTime(ms, seconds = false) {
  const iso = new Date(ms).toISOString();
  return iso.slice(0, 10) + " " + iso.slice(11, seconds ? 19 : 16);
}

function defaultSettings(device, now) {
  return {
    device_id: device.device_id,
    room: { temperature_lower_bound: 1.5, temperature_upper_bound: 2, preferred_temperature: 21, schedule_enabled: false, temperature_control_mode: "heating" },
    dhw: { temperature_lower_bound: 45, temperature_upper_bound: 55 },
    optimization_settings: { pv_self_consumption: false, dynamic_tariff: false, flex_trading: false },
    location: { country: device.country || "BE", postal_code: "1000" },
    updated_at: new Date(now).toISOString().replace("Z", "+00:00"),
  };
}

/** Checks a PATCH body the way NOX's schema would; returns FastAPI detail items (empty = valid). */
function validatePatch(body) {
  const errs = [];
  if (!body || typeof body !== "object" || Array.isArray(body)) return [invalid([], "Input should be a valid dictionary", "dict_type")];
  if (typeof body.user_id !== "string" || !body.user_id) errs.push(missing("user_id"));
  const num = (g, f, min, max) => {
    const v = body[g] && body[g][f];
    if (v === undefined) return;
    if (typeof v !== "number" || !Number.isFinite(v)) errs.push(invalid([g, f], "Input should be a valid number", "float_type"));
    else if (v < min || v > max) errs.push(invalid([g, f], `Input should be between ${min} and ${max}`, "value_error"));
  };
  const bool = (g, f) => {
    const v = body[g] && body[g][f];
    if (v !== undefined && typeof v !== "boolean") errs.push(invalid([g, f], "Input should be a valid boolean", "bool_type"));
  };
  num("room", "temperature_lower_bound", 0, 10);
  num("room", "temperature_upper_bound", 0, 10);
  num("room", "preferred_temperature", 5, 30);
  bool("room", "schedule_enabled");
  num("dhw", "temperature_lower_bound", 20, 75);
  num("dhw", "temperature_upper_bound", 20, 75);
  for (const f of ["pv_self_consumption", "dynamic_tariff", "flex_trading"]) bool("optimization_settings", f);
  const mode = body.room && body.room.temperature_control_mode;
  if (mode !== undefined && !MODES.includes(mode)) errs.push(invalid(["room", "temperature_control_mode"], "Input should be 'auto', 'heating', 'cooling' or 'off'", "enum"));
  for (const g of ["room", "dhw"]) {
    const x = body[g];
    if (x && typeof x.temperature_lower_bound === "number" && typeof x.temperature_upper_bound === "number" && x.temperature_lower_bound > x.temperature_upper_bound) {
      errs.push(invalid([g, "temperature_lower_bound"], "temperature_lower_bound must not exceed temperature_upper_bound"));
    }
  }
  const o = body.optimization_settings;
  if (o && o.flex_trading === true && (o.pv_self_consumption === true || o.dynamic_tariff === true)) {
    errs.push(invalid(["optimization_settings", "flex_trading"], "flex_trading cannot be enabled together with pv_self_consumption or dynamic_tariff"));
  }
  return errs;
}

function create(nox) {
  const api = {
    /** device id → settings object (heat pumps). */
    settings: new Map(),
    /** device id → PV installation. */
    pvDevices: new Map(),
    consumptionPageSize: 96,
    pvPageSize: 1000,
    /** The next Package API call gets exactly this answer ({status, headers, body | body_text}); see packageScript(). */
    scripted: [],

    reset() {
      this.settings.clear();
      this.pvDevices.clear();
      this.consumptionPageSize = 96;
      this.pvPageSize = 1000;
      this.scripted = [];
    },

    settingsOf(device) {
      if (!this.settings.has(device.device_id)) this.settings.set(device.device_id, defaultSettings(device, Date.now()));
      return this.settings.get(device.device_id);
    },

    linkPv(noxUserId, id, brand = "SMA") {
      this.pvDevices.set(id, {
        device_id: id,
        user_id: noxUserId,
        brand,
        model: "Sunny Boy 5.0",
        country: "BE",
        needs_reauthentication: false,
        has_grid_export_curtailment: true,
        has_production_curtailment: true,
        steerable_status: { steering_enabled: true, steerable: false, learning_period_ended: false, general_reason: "NOX is still collecting data after the connection (about 30 days)." },
      });
    },

    /** Routes /v1/… (path without the /package/v1 prefix); false = not a Package API path of this module. */
    async handle(req, res, url, path) {
      const body = req.method === "PATCH" ? await readBody(req) : "";
      let json;
      try {
        json = body ? JSON.parse(body) : undefined;
      } catch {
        json = undefined;
      }
      nox.packageRequests.push({ method: req.method, path, headers: { ...req.headers }, query: Object.fromEntries(url.searchParams), body: json });
      const scripted = this.scripted.shift();
      if (scripted) {
        res.writeHead(scripted.status, scripted.headers || {});
        res.end(scripted.body_text !== undefined ? scripted.body_text : JSON.stringify(scripted.body));
        return true;
      }
      if (!nox.checkKey(req, res)) return true;
      const q = url.searchParams;
      if (req.method === "GET" && path === "/devices/pv") return this.pvList(res, q), true;
      if (req.method === "GET" && path === "/devices/settings") return this.getSettings(res, q), true;
      if (req.method === "PATCH" && path === "/devices/settings") return this.patchSettings(res, json), true;
      if (req.method === "GET" && path === "/device/thermal-control/current-state") return this.state(res, q), true;
      if (req.method === "GET" && path === "/device/thermal-control/forecast") return this.forecast(res, q), true;
      if (req.method === "GET" && path === "/house/consumption/forecast") return this.consumption(res, q), true;
      sendJson(res, 404, { detail: "Not Found" });
      return true;
    },

    page(res, all, q, size, meta) {
      let offset;
      try {
        offset = offsetOf(q.get("next_token"));
      } catch {
        return sendJson(res, 422, { detail: [{ loc: ["query", "next_token"], msg: "invalid token", type: "value_error" }] });
      }
      const limit = Number(q.get("limit") ?? 1000);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
        return sendJson(res, 422, { detail: [{ loc: ["query", "limit"], msg: "Input should be between 1 and 1000", type: "value_error" }] });
      }
      const n = Math.min(limit, size);
      const more = offset + n < all.length;
      sendJson(res, 200, { data: all.slice(offset, offset + n), meta: { energy_supplier: "Simulated Energy", ...meta, next_token: more ? token(offset + n) : null } });
    },

    pvList(res, q) {
      // Filters are not documented for this endpoint: the simulator ignores them, like NOX may.
      this.page(res, [...this.pvDevices.values()], q, this.pvPageSize, {});
    },

    heatPump(id) {
      const d = nox.devices.get(id);
      return d && d.device_type === "heat_pump" ? d : undefined;
    },

    getSettings(res, q) {
      const user = q.get("user_id");
      const device = q.get("device_id");
      const items = [...nox.devices.values()]
        .filter((d) => d.device_type === "heat_pump" && (!user || d.user_id === user) && (!device || d.device_id === device))
        .map((d) => this.settingsOf(d));
      sendJson(res, 200, { data: items, meta: { energy_supplier: "Simulated Energy" } });
    },

    patchSettings(res, body) {
      const errs = validatePatch(body);
      if (errs.length) return sendJson(res, 422, { detail: errs });
      const targets = [...nox.devices.values()].filter((d) => d.device_type === "heat_pump" && d.user_id === body.user_id && (!body.device_id || d.device_id === body.device_id));
      if (!targets.length) return sendJson(res, 404, { detail: body.device_id ? "Device not found for this user" : "User not found" });
      for (const d of targets) {
        const s = this.settingsOf(d);
        for (const g of ["room", "dhw", "optimization_settings", "location"]) if (body[g]) Object.assign(s[g], body[g]);
        // docs/protocol/nox.md §20.6.1: flex_trading on switches the other two off; either of them on switches flex_trading off.
        const o = body.optimization_settings || {};
        if (o.flex_trading === true) Object.assign(s.optimization_settings, { pv_self_consumption: false, dynamic_tariff: false });
        if (o.pv_self_consumption === true || o.dynamic_tariff === true) s.optimization_settings.flex_trading = false;
        s.updated_at = new Date().toISOString().replace("Z", "+00:00");
      }
      res.writeHead(204);
      res.end();
    },

    thermalTarget(res, q) {
      const id = q.get("device_id");
      if (!id) return sendJson(res, 422, { detail: [{ loc: ["query", "device_id"], msg: "Field required", type: "missing" }] }), undefined;
      const unit = q.get("unit") ?? "kWh";
      if (!["kWh", "celsius"].includes(unit)) return sendJson(res, 422, { detail: [{ loc: ["query", "unit"], msg: "Input should be 'kWh' or 'celsius'", type: "enum" }] }), undefined;
      const d = this.heatPump(id);
      if (!d) return sendJson(res, 404, { detail: "Device not found" }), undefined;
      return { d, unit };
    },

    state(res, q) {
      const t = this.thermalTarget(res, q);
      if (!t) return;
      const at = Math.floor(Date.now() / QUARTER) * QUARTER;
      const kwh = t.unit === "kWh";
      const tank = kwh ? { Y: 6.2, DHW_temperature: 48.5, Q_loss: 0.12, Q_gain: [0, 1.1, 2.2, 3.3], P_if_activated: [0, 0.4, 0.8, 1.2] } : { DHW_temperature: 48.5, T_loss: 0.2, T_gain: [0, 1.5, 3, 4.5], P_if_activated: [0, 0.4, 0.8, 1.2] };
      const eight = (k) => Array.from({ length: 8 }, (_x, i) => Math.round(i * k * 100) / 100);
      const house = kwh ? { Y: 14.8, Q_natural: -0.6, Q_heating: eight(0.5), Q_cooling: eight(-0.4), P_heating: eight(0.2), P_cooling: eight(0.2) } : { Space_temperature: 20.6, T_natural: -0.1, T_heating: eight(0.05), T_cooling: eight(-0.05), P_heating: eight(0.2), P_cooling: eight(0.2) };
      sendJson(res, 200, { data: { device_id: t.d.device_id, timestamp: noxTime(at, true), tank, house }, meta: { energy_supplier: "Simulated Energy", timestamp_time_zone: "UTC", temperature_unit: "celsius" } });
    },

    forecast(res, q) {
      const t = this.thermalTarget(res, q);
      if (!t) return;
      const start = q.get("start_time") ? Date.parse(q.get("start_time")) : Math.ceil(Date.now() / QUARTER) * QUARTER;
      const end = q.get("end_time") ? Date.parse(q.get("end_time")) : start + 24 * 3600 * 1000;
      if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) {
        return sendJson(res, 422, { detail: [{ loc: ["query", "end_time"], msg: "end_time must be after start_time", type: "value_error" }] });
      }
      const forecasts = [];
      for (let at = Math.ceil(start / QUARTER) * QUARTER; at < end && forecasts.length < 288; at += QUARTER) {
        const i = forecasts.length;
        forecasts.push({
          timestamp: noxTime(at, true),
          tank: { upperbound_Z: 9, lowerbound_X: 3, Y_avg: 6 + Math.sin(i / 6), Q_loss: 0.12, Q_gain: [0, 1.1, 2.2, 3.3], P_if_activated: [0, 0.4, 0.8, 1.2], tank_activation_limit: 4.5, tank_activation_limit_temp: 44 },
          house: { upperbound_Z: 18, lowerbound_X: 12, Y_avg: 15, Y_ideal: 15, Q_natural: -0.6, Q_heating: [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5], Q_cooling: [0, -0.4, -0.8, -1.2, -1.6, -2, -2.4, -2.8], P_heating: [0, 0.2, 0.4, 0.6, 0.8, 1, 1.2, 1.4], P_cooling: [0, 0.2, 0.4, 0.6, 0.8, 1, 1.2, 1.4] },
        });
      }
      sendJson(res, 200, { data: { device_id: t.d.device_id, forecasts }, meta: { energy_supplier: "Simulated Energy", forecast_generation_date: new Date().toISOString().slice(0, 10) } });
    },

    /** 72 h from the current quarter-hour, 288 slots (docs/protocol/nox.md §20.8 E11). */
    consumption(res, q) {
      const from = Math.floor(Date.now() / QUARTER) * QUARTER;
      const house = q.get("house_id");
      const scale = house ? 0.5 : 1;
      const all = Array.from({ length: 288 }, (_x, i) => ({
        forecast_time: noxTime(from + i * QUARTER),
        consumption: ((0.3 + 0.2 * Math.sin(i / 8) + 0.1) * scale).toFixed(3),
      }));
      this.page(res, all, q, this.consumptionPageSize, { consumption_unit: "kWh", granularity: "15min", output_timezone: "UTC", house_id: house });
    },
  };
  return api;
}

module.exports = { create, validatePatch, noxTime };
