/**
 * Decoding of the device status object (docs/protocol/navien.md §10). One table describes all 102 fields; it is
 * compiled once per unit into one straight-line function that builds the output object in a
 * single literal (see compile(); target: well over 100k decodes/s).
 *
 * Rules (contract "Decoded Navien status", docs/protocol/navien.md §10.1, §10.4): keys are the wire names; booleans
 * are true/false (1/2 flags: anything but 2 is off, as the library reads them); tri-state 0 is
 * `null` (unknown, never false); temperatures in the account's unit with one decimal (0 is a real
 * 0 °C, never null); enumerations are lower-case strings and unknown numbers become `null`; a
 * missing or non-numeric field is `null`; extra fields are ignored.
 */
import { fail } from "../../core/errors.js";
import {
  fromDeciC,
  fromDeciCDelta,
  fromFlow,
  fromHalfC,
  fromHalfCFormula,
  fromTankEnergy,
  fromVolume,
  finiteOrNull,
  MAX_DECODED,
  type TempUnit,
} from "./units.js";

export type StatusValue = number | string | boolean | null;

/** A decoded status: every §10.2 field under its wire name, plus the derived `power`. */
export type NavienStatus = Record<string, StatusValue> & { power: boolean | null };

/** Encoding families of §10.1. */
export type Family =
  | "int" // plain number (W, %, dBm, RPM, days, hours, counters, codes)
  | "bool" // 1 off / 2 on
  | "tri" // 0 unknown / 1 off / 2 on
  | "touStatus" // 0 off / 1 on
  | "touOverride" // 1 override active / 2 normal → boolean "override active"
  | "halfC"
  | "deciC"
  | "deciCDelta"
  | "formula" // outsideTemperature
  | "flow"
  | "volume"
  | "tankEnergy"
  | "enum";

// Enumerations (docs/protocol/navien.md §10.2). Lower-case, hyphenated names; a number not listed decodes to null.
export const DHW_OPERATION_SETTING: Readonly<Record<number, string>> = {
  1: "heat-pump",
  2: "electric",
  3: "energy-saver",
  4: "high-demand",
  5: "vacation",
  6: "off",
};
export const OPERATION_MODE: Readonly<Record<number, string>> = {
  0: "standby",
  32: "heat-pump",
  64: "energy-saver",
  96: "high-demand",
};
/** 0 means "no source active / not reported": the app shows nothing, so it decodes to "none". */
export const CURRENT_HEAT_USE: Readonly<Record<number, string>> = {
  0: "none",
  1: "heat-pump",
  2: "element",
  3: "heat-pump-and-element",
};
export const DR_EVENT_STATUS: Readonly<Record<number, string>> = {
  0: "not-applied",
  1: "run-normal",
  2: "shed",
  3: "load-up",
  4: "advanced-load-up",
  5: "customer-peak",
};
/** 0 is the library's UNKNOWN: left out so that it decodes to null. */
export const RECIRC_OPERATION_MODE: Readonly<Record<number, string>> = {
  1: "always",
  2: "button",
  3: "schedule",
  4: "temperature",
};
export const TEMPERATURE_TYPE: Readonly<Record<number, string>> = { 1: "celsius", 2: "fahrenheit" };
export const TEMP_FORMULA_TYPE: Readonly<Record<number, string>> = { 0: "asymmetric", 1: "standard" };

export interface FieldSpec {
  family: Family;
  values?: Readonly<Record<number, string>>;
}

const I: FieldSpec = { family: "int" };
const B: FieldSpec = { family: "bool" };
const T: FieldSpec = { family: "tri" };
const H: FieldSpec = { family: "halfC" };
const D: FieldSpec = { family: "deciC" };
const DD: FieldSpec = { family: "deciCDelta" };
const E = (values: Readonly<Record<number, string>>): FieldSpec => ({ family: "enum", values });

