/**
 * Lenient reader of the WAVIOT_JWT (docs/protocol/waviot.md §3.3). It looks like a JWT but is not one (standard
 * base64 with padding, "alg":"md5"), so it is never verified — only `exp` (for refreshing ahead of
 * expiry) and `timezone` (to read server-local history times) are read. Any failure means
 * "unknown", never an error. The decoded claims are secrets and never leave this package.
 */

/** The token's claims, or null when segment 2 is not base64 JSON of an object. */
export function decodeClaims(token: unknown): Record<string, unknown> | null {
  if (typeof token !== "string") return null;
  const parts = token.split(".");
  if (parts.length < 2) return null;
  let b64 = parts[1].replace(/-/g, "+").replace(/_/g, "/").replace(/\s+/g, "").replace(/=+$/, "");
  if (!/^[A-Za-z0-9+/]*$/.test(b64) || b64.length % 4 === 1) return null;
  b64 += "=".repeat((4 - (b64.length % 4)) % 4);
  try {
    const value: unknown = JSON.parse(Buffer.from(b64, "base64").toString("utf8"));
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** `exp` in epoch seconds (a numeric string is accepted), or null when unreadable. */
export function decodeExp(token: unknown): number | null {
  const exp = decodeClaims(token)?.exp;
  if (typeof exp === "number" && Number.isFinite(exp) && exp > 0) return Math.floor(exp);
  if (typeof exp === "string" && /^\d+$/.test(exp.trim())) return Number(exp.trim());
  return null;
}

/** docs/protocol/waviot.md §3.4: refresh before a request once `now ≥ exp − margin` (seconds). */
export function refreshDue(nowSeconds: number, exp: number | null, marginSeconds = 60): boolean {
  return exp !== null && nowSeconds >= exp - marginSeconds;
}
