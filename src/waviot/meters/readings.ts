/**
 * Readings of a channel (`data/get_modem_channel_values`, docs/protocol/waviot.md §20.3.8) and what is derived from them:
 * 30-day request windows, the lenient value map (object `"<ts>": "<decimal>"`, a list of
 * `{timestamp, value}`, or `[]`), the merged series (sorted by time, de-duplicated across
 * overlapping windows — §20.7.4 #4), and the consumption per channel (§20.7.4 #2, #3).
 */
import { epochMs, num, record, tariffOf, unitOf, type Tariff } from "./values.js";

export interface Reading {
  channel: string;
  tariff: Tariff | null;
  value: number | null;
  unit: string | null;
  /** ISO-8601 UTC. */
  at: string;
  /** Epoch ms. */
  ts: number;
}

export const WINDOW_MS = 30 * 86_400_000;

/** [from, to] (ms) cut into pieces of at most 30 days, as epoch seconds for the query. */
export function windows(fromMs: number, toMs: number, maxMs = WINDOW_MS): Array<{ from: number; to: number }> {
  const out: Array<{ from: number; to: number }> = [];
  for (let a = fromMs; a < toMs; a += maxMs) {
    const b = Math.min(a + maxMs, toMs);
    out.push({ from: Math.floor(a / 1000), to: Math.ceil(b / 1000) });
  }
  return out;
}

/** The points of one answer's `values` (object map or list; `[]` = none). */
export function pointsOf(values: unknown): Array<{ ts: number; value: number | null }> {
  const out: Array<{ ts: number; value: number | null }> = [];
  if (Array.isArray(values)) {
    for (const item of values) {
      const r = record(item);
      const ts = epochMs(r.timestamp ?? r.ts ?? r.datetime);
      if (ts !== null) out.push({ ts, value: num(r.value) });
    }
    return out;
  }
  for (const [k, v] of Object.entries(record(values))) {
    const ts = epochMs(k);
    if (ts !== null) out.push({ ts, value: num(v) });
  }
  return out;
}

/** One channel's readings from the points of every window: inside [from, to], by time, one per instant (the last answer wins). */
export function channelReadings(channel: string, points: Array<{ ts: number; value: number | null }>, fromMs: number, toMs: number): Reading[] {
  const byTs = new Map<number, number | null>();
  for (const p of points) if (p.ts >= fromMs && p.ts <= toMs) byTs.set(p.ts, p.value);
  const tariff = tariffOf(channel);
  const unit = unitOf(channel);
  return [...byTs.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([ts, value]) => ({ channel, tariff, value, unit, at: new Date(ts).toISOString(), ts }));
}

/** Every channel's readings as one list sorted by time (then channel). */
export function sortReadings(list: Reading[]): Reading[] {
  return list.slice().sort((a, b) => a.ts - b.ts || (a.channel < b.channel ? -1 : a.channel > b.channel ? 1 : 0));
}

/**
 * Consumption of one channel over its readings (time order), optionally continuing from a
 * previous point: the sum of the increases between consecutive readings. A decrease — a meter
 * reset or replacement — counts as 0, and a zero reading ("0.0000", §20.7.4 #3) or a missing value is
 * not a register value to subtract from (a reset is then measured from the next real reading).
 * Never negative; rounded to the register's 4 decimals.
 */
export function consumptionOf(values: Array<number | null>, previous?: number | null): number {
  let last: number | null = previous !== undefined && previous !== null && previous > 0 ? previous : null;
  let sum = 0;
  for (const v of values) {
    if (v === null || v <= 0) continue;
    if (last !== null && v > last) sum += v - last;
    last = v;
  }
  return Math.round(sum * 1e4) / 1e4;
}