/** docs/protocol/navien.md §10.2, in the reference library's order. 102 entries. */
export const STATUS_FIELDS: Readonly<Record<string, FieldSpec>> = {
  // Identification and diagnostics
  command: I,
  temperatureType: E(TEMPERATURE_TYPE),
  tempFormulaType: E(TEMP_FORMULA_TYPE),
  errorCode: I, // decimal code without the "E" (§10.3); kept numeric so new codes are not lost
  subErrorCode: I,
  smartDiagnostic: I,
  faultStatus1: I,
  faultStatus2: I,
  specialFunctionStatus: I,
  currentStatenum: I,
  didReload: B,
  wifiRssi: I,
  // Operation
  dhwOperationSetting: E(DHW_OPERATION_SETTING),
  operationMode: E(OPERATION_MODE),
  operationBusy: T,
  dhwOperationBusy: B,
  currentHeatUse: E(CURRENT_HEAT_USE),
  compUse: T,
  heatUpperUse: T,
  heatLowerUse: T,
  eevUse: B,
  evaFanUse: B,
  currentInstPower: I,
  dhwChargePer: I,
  dhwUse: B,
  dhwUseSustained: B,
  // Water temperatures and set-points
  dhwTemperature: H,
  dhwTemperature2: H,
  dhwTemperatureSetting: H,
  dhwTargetTemperatureSetting: H,
  currentInletTemperature: H,
  heatMinOpTemperature: H,
  freezeProtectionTemperature: H,
  freezeProtectionTempMin: H,
  freezeProtectionTempMax: H,
  outsideTemperature: { family: "formula" },
  tankUpperTemperature: D,
  tankLowerTemperature: D,
  // Refrigerant circuit and fan
  dischargeTemperature: D,
  suctionTemperature: D,
  evaporatorTemperature: D,
  ambientTemperature: D,
  // The library converts superheat as an absolute temperature (+32 in °F); the vectors expect that.
  targetSuperHeat: D,
  currentSuperHeat: D,
  targetFanRpm: I,
  currentFanRpm: I,
  fanPwm: I,
  eevStep: I,
  mixingRate: I,
  // Heat-pump and element thresholds
  hpUpperOnTempSetting: H,
  hpUpperOffTempSetting: H,
  hpLowerOnTempSetting: H,
  hpLowerOffTempSetting: H,
  heUpperOnTempSetting: H,
  heUpperOffTempSetting: H,
  heLowerOnTempSetting: H,
  heLowerOffTempSetting: H,
  hpUpperOnDiffTempSetting: DD,
  hpUpperOffDiffTempSetting: DD,
  hpLowerOnDiffTempSetting: DD,
  hpLowerOffDiffTempSetting: DD,
  heUpperOnDiffTempSetting: DD,
  heUpperOffDiffTempSetting: DD,
  heLowerOnTDiffempSetting: DD, // sic: the typo is the wire name
  heLowerOffDiffTempSetting: DD,
  // Flow, volume, energy
  currentDhwFlowRate: { family: "flow" },
  cumulatedDhwFlowRate: { family: "volume" },
  totalEnergyCapacity: { family: "tankEnergy" },
  availableEnergyCapacity: { family: "tankEnergy" },
  // Scheduling, TOU, demand response, vacation, anti-legionella
  programReservationUse: B,
  programReservationType: I,
  touStatus: { family: "touStatus" },
  touOverrideStatus: { family: "touOverride" },
  drEventStatus: E(DR_EVENT_STATUS),
  drOverrideStatus: I,
  vacationDaySetting: I,
  vacationDayElapsed: I,
  antiLegionellaUse: T,
  antiLegionellaPeriod: I,
  antiLegionellaOperationBusy: T,
  // Safety and maintenance
  freezeProtectionUse: B,
  ecoUse: B,
  scaldUse: B,
  shutOffValveUse: B,
  conOvrSensorUse: B,
  wtrOvrSensorUse: B,
  errorBuzzerUse: B,
  airFilterAlarmUse: T,
  airFilterAlarmPeriod: I,
  airFilterAlarmElapsed: I,
  cumulatedOpTimeEvaFan: I,
  // Recirculation
  recircOperationMode: E(RECIRC_OPERATION_MODE),
  recircPumpOperationStatus: I,
  recircHotBtnReady: I,
  recircOperationReason: I,
  recircErrorStatus: I,
  recircOperationBusy: B,
  recircReservationUse: T,
  recircTempSetting: H,
  recircTemperature: H,
  recircFaucetTemperature: H,
  recircDhwFlowRate: { family: "flow" },
};

/**
 * A wire value as a number, or undefined. Integers sent as floats (100.0) are numbers already;
 * numeric strings are tolerated because some firmware/tools quote numbers. NaN, ±Infinity (JSON
 * `1e400` parses to Infinity) and magnitudes beyond MAX_DECODED (2^53) are not readings: undefined,
 * so that no decoder of this package (status, features, energy, TOU, reservations) can turn a
 * hostile 1e308 into Infinity.
 */
export function num(v: unknown): number | undefined {
  if (typeof v === "number") return v <= MAX_DECODED && v >= -MAX_DECODED ? v : undefined;
  if (typeof v === "string" && v.trim() !== "") {
    const n = Number(v);
    return n <= MAX_DECODED && n >= -MAX_DECODED ? n : undefined;
  }
  return undefined;
}

/** One field: its wire value → its output value (`raw` is the whole status, for outsideTemperature). */
type Decoder = (v: unknown, raw: Record<string, unknown>) => StatusValue;

