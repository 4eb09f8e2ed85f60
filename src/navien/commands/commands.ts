/**
 * Builders for every MQTT request (docs/protocol/navien.md §6, §7) with their confirmation predicates (§8).
 *
 * `buildCommand` validates the payload completely — range checks in raw half-°C (docs/protocol/navien.md §16, quirk 23),
 * capability gates on the device features (docs/protocol/navien.md §16, quirk 28) — and throws INVALID_INPUT before anything
 * is built, so a flow can never publish a half-formed request. The envelopes are byte-for-byte
 * the library's (vectors `command-*.json`, key order included).
 */
import { message } from "../../core/messages.js";
import { invalidInput } from "../../core/errors.js";
import { CODES } from "../codec/codes.js";
import { commandName, describe, type CommandName } from "./command-names.js";
import {
  ANY_STATUS,
  asBool,
  asInt,
  asNumber,
  built,
  checkContext,
  clientResponseTopic,
  control,
  defaultResponseTopic,
  gate,
  isEmpty,
  MODE_FLAGS,
  rangeError,
  requireFeatures,
  softGate,
  type BuiltCommand,
  type CommandContext,
  type Ctx,
} from "./command-wire.js";
import { rawFlag, rawLimits } from "../codec/features.js";
import { dhwModeNumber, normalizeName, recircModeNumber } from "../codec/modes.js";
import { DEFAULT_DHW_MAX_RAW, DEFAULT_DHW_MIN_RAW, encodeReservations, reservationsEqual } from "../codec/reservations.js";
import { buildMaintenance, hotButton } from "./maintenance.js";
import { num } from "../codec/status.js";
import { encodeTouSchedule, touEqual } from "../codec/tou.js";
import { REPLY, REQUEST } from "../codec/topics.js";
import { toRawHalfC } from "../codec/units.js";

export { CODES, NWP500_DEVICE_TYPE } from "../codec/codes.js";
export { buildAppConnectionEvent } from "./app-connection.js";
export type { CommandKind } from "./answers.js";
export { COMMAND_NAMES, commandName, type CommandName } from "./command-names.js";
export type { BuiltCommand, CommandContext, Envelope, StatusPredicate } from "./command-wire.js";

// ---- the builders --------------------------------------------------------------------------------

function buildTemperature(c: Ctx, p: unknown): BuiltCommand {
  const f = requireFeatures(c, "temperature", "dhwTemperatureSettingUse");
  const use = rawFlag(f, "dhwTemperatureSettingUse", c.unit);
  if (use === undefined || use === 0 || use === 1) {
    throw invalidInput("navien.commands.noTemperatureSetting", { value: use ?? message("navien.notReported") });
  }
  const value = asNumber(p, "temperature", "temperature");
  const raw = toRawHalfC(value, c.unit);
  const lim = rawLimits(f, c.unit);
  const min = lim.dhwTemperatureMin ?? DEFAULT_DHW_MIN_RAW;
  const max = lim.dhwTemperatureMax ?? DEFAULT_DHW_MAX_RAW;
  // Raw comparison: 150 °F → 131 is legal against a 131 maximum (shown as 149.9 °F).
  if (raw < min || raw > max) throw rangeError("Temperature", value, c.unit, min, max);
  return control("temperature", c, CODES.DHW_TEMPERATURE, "dhw-temperature", [raw], (s) => {
    if (num(s.dhwTemperatureSetting) !== raw) return false;
    const target = num(s.dhwTargetTemperatureSetting);
    return target === undefined || target === raw;
  });
}

function vacationDays(p: unknown): number {
  return asInt(p, "Vacation days", 1, 30, "days");
}

function buildVacation(c: Ctx, days: number, name: CommandName): BuiltCommand {
  gate(c, name, "dhwUse", message("navien.commands.modeChanges"));
  gate(c, name, "holidayUse", message("navien.commands.vacationMode"));
  return control(name, c, CODES.DHW_MODE, "dhw-mode", [5, days], (s) => num(s.dhwOperationSetting) === 5 && num(s.vacationDaySetting) === days);
}

function buildMode(c: Ctx, p: unknown): BuiltCommand {
  const obj = p && typeof p === "object" && !Array.isArray(p) ? (p as Record<string, unknown>) : undefined;
  const modeValue = obj ? obj.mode : p;
  const mode = dhwModeNumber(modeValue);
  if (mode === undefined) {
    throw invalidInput("navien.commands.modeExpectsHeatPump", { value: describe(modeValue) });
  }
  if (mode === 6) throw invalidInput("navien.commands.switchWaterHeaterOff");
  if (mode === 5) {
    if (!obj || obj.days === undefined) throw invalidInput("navien.commands.vacationNeedsNumberDays");
    return buildVacation(c, vacationDays(obj.days), "mode");
  }
  gate(c, "mode", "dhwUse", message("navien.commands.modeChanges"));
  const [flag, label] = MODE_FLAGS[mode];
  softGate(c, flag, label);
  return control("mode", c, CODES.DHW_MODE, "dhw-mode", [mode], (s) => num(s.dhwOperationSetting) === mode);
}

