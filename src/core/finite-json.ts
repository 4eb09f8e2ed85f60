/**
 * Parsed JSON without non-finite numbers. JSON.parse turns a literal such as `1e400` into
 * Infinity, which JSON.stringify later writes as null and which breaks arithmetic downstream; a
 * message copied out as is (e.g. navien-status-in's `msg.raw`) gets null in its place.
 */

/** Deeper than this is not a device answer; such a branch is replaced by null (no stack overflow). */
const MAX_DEPTH = 64;

function hasNonFinite(v: unknown, depth: number): boolean {
  if (typeof v === "number") return !Number.isFinite(v);
  if (v === null || typeof v !== "object") return false;
  if (depth >= MAX_DEPTH) return true;
  if (Array.isArray(v)) {
    for (const x of v) if (hasNonFinite(x, depth + 1)) return true;
    return false;
  }
  for (const k in v) {
    if (Object.prototype.hasOwnProperty.call(v, k) && hasNonFinite((v as Record<string, unknown>)[k], depth + 1)) return true;
  }
  return false;
}

function copy(v: unknown, depth: number): unknown {
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (v === null || typeof v !== "object") return v;
  if (depth >= MAX_DEPTH) return null;
  if (Array.isArray(v)) return v.map((x) => copy(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    // defineProperty: a "__proto__" key stays a plain key, as JSON.parse made it.
    Object.defineProperty(out, k, { value: copy((v as Record<string, unknown>)[k], depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** `v` itself when it holds only finite numbers (the common case: no copy), else a copy with null in their place. */
export function withFiniteNumbers<T>(v: T): T {
  return hasNonFinite(v, 0) ? (copy(v, 0) as T) : v;
}
