/**
 * Unit conversions of the Navien wire encodings (docs/protocol/navien.md §10.1). Pure arithmetic, no allocation:
 * these run for ~40 fields of every status message.
 *
 * Fahrenheit values are computed from an exact integer numerator and ONE division
 * ((320 + 9·raw) / 10 rather than raw / 2 · 9 / 5 + 32) so that the only rounding error is the
 * final, correctly-rounded division; the contract's one-decimal rounding then never meets a
 * value that sits a hair below a tie.
 */

export type TempUnit = "F" | "C";

/** Litres → US gallons, the factor the reference library uses. */
export const LITRES_TO_GALLONS = 0.264172;

/**
 * The largest magnitude a decoded number may have. Real readings are 32-bit at most; beyond 2^53
 * a number has lost integer precision and the contract's rounding means nothing, and a hostile or
 * corrupt raw value such as 1e308 would overflow to Infinity in the conversions below.
 */
export const MAX_DECODED = Number.MAX_SAFE_INTEGER;

/**
 * A decoded number as it may appear in an output, or null: NaN, ±Infinity and magnitudes beyond
 * MAX_DECODED become null (unknown), -0 becomes 0. The conversions below stay pure arithmetic on
 * finite inputs; decoders pass their results through this.
 */
export function finiteOrNull(x: number): number | null {
  // NaN fails both comparisons.
  return x <= MAX_DECODED && x >= -MAX_DECODED ? (x === 0 ? 0 : x) : null;
}

/** Turns -0 into 0 (JSON and strict deep-equal comparisons would otherwise disagree). */
function noNegZero(x: number): number {
  return x === 0 ? 0 : x;
}

/** Rounds to one decimal (the contract's temperature precision). */
export function round1(x: number): number {
  return noNegZero(Math.round(x * 10) / 10);
}

/** Rounds to two decimals (flows and volumes, as the library does). */
export function round2(x: number): number {
  return noNegZero(Math.round(x * 100) / 100);
}

/**
 * Python's `round(x)`: nearest integer, exact ties to even. Python decides on the exact binary
 * value, so a tie is only a value whose fraction is exactly 0.5 — the same test here.
 */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const diff = x - f;
  if (diff < 0.5) return noNegZero(f);
  if (diff > 0.5) return noNegZero(f + 1);
  return noNegZero(f % 2 === 0 ? f : f + 1);
}

/** Half-°C raw → the account's unit, one decimal. */
export function fromHalfC(raw: number, unit: TempUnit): number {
  return unit === "C" ? round1(raw / 2) : round1((320 + 9 * raw) / 10);
}

/** Deci-°C raw → the account's unit, one decimal. */
export function fromDeciC(raw: number, unit: TempUnit): number {
  return unit === "C" ? round1(raw / 10) : round1((3200 + 18 * raw) / 100);
}

/** Deci-°C temperature DIFFERENCE → Δ in the account's unit (no +32, docs/protocol/navien.md §10.1 / quirk 21). */
export function fromDeciCDelta(raw: number, unit: TempUnit): number {
  return unit === "C" ? round1(raw / 10) : round1((18 * raw) / 100);
}

/**
 * `outsideTemperature` (half-°C with formula rounding). °C: raw / 2. °F: whole degrees —
 * formula 1 (standard) = Python round (ties to even: raw 5 → 36.5 → 36); anything else
 * (0, asymmetric) = floor when the truncated remainder `raw mod 10` is 9, else ceil
 * (−11 → remainder −1 → ceil(22.1) → 23).
 */
export function fromHalfCFormula(raw: number, unit: TempUnit, formulaType: number): number {
  if (unit === "C") return round1(raw / 2);
  const f = (320 + 9 * raw) / 10;
  if (formulaType === 1) {
    // With an integer raw the exact value is n/10, so a tie is n ≡ 5 (mod 10); decide it on the
    // integer rather than on the float quotient.
    if (Number.isInteger(raw)) {
      const n = 320 + 9 * raw;
      const r = ((n % 10) + 10) % 10;
      if (r === 5) {
        const lower = (n - 5) / 10;
        return noNegZero(lower % 2 === 0 ? lower : lower + 1);
      }
      return noNegZero(Math.round(f));
    }
    return roundHalfEven(f);
  }
  // JS `%` truncates toward zero like C's fmod, which is what the library's int() % 10 gives
  // after int() truncation for negatives.
  const rem = Math.trunc(raw) % 10;
  return noNegZero(rem === 9 ? Math.floor(f) : Math.ceil(f));
}

/** Flow raw (deci-L/min) → L/min (°C accounts) or US gal/min rounded to 2 dp (°F accounts). */
export function fromFlow(raw: number, unit: TempUnit): number {
  const lpm = raw / 10;
  return unit === "C" ? noNegZero(lpm) : round2(lpm * LITRES_TO_GALLONS);
}

/** Volume raw (litres) → litres (°C accounts) or US gallons rounded to 2 dp (°F accounts). */
export function fromVolume(raw: number, unit: TempUnit): number {
  return unit === "C" ? noNegZero(raw) : round2(raw * LITRES_TO_GALLONS);
}

/** Tank energy counts → Wh (×4; the library's ×10 before 9.3.0 was 2.5× too high). */
export function fromTankEnergy(raw: number): number {
  return noNegZero(raw * 4);
}

/**
 * A temperature in the account's unit → raw half-°C, exactly as the library computes it:
 * °F → round((F − 32) × 5 / 9 × 2), °C → round(C × 2), Python rounding (ties to even).
 * The float operations are done in the library's order so that the same ties arise.
 */
export function toRawHalfC(value: number, unit: TempUnit): number {
  if (unit === "C") return roundHalfEven(value * 2);
  return roundHalfEven(((value - 32) * 5) / 9 * 2);
}

/** Accepts "F"/"C" in any case (°F is the contract's default). */
export function normalizeUnit(unit: unknown): TempUnit {
  return typeof unit === "string" && unit.trim().toUpperCase() === "C" ? "C" : "F";
}
