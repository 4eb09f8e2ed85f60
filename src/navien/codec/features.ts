/**
 * Device features — the device-info answer `response.feature` / `response.did` (docs/protocol/navien.md §11).
 * Capability flags: 2 = supported, 1 = not supported, 0 = not fitted → true / false / false.
 * Limits are half-°C and are converted to the account's unit for display; range checks use the
 * raw values (`rawLimits`), never the converted ones (docs/protocol/navien.md §16, quirk 23: 149.9 °F would refuse 150 °F).
 */
import { num, TEMP_FORMULA_TYPE, TEMPERATURE_TYPE } from "./status.js";
import { fromHalfC, normalizeUnit, round1, type TempUnit } from "./units.js";

/** Every capability flag of docs/protocol/navien.md §7, §11 (both spellings of the mixing valve flag). */
export const FEATURE_FLAGS = [
  "powerUse",
  "holidayUse",
  "programReservationUse",
  "dhwUse",
  "smartDiagnosticUse",
  "wifiRssiUse",
  "energyUsageUse",
  "freezeProtectionUse",
  "mixingValveUse",
  "drSettingUse",
  "antiLegionellaSettingUse",
  "hpwhUse",
  "dhwRefillUse",
  "ecoUse",
  "electricUse",
  "heatpumpUse",
  "energySaverUse",
  "highDemandUse",
  "recirculationUse",
  "recircReservationUse",
  "title24Use",
] as const;

/** The wire value of a capability flag; the mixing valve flag comes in two spellings (docs/protocol/navien.md §11). */
function flagValue(r: Record<string, unknown>, name: string): unknown {
  return name === "mixingValveUse" ? (r.mixingValveUse ?? r.mixingValueUse) : r[name];
}

const INT_FIELDS = [
  "countryCode",
  "controlTypeCode",
  "volumeCode",
  "controllerSwVersion",
  "panelSwVersion",
  "wifiSwVersion",
  "recircSwVersion",
  "controllerSwCode",
  "panelSwCode",
  "wifiSwCode",
  "recircModelTypeCode",
] as const;

const LIMIT_FIELDS = [
  "dhwTemperatureMin",
  "dhwTemperatureMax",
  "freezeProtectionTempMin",
  "freezeProtectionTempMax",
  "recircTemperatureMin",
  "recircTemperatureMax",
] as const;

export type LimitField = (typeof LIMIT_FIELDS)[number];

/** docs/protocol/navien.md §11 `modelTypeCode`, lower-case. */
export const MODEL_TYPE: Readonly<Record<number, string>> = {
  0: "none",
  1: "npe",
  2: "ncb",
  3: "nhb",
  4: "cas-npe",
  5: "cas-nhb",
  6: "nfb",
  7: "cas-nfb",
  8: "nfc",
  9: "npn",
  10: "cas-npn",
  11: "npe2",
  12: "cas-npe2",
  13: "ncb-h",
  14: "nvw",
  15: "cas-nvw",
  16: "nhb-h",
  17: "cas-nhb-h",
  20: "nfb-700",
  21: "cas-nfb-700",
  257: "twc",
  513: "npf",
};

/** docs/protocol/navien.md §11 `dhwTemperatureSettingUse`; 0 (unknown) decodes to null. */
export const DHW_TEMPERATURE_SETTING_USE: Readonly<Record<number, string>> = {
  1: "disabled",
  2: "half-degree",
  3: "whole-degree",
  4: "three-stage",
};

/** docs/protocol/navien.md §11 `volumeCode` → US gallons. */
export const VOLUME_GALLONS: Readonly<Record<number, number>> = { 1: 50, 2: 65, 3: 80 };
const GALLON_LITRES = 3.785411784;

/** Library defaults for the freeze limits when a device omits them (12 / 20 raw = 42.8 / 50 °F). */
export const DEFAULT_FREEZE_MIN_RAW = 12;
export const DEFAULT_FREEZE_MAX_RAW = 20;

/** The raw feature object behind a decoded one (non-enumerable: not copied into messages). */
const RAW = Symbol("navien.rawFeatures");

export type FeatureValue = number | string | boolean | null;
export type NavienFeatures = Record<string, FeatureValue>;

function lookup(table: Readonly<Record<number, string>>, v: unknown): string | null {
  const n = num(v);
  return n === undefined ? null : (table[n] ?? null);
}

/** 2 → true, anything else reported → false, missing → null. */
function flag(v: unknown): boolean | null {
  const n = num(v);
  return n === undefined ? null : n === 2;
}

