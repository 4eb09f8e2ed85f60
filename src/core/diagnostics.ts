/**
 * What an account's diagnostics may show (CONTRACT.md, "Diagnostics"): ids cut to their last four
 * characters, URLs without user info, query or fragment, and — as a last line of defence — every
 * string of the finished object masked with the account's secrets. No Node-RED import.
 */
import { redact } from "./redact.js";

/** "…e5f6": enough to tell two devices apart, too little to address one. */
export function maskId(id: unknown): string | null {
  if (typeof id !== "string" && typeof id !== "number") return null;
  const s = String(id);
  return s.length <= 4 ? "…" : `…${s.slice(-4)}`;
}

/** scheme://host[:port]/path of a URL (no credentials, query or fragment); null when unreadable. */
export function safeUrl(url: unknown): string | null {
  if (typeof url !== "string" || !url) return null;
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return null;
  }
}

/** An instant as ISO-8601, or null. */
export function isoOrNull(ms: number | null | undefined): string | null {
  return typeof ms === "number" && Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : null;
}

/** Every string in a JSON-like value with `secrets` masked (keys included). */
export function scrub(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === "string") return redact(value, secrets);
  if (Array.isArray(value)) return value.map((v) => scrub(v, secrets));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[redact(k, secrets)] = scrub(v, secrets);
    return out;
  }
  return value;
}
