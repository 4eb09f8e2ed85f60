"use strict";
/**
 * A simulated NWP500 heat-pump water heater behind the Navien MQTT broker (docs/protocol/navien.md §5–§8, §11–§14).
 * Pure state + request handling: `handle(request envelope)` returns the answers to publish
 * ([{topic, payload}]); the broker module does the MQTT part.
 */
const crypto = require("node:crypto");
const { vector } = require("./vectors");

const STATUS = vector("navien", "mqtt-status-response.json").payload.response.status;
const FEATURE = vector("navien", "mqtt-feature-response.json").payload.response.feature;
const ENERGY = vector("navien", "mqtt-energy-usage-response.json").payload.response;
const RESERVATION = vector("navien", "mqtt-reservation-read-response.json").payload.response;
const TOU = vector("navien", "mqtt-tou-read-response.json").payload.response;

const CODES = {
  DEVICE_INFO: 16777217,
  STATUS: 16777219,
  RESERVATION_READ: 16777222,
  ENERGY: 16777225,
  RESERVATION_WRITE: 16777226,
  TOU: 33554439,
};

const clone = (v) => JSON.parse(JSON.stringify(v));

function hexToEntries(hex) {
  const out = [];
  for (let i = 0; i + 12 <= hex.length; i += 12) {
    const b = Buffer.from(hex.slice(i, i + 12), "hex");
    if (b.every((x) => x === 0)) continue;
    out.push({ enable: b[0], week: b[1], hour: b[2], min: b[3], mode: b[4], param: b[5] });
  }
  return out;
}

function entriesToHex(entries) {
  return entries.map((e) => Buffer.from([e.enable, e.week, e.hour, e.min, e.mode, e.param].map((v) => Number(v) & 0xff)).toString("hex")).join("");
}