/** The raw feature object → decoded features in the account's unit. */
export function decodeFeatures(raw: Record<string, unknown>, unitIn: TempUnit): NavienFeatures {
  const unit = normalizeUnit(unitIn);
  const r = raw && typeof raw === "object" ? raw : {};
  const out: NavienFeatures = {};
  out.controllerSerialNumber = typeof r.controllerSerialNumber === "string" ? r.controllerSerialNumber : null;
  out.modelTypeCode = lookup(MODEL_TYPE, r.modelTypeCode);
  for (const k of INT_FIELDS) out[k] = num(r[k]) ?? null;
  const gallons = VOLUME_GALLONS[num(r.volumeCode) ?? -1];
  /** Tank size in the account's unit: US gallons (°F) or litres (°C). */
  out.tankVolume = gallons === undefined ? null : unit === "C" ? round1(gallons * GALLON_LITRES) : gallons;
  out.temperatureType = lookup(TEMPERATURE_TYPE, r.temperatureType);
  // Absent means 0 (asymmetric), docs/protocol/navien.md §11.
  out.tempFormulaType = lookup(TEMP_FORMULA_TYPE, r.tempFormulaType ?? 0);
  out.dhwTemperatureSettingUse = lookup(DHW_TEMPERATURE_SETTING_USE, r.dhwTemperatureSettingUse);
  for (const k of LIMIT_FIELDS) {
    const n = num(r[k]);
    out[k] = n === undefined ? null : fromHalfC(n, unit);
  }
  for (const k of FEATURE_FLAGS) {
    out[k] = flag(flagValue(r, k));
  }
  Object.defineProperty(out, RAW, { value: r, enumerable: false });
  return out;
}

/**
 * Was this produced by decodeFeatures (values converted) rather than the raw wire object?
 * A decoded object has boolean flags; a raw one has numbers.
 */
function isDecoded(f: Record<string, unknown>): boolean {
  for (const k of FEATURE_FLAGS) {
    const v = f[k];
    if (typeof v === "boolean") return true;
    if (typeof v === "number") return false;
  }
  return typeof f.dhwTemperatureSettingUse === "string";
}

/**
 * Raw wire features from either a raw object or a decoded one. For a decoded object that lost
 * its hidden raw copy (e.g. cloned into a message), flags become 2/1 and limits are converted
 * back from `unit` — exact, because a half-°C value has at most one decimal in either unit.
 */
export function toRawFeatures(features: Record<string, unknown>, unit: TempUnit): Record<string, unknown> {
  const hidden = (features as Record<symbol, unknown>)[RAW];
  if (hidden && typeof hidden === "object") return hidden as Record<string, unknown>;
  if (!isDecoded(features)) return features;
  const out: Record<string, unknown> = { ...features };
  for (const k of FEATURE_FLAGS) {
    const v = features[k];
    if (typeof v === "boolean") out[k] = v ? 2 : 1;
  }
  const use = features.dhwTemperatureSettingUse;
  if (typeof use === "string") {
    const n = Object.entries(DHW_TEMPERATURE_SETTING_USE).find(([, name]) => name === use)?.[0];
    out.dhwTemperatureSettingUse = n === undefined ? 0 : Number(n);
  } else if (use === null) out.dhwTemperatureSettingUse = 0;
  for (const k of LIMIT_FIELDS) {
    const v = features[k];
    if (typeof v === "number") {
      out[k] = unit === "C" ? Math.round(v * 2) : Math.round((((v - 32) * 5) / 9) * 2);
    }
  }
  return out;
}

export interface RawLimits {
  dhwTemperatureMin: number | null;
  dhwTemperatureMax: number | null;
  freezeProtectionTempMin: number;
  freezeProtectionTempMax: number;
  recircTemperatureMin: number | null;
  recircTemperatureMax: number | null;
}

/**
 * Raw half-°C limits for range checks. Freeze limits fall back to the library's 12 / 20 when
 * absent; the others are null when the device does not report them.
 */
export function rawLimits(features: Record<string, unknown>, unit: TempUnit = "F"): RawLimits {
  const r = toRawFeatures(features ?? {}, unit);
  const n = (k: LimitField) => {
    const v = num(r[k]);
    return v === undefined ? null : v;
  };
  return {
    dhwTemperatureMin: n("dhwTemperatureMin"),
    dhwTemperatureMax: n("dhwTemperatureMax"),
    freezeProtectionTempMin: n("freezeProtectionTempMin") ?? DEFAULT_FREEZE_MIN_RAW,
    freezeProtectionTempMax: n("freezeProtectionTempMax") ?? DEFAULT_FREEZE_MAX_RAW,
    recircTemperatureMin: n("recircTemperatureMin"),
    recircTemperatureMax: n("recircTemperatureMax"),
  };
}

/** Raw value of a capability flag (2 = supported), from raw or decoded features. */
export function rawFlag(features: Record<string, unknown>, name: string, unit: TempUnit = "F"): number | undefined {
  const r = toRawFeatures(features, unit);
  return num(flagValue(r, name));
}

/**
 * Does this raw feature object carry the device's capabilities (at least one capability flag as a
 * number)? Only such an object may be cached or gate commands: a corrupt or partial device-info
 * message must not make every gated command fail "capability … is not reported".
 */
export function hasCapabilities(raw: unknown): raw is Record<string, unknown> {
  if (!raw || typeof raw !== "object") return false;
  const r = raw as Record<string, unknown>;
  for (const k of FEATURE_FLAGS) {
    if (num(flagValue(r, k)) !== undefined) return true;
  }
  return false;
}