function buildAntiLegionella(c: Ctx, p: unknown): BuiltCommand {
  gate(c, "anti-legionella", "antiLegionellaSettingUse", message("navien.commands.antiLegionella"));
  const obj = p && typeof p === "object" && !Array.isArray(p) ? (p as Record<string, unknown>) : undefined;
  const enabled = asBool(obj ? obj.enabled : p, "anti-legionella {enabled}");
  if (!enabled) {
    return control("anti-legionella", c, CODES.ANTI_LEGIONELLA_OFF, "anti-leg-off", [], (s) => num(s.antiLegionellaUse) === 1);
  }
  let days: number;
  if (obj && obj.periodDays !== undefined) days = asInt(obj.periodDays, "Anti-legionella periodDays", 1, 30);
  else {
    // Enabling without a period keeps the device's current one (anti-leg-on always sets a period).
    const current = c.status ? num(c.status.antiLegionellaPeriod) : undefined;
    if (current === undefined || !Number.isInteger(current) || current < 1 || current > 30) {
      throw invalidInput("navien.commands.antiLegionellaNeedsPerioddays");
    }
    days = current;
  }
  return control("anti-legionella", c, CODES.ANTI_LEGIONELLA_ON, "anti-leg-on", [days], (s) => {
    if (num(s.antiLegionellaUse) !== 2) return false;
    const period = num(s.antiLegionellaPeriod);
    return period === undefined || period === days;
  });
}

function buildFreeze(c: Ctx, p: unknown): BuiltCommand {
  gate(c, "freeze-protection", "freezeProtectionUse", message("navien.commands.freezeProtection"));
  const value = asNumber(p, "freeze-protection", "temperature");
  const raw = toRawHalfC(value, c.unit);
  const lim = rawLimits(c.features ?? {}, c.unit);
  if (raw < lim.freezeProtectionTempMin || raw > lim.freezeProtectionTempMax) {
    throw rangeError("Freeze-protection temperature", value, c.unit, lim.freezeProtectionTempMin, lim.freezeProtectionTempMax);
  }
  return control("freeze-protection", c, CODES.FREEZE_TEMPERATURE, "frez-temp", [raw], (s) => num(s.freezeProtectionTemperature) === raw);
}

function buildRecirculation(c: Ctx, p: unknown): BuiltCommand {
  gate(c, "recirculation", "recirculationUse", message("navien.commands.recirculation"));
  const obj = p && typeof p === "object" && !Array.isArray(p) ? (p as Record<string, unknown>) : undefined;
  const v = obj ? obj.mode : p;
  if (typeof v === "string" && ["hot-button", "hotbutton", "hot-btn", "hotbtn"].includes(normalizeName(v))) {
    return hotButton("recirculation", c);
  }
  const mode = recircModeNumber(v);
  if (mode === undefined) {
    throw invalidInput("navien.commands.recirculationExpectsHotButton", { value: describe(v) });
  }
  return control("recirculation", c, CODES.RECIRC_MODE, "recirc-mode", [mode], (s) => num(s.recircOperationMode) === mode);
}

function buildReservations(c: Ctx, p: unknown): BuiltCommand {
  if (isEmpty(p)) {
    return built("reservations", "reservations-read", c, REQUEST.reservationsRead, clientResponseTopic(c, REPLY.reservations), CODES.RESERVATION_READ, {});
  }
  const lim = c.features ? rawLimits(c.features, c.unit) : undefined;
  const current = c.status ? num(c.status.dhwTemperatureSetting) : undefined;
  const wire = encodeReservations(p, c.unit, {
    min: lim?.dhwTemperatureMin ?? DEFAULT_DHW_MIN_RAW,
    max: lim?.dhwTemperatureMax ?? DEFAULT_DHW_MAX_RAW,
    fallbackParam: current,
  });
  const b = built("reservations", "reservations-write", c, REQUEST.reservationsWrite, clientResponseTopic(c, REPLY.reservations), CODES.RESERVATION_WRITE, {
    reservationUse: wire.reservationUse,
    reservation: wire.reservation,
  });
  b.accept = (response) => reservationsEqual(wire, response);
  return b;
}

function buildEnergy(c: Ctx, p: unknown): BuiltCommand {
  if (!p || typeof p !== "object" || Array.isArray(p)) {
    throw invalidInput("navien.commands.energyUsageExpectsYear");
  }
  const o = p as Record<string, unknown>;
  const year = asInt(o.year, "energy-usage year", 2000, 2100);
  const m = o.months ?? o.month;
  const list = Array.isArray(m) ? m : m === undefined ? [] : [m];
  if (list.length === 0) throw invalidInput("navien.commands.energyUsageNeedsMonths");
  const months: number[] = [];
  for (const x of list) {
    const n = asInt(x, "energy-usage month", 1, 12);
    if (!months.includes(n)) months.push(n);
  }
  return built("energy-usage", "energy", c, REQUEST.energy, clientResponseTopic(c, REPLY.energy), CODES.ENERGY_USAGE, {
    month: months,
    year,
  });
}

