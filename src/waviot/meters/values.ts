/**
 * Lenient reading of personal-cabinet values (docs/protocol/waviot.md §20.2, §20.7.4 #8 "type drift"): numbers that arrive
 * as strings, `[]` where an object is due, epoch seconds as int or numeric string. Anything not
 * finite is `null`, never `NaN`.
 */

/** A finite number from a number or a numeric string ("0.0000", "668.9570"), else null. */
export function num(v: unknown): number | null {
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v !== "string") return null;
  const t = v.trim();
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t)) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

/**
 * Epoch seconds (int or numeric string) → ms. Values above 10¹² are taken as ms already (the
 * defensive rule of S1/S3; no evidence of ms was seen). Zero/negative/other → null.
 */
export function epochMs(v: unknown): number | null {
  const n = num(v);
  if (n === null || n <= 0) return null;
  const ms = n > 1e12 ? n : n * 1000;
  return Number.isFinite(ms) && ms < 8.64e15 ? Math.trunc(ms) : null;
}

export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** A plain object; `[]` (how the server writes an empty object) and anything else → `{}`. */
export function record(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** A short trimmed string from a string or number, else null. */
export function text(v: unknown): string | null {
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  if (typeof v !== "string") return null;
  const t = v.trim();
  return t ? t.slice(0, 200) : null;
}

export type Tariff = "T1" | "T2" | "T3" | "T4" | "sum";

/** Tariff of a channel id (docs/protocol/waviot.md §20.4): `…_t1` … `…_t4`, `…_tsum`; anything else null. */
export function tariffOf(channel: string): Tariff | null {
  const m = /_t([1-4]|sum)$/i.exec(channel);
  if (!m) return null;
  return m[1].toLowerCase() === "sum" ? "sum" : (`T${m[1]}` as Tariff);
}

/**
 * Unit of a channel, only where docs/protocol/waviot.md knows it (§20.4: the `electro_ac_p_lsum*` energy registers
 * are kWh). Water, heat, gas and every other channel: null — never guessed (open question 5).
 */
export function unitOf(channel: string): string | null {
  return /^electro_ac_p_lsum(_t([1-4]|sum))?$/i.test(channel) ? "kWh" : null;
}

/** Channels that are not readings (docs/protocol/waviot.md §20.3.5: the event log). */
export function isReadingChannel(channel: string): boolean {
  return !/event/i.test(channel);
}

/** A modem id as the cabinet echoes it: hex, lower case (docs/protocol/waviot.md §20.2). */
export function modemId(v: unknown): string | null {
  const t = text(v);
  return t && /^[0-9a-f]{1,16}$/i.test(t) ? t.toLowerCase() : t;
}
