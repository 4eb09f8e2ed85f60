/**
 * Lenient reader of the WAVIOT_JWT (docs/protocol/waviot.md §3.3). It looks like a JWT but is not one (standard
 * base64 with padding, "alg":"md5"), so it is never verified — only `exp` (for refreshing ahead of
 * expiry) and `timezone` (to read server-local history times) are read. Any failure means
 * "unknown", never an error. The decoded claims are secrets and never leave this package.
 *
 * The token is server text: it is read in one linear pass, never with a backtracking regex
 * (issue 18: `/=+$/` on a long run of "=" not at the end took seconds), and never beyond
 * MAX_TOKEN_LENGTH (a longer one is refused as BAD_RESPONSE where it arrives).
 */

/** 16 KB: far above any real WAVIoT token (about 1 KB), small enough to decode in microseconds. */
export const MAX_TOKEN_LENGTH = 16 * 1024;

/** base64 / base64url character → 6-bit value (-1 = not in either alphabet). */
const SEXTET = new Int8Array(128).fill(-1);
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".split("").forEach((c, i) => (SEXTET[c.charCodeAt(0)] = i));
SEXTET["+".charCodeAt(0)] = SEXTET["-".charCodeAt(0)] = 62;
SEXTET["/".charCodeAt(0)] = SEXTET["_".charCodeAt(0)] = 63;

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/**
 * The bytes of a base64 or base64url segment (whitespace ignored, "=" allowed only as trailing
 * padding), or null. One pass over the text.
 */
function decodeSegment(seg: string): Buffer | null {
  const clean: number[] = [];
  let padding = 0;
  for (let i = 0; i < seg.length; i++) {
    const c = seg.charCodeAt(i);
    if (isSpace(c)) continue;
    if (c === 0x3d /* = */) {
      padding++;
      continue;
    }
    // Data after padding: not base64.
    if (padding > 0) return null;
    const v = c < 128 ? SEXTET[c] : -1;
    if (v < 0) return null;
    clean.push(v);
  }
  if (clean.length % 4 === 1) return null;
  const out = Buffer.alloc(Math.floor((clean.length * 6) / 8));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (const v of clean) {
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

/** The token's claims, or null when segment 2 is not base64 JSON of an object (or the token is too long). */
export function decodeClaims(token: unknown): Record<string, unknown> | null {
  if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH) return null;
  const first = token.indexOf(".");
  if (first < 0) return null;
  const second = token.indexOf(".", first + 1);
  const bytes = decodeSegment(token.slice(first + 1, second < 0 ? undefined : second));
  if (!bytes) return null;
  try {
    const value: unknown = JSON.parse(bytes.toString("utf8"));
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** `exp` in epoch seconds (a numeric string is accepted), or null when unreadable. */
export function decodeExp(token: unknown): number | null {
  const exp = decodeClaims(token)?.exp;
  if (typeof exp === "number" && Number.isFinite(exp) && exp > 0) return Math.floor(exp);
  if (typeof exp === "string" && exp.length <= 20 && /^\d+$/.test(exp.trim())) return Number(exp.trim());
  return null;
}

/** docs/protocol/waviot.md §3.4: refresh before a request once `now ≥ exp − margin` (seconds). */
export function refreshDue(nowSeconds: number, exp: number | null, marginSeconds = 60): boolean {
  return exp !== null && nowSeconds >= exp - marginSeconds;
}