function controllerSerial(c: Ctx, p: unknown, name: string): string {
  const fromFeatures = c.features?.controllerSerialNumber;
  if (typeof fromFeatures === "string" && fromFeatures) return fromFeatures;
  const o = p && typeof p === "object" && !Array.isArray(p) ? (p as Record<string, unknown>) : {};
  const s = o.controllerSerialNumber ?? o.controllerId ?? (typeof p === "string" ? p : undefined);
  if (typeof s === "string" && s.trim()) return s.trim();
  throw invalidInput("navien.commands.needsControllerSerialNumber", { name });
}

function buildTouRead(c: Ctx, p: unknown): BuiltCommand {
  const serial = controllerSerial(c, p, "tou-read");
  return built("tou-read", "tou-read", c, REQUEST.tou, clientResponseTopic(c, REPLY.tou), CODES.TOU_RESERVATION, {
    controllerSerialNumber: serial,
  });
}

function buildTouWrite(c: Ctx, p: unknown): BuiltCommand {
  gate(c, "tou-write", "programReservationUse", message("navien.commands.timeUseSchedules"));
  const periods = encodeTouSchedule(p);
  const obj = p && typeof p === "object" && !Array.isArray(p) ? (p as Record<string, unknown>) : {};
  if (obj.enabled !== undefined && typeof obj.enabled !== "boolean") throw invalidInput("navien.commands.touEnabledBoolean");
  const serial = controllerSerial(c, p, "tou-write");
  const wire = { reservationUse: obj.enabled === false ? 1 : 2, reservation: periods };
  const b = built("tou-write", "tou-write", c, REQUEST.tou, clientResponseTopic(c, REPLY.tou), CODES.TOU_RESERVATION, {
    controllerSerialNumber: serial,
    ...wire,
  });
  b.accept = (response) => touEqual(wire, response);
  return b;
}

/**
 * Builds the request for a command. `payload` is the command's parameter (msg.payload).
 * Throws INVALID_INPUT (nothing built) for a bad payload, an out-of-range value or a capability
 * the device lacks.
 */
export function buildCommand(name: string, payload: unknown, ctx: CommandContext): BuiltCommand {
  const cmd = commandName(name);
  const c = checkContext(ctx);
  switch (cmd) {
    case "status":
      return built(cmd, "status", c, REQUEST.status, defaultResponseTopic(c), CODES.STATUS, {});
    case "features":
      return built(cmd, "features", c, REQUEST.features, defaultResponseTopic(c), CODES.DEVICE_INFO, {});
    case "power": {
      const on = asBool(payload, "power");
      gate(c, cmd, "powerUse", message("navien.commands.switchingOnOff"));
      return on
        ? control(cmd, c, CODES.POWER_ON, "power-on", [], (s) => {
            const v = num(s.dhwOperationSetting);
            return v !== undefined && v !== 6;
          })
        : control(cmd, c, CODES.POWER_OFF, "power-off", [], (s) => num(s.dhwOperationSetting) === 6);
    }
    case "temperature":
      return buildTemperature(c, payload);
    case "mode":
      return buildMode(c, payload);
    case "vacation":
      return buildVacation(c, vacationDays(payload), cmd);
    case "reservations":
      return buildReservations(c, payload);
    case "energy-usage":
      return buildEnergy(c, payload);
    case "anti-legionella":
      return buildAntiLegionella(c, payload);
    case "demand-response": {
      const on = asBool(payload, "demand-response");
      gate(c, cmd, "drSettingUse", message("navien.commands.demandResponseCta2045"));
      return on
        ? control(cmd, c, CODES.DR_ON, "dr-on", [], ANY_STATUS)
        : control(cmd, c, CODES.DR_OFF, "dr-off", [], ANY_STATUS);
    }
    case "intelligent": {
      const on = asBool(payload, "intelligent");
      return on
        ? control(cmd, c, CODES.INTELLIGENT_ON, "intelligent-on", [], ANY_STATUS)
        : control(cmd, c, CODES.INTELLIGENT_OFF, "intelligent-off", [], ANY_STATUS);
    }
    case "freeze-protection":
      return buildFreeze(c, payload);
    case "air-filter-reset":
      return control(cmd, c, CODES.AIR_FILTER_RESET, "air-filter-reset", [], (s) => num(s.airFilterAlarmElapsed) === 0);
    case "recirculation":
      return buildRecirculation(c, payload);
    case "hot-button":
    case "smart-diagnostic":
    case "wifi-reconnect":
    case "wifi-reset":
    case "firmware-update":
      return buildMaintenance(cmd, c, payload);
    case "tou-enable":
      gate(c, cmd, "programReservationUse", message("navien.commands.timeUseScheduling"));
      return control(cmd, c, CODES.TOU_ON, "tou-on", [], (s) => num(s.touStatus) === 1);
    case "tou-disable":
      gate(c, cmd, "programReservationUse", message("navien.commands.timeUseScheduling"));
      return control(cmd, c, CODES.TOU_OFF, "tou-off", [], (s) => num(s.touStatus) === 0);
    case "tou-read":
      return buildTouRead(c, payload);
    case "tou-write":
      return buildTouWrite(c, payload);
  }
}
