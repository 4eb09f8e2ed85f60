/**
 * Authorization history (docs/protocol/waviot.md §4.10): each entry gets `at` (ISO-8601 UTC) from `ts` — the server's
 * `date_time` is server-local wall time — and the list is sorted newest first (server order is not
 * trusted). `selectNew` implements `onlyNew` with a watermark: the newest instant emitted plus the
 * keys of the entries at that instant, so two logins in the same second are both reported.
 */
import { createHash } from "node:crypto";

export type HistoryEntry = Record<string, unknown> & { at: string | null };

export interface Watermark {
  /** Newest instant emitted (ms since epoch). */
  at: number;
  /** Hashed keys (ts|ip|user_agent|type) of the entries at that instant. */
  keys: string[];
}

/** Fixed offset of the documented sample (Moscow), used when the user's zone is unknown. */
const FALLBACK_OFFSET_MS = 3 * 3_600_000;

export function instantOf(entry: Record<string, unknown>, timeZone?: string): number | null {
  const ts = entry.ts;
  if (typeof ts === "number" && Number.isInteger(ts) && ts > 0) return ts * 1000;
  if (typeof ts === "string" && /^\d+$/.test(ts.trim()) && Number(ts) > 0) return Number(ts) * 1000;
  return typeof entry.date_time === "string" ? parseLocal(entry.date_time, timeZone) : null;
}

/** `DD.MM.YYYY HH:MM:SS` in the given IANA zone (else UTC+03:00), or null. */
export function parseLocal(text: string, timeZone?: string): number | null {
  const m = /^\s*(\d{2})\.(\d{2})\.(\d{4})\s+(\d{2}):(\d{2}):(\d{2})\s*$/.exec(text);
  if (!m) return null;
  const [d, mo, y, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return null;
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  if (!timeZone) return wall - FALLBACK_OFFSET_MS;
  // Two passes settle the zone's offset also next to a DST change.
  let guess = wall - zoneOffset(wall, timeZone);
  guess = wall - zoneOffset(guess, timeZone);
  return guess;
}

/** Offset (ms) of the zone from UTC at instant t. */
function zoneOffset(t: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
  }).formatToParts(new Date(t));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second")) - Math.floor(t / 1000) * 1000;
}

interface Ranked {
  entry: HistoryEntry;
  instant: number | null;
}

function rank(raw: Record<string, unknown>[], timeZone?: string): Ranked[] {
  const ranked = raw.map((e) => {
    const instant = instantOf(e, timeZone);
    return { entry: { ...e, at: instant === null ? null : new Date(instant).toISOString() }, instant };
  });
  // Newest first; entries without a time last (Array.prototype.sort is stable).
  return ranked.sort((a, b) => (b.instant ?? -Infinity) - (a.instant ?? -Infinity));
}

export function normalizeHistory(raw: Record<string, unknown>[], timeZone?: string): HistoryEntry[] {
  return rank(raw, timeZone).map((r) => r.entry);
}

/** Hash of ts|ip|user_agent|type: remembers an entry without storing IP addresses or user agents. */
export function keyOf(e: Record<string, unknown>, instant: number): string {
  const text = [instant, e.ip, e.user_agent, e.type].map((v) => (typeof v === "string" || typeof v === "number" ? String(v) : "")).join("|");
  return createHash("sha256").update(text).digest("hex").slice(0, 24);
}

/** Entries not seen before (newest first) and the watermark to keep; `seen` undefined = nothing seen yet. */
export function selectNew(raw: Record<string, unknown>[], seen: Watermark | undefined, timeZone?: string): { fresh: HistoryEntry[]; next: Watermark | undefined } {
  const known = new Set(seen?.keys ?? []);
  const fresh = rank(raw, timeZone).filter(
    (r): r is { entry: HistoryEntry; instant: number } =>
      r.instant !== null && (seen === undefined || r.instant > seen.at || (r.instant === seen.at && !known.has(keyOf(r.entry, r.instant)))),
  );
  if (!fresh.length) return { fresh: [], next: seen };
  const top = fresh[0].instant;
  const keys = new Set(seen && seen.at === top ? seen.keys : []);
  for (const r of fresh) if (r.instant === top) keys.add(keyOf(r.entry, r.instant));
  return { fresh: fresh.map((r) => r.entry), next: { at: top, keys: [...keys] } };
}

/** A stored watermark, if it has the expected shape (context data may be anything). */
export function asWatermark(v: unknown): Watermark | undefined {
  if (v === null || typeof v !== "object") return undefined;
  const w = v as Partial<Watermark>;
  return typeof w.at === "number" && Number.isFinite(w.at) && Array.isArray(w.keys) && w.keys.every((k) => typeof k === "string")
    ? { at: w.at, keys: w.keys }
    : undefined;
}