/** A numeric family: missing/non-numeric → null; a result that is not a usable number → null. */
function converted(convert: (n: number) => number): Decoder {
  return (v) => {
    const n = num(v);
    return n === undefined ? null : finiteOrNull(convert(n));
  };
}

function enumDecoder(values: Readonly<Record<number, string>>): Decoder {
  const map = new Map<number, string>();
  for (const [k, name] of Object.entries(values)) map.set(Number(k), name);
  return (v) => {
    const n = num(v);
    return n === undefined ? null : (map.get(n) ?? null);
  };
}

function makeDecoder(spec: FieldSpec, unit: TempUnit): Decoder {
  switch (spec.family) {
    case "int":
      return converted((n) => n);
    case "bool":
      return (v) => {
        const n = num(v);
        return n === undefined ? null : n === 2;
      };
    case "tri":
      return (v) => {
        const n = num(v);
        return n === 2 ? true : n === 1 ? false : null;
      };
    case "touStatus":
      return (v) => {
        const n = num(v);
        return n === 1 ? true : n === 0 ? false : null;
      };
    case "touOverride":
      return (v) => {
        const n = num(v);
        return n === 1 ? true : n === 2 ? false : null;
      };
    case "halfC":
      return converted((n) => fromHalfC(n, unit));
    case "deciC":
      return converted((n) => fromDeciC(n, unit));
    case "deciCDelta":
      return converted((n) => fromDeciCDelta(n, unit));
    case "formula":
      return (v, raw) => {
        const n = num(v);
        return n === undefined ? null : finiteOrNull(fromHalfCFormula(n, unit, num(raw.tempFormulaType) ?? 0));
      };
    case "flow":
      return converted((n) => fromFlow(n, unit));
    case "volume":
      return converted((n) => fromVolume(n, unit));
    case "tankEnergy":
      return converted(fromTankEnergy);
    case "enum":
      return enumDecoder(spec.values ?? {});
  }
}

/** Names of the decoded fields, in output order (without the derived `power`). */
export const STATUS_FIELD_NAMES: readonly string[] = Object.keys(STATUS_FIELDS);

/** `true` unless the configured mode is 6 (power off); `null` when the mode is not reported. */
export function powerFromRaw(raw: Record<string, unknown>): boolean | null {
  const n = num(raw.dhwOperationSetting);
  return n === undefined ? null : n !== 6;
}

type CompiledDecode = (raw: Record<string, unknown>) => NavienStatus;

/** Fields derived from the whole raw status, after the wire fields: key → expression in the compiled decoder. */
const DERIVED: Readonly<Record<string, string>> = { power: "power(r)" };

/** Every key of a decoded status, in its order (one list for the decoder and for its copies in status-update.ts). */
export const DECODED_STATUS_KEYS: readonly string[] = [...STATUS_FIELD_NAMES, ...Object.keys(DERIVED)];

/**
 * Compiles the table for one unit into one straight-line function, generated once at load:
 *
 *     function (r) { return { "command": d[0](r["command"], r), …, "power": power(r) }; }
 *
 * Why generated rather than a loop over the table: the object literal gives every decoded
 * status the same shape at once (no 103 keyed stores), each field gets its own call site, so
 * V8 sees one decoder per site and inlines it, and nothing but the output object is allocated.
 * This is the hot path of every status message (bench/status-throughput.js). The generated text
 * contains only the keys of STATUS_FIELDS above, JSON-quoted; nothing from the wire.
 */
function compile(unit: TempUnit): CompiledDecode {
  const d = STATUS_FIELD_NAMES.map((k) => makeDecoder(STATUS_FIELDS[k], unit));
  const fields = DECODED_STATUS_KEYS.map((k, i) => `${JSON.stringify(k)}: ${DERIVED[k] ?? `d[${i}](r[${JSON.stringify(k)}], r)`}`);
  const body = `"use strict"; return function decodeStatus${unit}(r) { return { ${fields.join(", ")} }; };`;
  return new Function("d", "power", body)(d, powerFromRaw) as CompiledDecode;
}

const DECODE: Readonly<Record<TempUnit, CompiledDecode>> = { F: compile("F"), C: compile("C") };

/**
 * Decodes a raw status object (the value of `response.status` / `response.st`) into the
 * account's unit. Throws BAD_RESPONSE only when the status is not an object at all; no output
 * value is ever NaN or ±Infinity (see finiteOrNull).
 */
export function decodeStatus(raw: Record<string, unknown>, unit: TempUnit): NavienStatus {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw fail("BAD_RESPONSE", "navien.status.notAnObject");
  }
  // "c" tolerated: a hand-edited config must not silently switch the whole status to °F.
  return (unit === "C" || (unit as string) === "c" ? DECODE.C : DECODE.F)(raw);
}