function daysInMonth(year, month) {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Energy for one month: the vector for 2025-09, a deterministic pattern otherwise. */
function monthUsage(year, month) {
  const v = ENERGY.usage.find((u) => u.year === year && u.month === month);
  if (v) return clone(v);
  const data = [];
  for (let d = 1; d <= daysInMonth(year, month); d++) {
    const seed = (year * 372 + month * 31 + d) % 17;
    data.push({ hpUsage: 1500 + seed * 60, heUsage: seed % 5 === 0 ? 900 : 0, hpTime: 4 + (seed % 4), heTime: seed % 5 === 0 ? 1 : 0 });
  }
  return { year, month, data };
}

class SimDevice {
  /**
   * @param {{mac: string, additionalValue: string, deviceType?: number, serial?: string}} info
   */
  constructor(info) {
    this.mac = info.mac;
    /** Its topics are `cmd/<deviceType>/navilink-<mac>/…` (docs/protocol/navien.md §5): it hears nothing under another type. */
    this.deviceType = info.deviceType ?? 52;
    this.additionalValue = info.additionalValue;
    this.status = clone(STATUS);
    this.feature = clone(FEATURE);
    if (info.serial) this.feature.controllerSerialNumber = info.serial;
    this.reservationUse = RESERVATION.reservationUse;
    this.reservations = hexToEntries(RESERVATION.reservation);
    this.touUse = TOU.reservationUse;
    this.touPeriods = clone(TOU.reservation);
    this.lastMode = this.status.dhwOperationSetting === 6 ? 3 : this.status.dhwOperationSetting;
    /** Do not answer (NAVIEN_TIMEOUT tests). */
    this.silent = false;
    /**
     * A real device works through one request at a time: with processingMs > 0 each answer is
     * published processingMs after the previous one (or after the request arrived, if idle), in order.
     */
    this.processingMs = 0;
    this.busyUntil = 0;
    /** Every request seen: {topic, request, clientId, at (received, ms), answerAt (ms the answer is due)}. */
    this.requests = [];
    this.controls = [];
    /** What the smart diagnostic finds (its status field `smartDiagnostic`; 0 = nothing). */
    this.diagnosticResult = 0;
    /** Firmware commits received (`commitOta` objects, docs/protocol/navien.md §7 "Maintenance commands"). */
    this.otaCommits = [];
    /** Wi-Fi reconnects and resets received. */
    this.wifi = { reconnects: 0, resets: 0 };
  }

  get deviceTopic() {
    return `cmd/${this.deviceType}/navilink-${this.mac}`;
  }

  base(command) {
    return { command, deviceType: this.deviceType, macAddress: this.mac, additionalValue: this.additionalValue };
  }

  envelope(req, responseTopic, response) {
    return {
      clientID: req.clientID,
      sessionID: req.sessionID,
      requestTopic: req.requestTopic,
      responseTopic,
      protocolVersion: 2,
      response,
    };
  }

  /** An unsolicited status (autoStatus): a fresh sessionID per message makes each one identifiable. */
  unsolicitedStatus() {
    this.drift();
    const topic = `${this.deviceTopic}/res/st`;
    return {
      topic,
      payload: {
        clientID: `navilink-${this.mac}`,
        sessionID: crypto.randomBytes(16).toString("hex"),
        requestTopic: "",
        responseTopic: topic,
        protocolVersion: 2,
        response: { ...this.base(CODES.STATUS), status: clone(this.status) },
      },
    };
  }

  /** Slow, plausible changes for the live demo (tank heats while running, cools otherwise). */
  drift() {
    const s = this.status;
    const on = s.dhwOperationSetting !== 6 && s.dhwOperationSetting !== 5;
    if (on && s.dhwTemperature < s.dhwTemperatureSetting) {
      s.dhwTemperature += 1;
      s.dhwChargePer = Math.min(100, s.dhwChargePer + 2);
      s.currentInstPower = 452;
      s.operationMode = s.dhwOperationSetting === 4 ? 96 : s.dhwOperationSetting === 1 ? 32 : 64;
    } else {
      s.dhwTemperature = Math.max(s.dhwTemperatureSetting - 6, s.dhwTemperature - 1);
      s.dhwChargePer = Math.max(0, s.dhwChargePer - 1);
      s.currentInstPower = 0;
      s.operationMode = 0;
    }
    s.tankUpperTemperature = s.dhwTemperature * 5;
    s.compUse = s.currentInstPower > 0 ? 2 : 1; // the compressor runs while it heats (heating-started/-stopped events)
  }

  /**
   * Handles one inbound publish. Returns the answers [{topic, payload}] (empty when the message is
   * not a request for this device — e.g. our own answers, which carry `response` and no `request`).
   */
  handle(topic, msg) {
    if (!msg || typeof msg !== "object" || !msg.request || typeof msg.request !== "object") return [];
    const req = msg;
    const r = msg.request;
    const suffix = topic.slice(this.deviceTopic.length + 1);
    const now = Date.now();
    const record = { topic, request: r, clientId: req.clientID, at: now, answerAt: now };
    this.requests.push(record);
    if (this.requests.length > 2000) this.requests.shift();
    if (this.silent) return [];
    const answers = this.answer(suffix, req, r);
    if (answers.length && this.processingMs > 0) {
      this.busyUntil = Math.max(now, this.busyUntil) + this.processingMs;
      record.answerAt = this.busyUntil;
      answers.delayMs = this.busyUntil - now;
    }
    return answers;
  }

  /** The answers to one request (state changes applied now). */
  answer(suffix, req, r) {
    const defaultTopic = `${this.deviceTopic}/${req.clientID}/res`;
    const responseTopic = typeof req.responseTopic === "string" && req.responseTopic ? req.responseTopic : defaultTopic;
    const answer = (response, t = responseTopic) => [{ topic: t, payload: this.envelope(req, t, response) }];

    switch (suffix) {
      case "st":
        return answer({ ...this.base(r.command ?? CODES.STATUS), status: clone(this.status) });
      case "st/did":
        return answer({ ...this.base(r.command ?? CODES.DEVICE_INFO), feature: clone(this.feature) });
      case "st/rsv/rd":
        return answer({ ...this.base(CODES.RESERVATION_READ), reservationUse: this.reservationUse, reservation: entriesToHex(this.reservations) });
      case "ctrl/rsv/rd": {
        if (Array.isArray(r.reservation)) this.reservations = r.reservation.map((e) => ({ enable: e.enable, week: e.week, hour: e.hour, min: e.min, mode: e.mode, param: e.param }));
        if (r.reservationUse !== undefined) this.reservationUse = r.reservationUse;
        return answer({ ...this.base(CODES.RESERVATION_WRITE), reservationUse: this.reservationUse, reservation: entriesToHex(this.reservations) });
      }
      case "st/energy-usage-daily-query/rd": {
        const months = Array.isArray(r.month) ? r.month : [r.month];
        const year = Number(r.year) || 2025;
        const usage = months.filter((m) => Number.isInteger(m) && m >= 1 && m <= 12).map((m) => monthUsage(year, m));
        const total = { hpUsage: 0, heUsage: 0, hpTime: 0, heTime: 0 };
        for (const u of usage) for (const d of u.data) for (const k of Object.keys(total)) total[k] += d[k];
        return answer({ ...this.base(CODES.ENERGY), typeOfUsage: 1, total, usage });
      }
      case "ctrl/tou/rd": {
        if (Array.isArray(r.reservation)) this.touPeriods = clone(r.reservation);
        if (r.reservationUse !== undefined) this.touUse = r.reservationUse;
        return answer({
          ...this.base(CODES.TOU),
          controllerSerialNumber: r.controllerSerialNumber ?? this.feature.controllerSerialNumber,
          reservationUse: this.touUse,
          reservation: clone(this.touPeriods),
        });
      }
      case "ctrl":
        this.control(r);
        return answer({ ...this.base(r.command), status: clone(this.status) });
      default:
        return [];
    }
  }

  /** Applies a `ctrl` request to the state (docs/protocol/navien.md §7, §8 confirmation fields). */
  control(r) {
    const s = this.status;
    const p = Array.isArray(r.param) ? r.param : [];
    this.controls.push({ mode: r.mode, param: p });
    if (r.command === 33554442 && r.commitOta && typeof r.commitOta === "object") {
      // OTA commit (no mode): the unit would reboot into the new version.
      this.otaCommits.push(clone(r.commitOta));
      return;
    }
    switch (r.mode) {
      case "power-off":
        if (s.dhwOperationSetting !== 6) this.lastMode = s.dhwOperationSetting;
        s.dhwOperationSetting = 6;
        s.operationMode = 0;
        s.currentInstPower = 0;
        break;
      case "power-on":
        if (s.dhwOperationSetting === 6) s.dhwOperationSetting = this.lastMode || 3;
        break;
      case "dhw-mode":
        if (p[0] === 5) {
          s.dhwOperationSetting = 5;
          s.vacationDaySetting = p[1] ?? 0;
          s.vacationDayElapsed = 0;
        } else if (p[0] >= 1 && p[0] <= 4) {
          s.dhwOperationSetting = p[0];
          this.lastMode = p[0];
        }
        break;
      case "dhw-temperature":
        if (p[0] >= this.feature.dhwTemperatureMin && p[0] <= this.feature.dhwTemperatureMax) {
          s.dhwTemperatureSetting = p[0];
          s.dhwTargetTemperatureSetting = p[0];
        }
        break;
      case "anti-leg-on":
        s.antiLegionellaUse = 2;
        if (p[0]) s.antiLegionellaPeriod = p[0];
        break;
      case "anti-leg-off":
        s.antiLegionellaUse = 1;
        break;
      case "tou-on":
        s.touStatus = 1;
        break;
      case "tou-off":
        s.touStatus = 0;
        break;
      case "dr-on":
        this.drEnabled = true;
        break;
      case "dr-off":
        this.drEnabled = false;
        s.drEventStatus = 0;
        break;
      case "intelligent-on":
        this.intelligent = true;
        break;
      case "intelligent-off":
        this.intelligent = false;
        break;
      case "frez-temp":
        if (p[0] >= this.feature.freezeProtectionTempMin && p[0] <= this.feature.freezeProtectionTempMax) s.freezeProtectionTemperature = p[0];
        break;
      case "recirc-mode":
        if (p[0] >= 1 && p[0] <= 4) s.recircOperationMode = p[0];
        break;
      case "recirc-hotbtn":
        s.recircHotBtnReady = 1;
        break;
      case "air-filter-reset":
        s.airFilterAlarmElapsed = 0;
        break;
      case "smart-diagnostic":
        s.smartDiagnostic = this.diagnosticResult;
        break;
      case "wifi-reconnect":
        this.wifi.reconnects += 1;
        break;
      case "wifi-reset":
        this.wifi.resets += 1;
        break;
      default:
        break;
    }
  }
}

module.exports = { SimDevice, CODES, hexToEntries, entriesToHex };
