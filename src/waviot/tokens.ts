/**
 * The four session values of a WAVIoT login (docs/protocol/waviot.md §3.1) and how they travel (§3.2): the body's
 * `sc` goes back as cookie `ck` (the name mismatch is real), plus `rt`, `sessid` and the JWT both
 * as cookie `WAVIOT_JWT` and as `Authorization: bearer`. A tiny name-restricted jar adopts updated
 * values from Set-Cookie (§3.2, W16).
 */
import { decodeClaims, decodeExp, MAX_TOKEN_LENGTH } from "./jwt.js";

export interface WaviotTokens {
  sc: string;
  rt: string;
  sessid: string;
  jwt: string;
  /** Expiry (ms since epoch) from the token's `exp`; null when unreadable or already past at receipt. */
  expiresAt: number | null;
  /** When these values were received (client clock, ms). */
  receivedAt: number;
}

export interface LoginBody {
  sc: string;
  rt: string;
  sessid: string;
  WAVIOT_JWT: string;
}

export function tokensFrom(body: LoginBody, now: number): WaviotTokens {
  return withJwt({ sc: body.sc, rt: body.rt, sessid: body.sessid, jwt: "", expiresAt: null, receivedAt: now }, body.WAVIOT_JWT, now);
}

function withJwt(t: WaviotTokens, jwt: string, now: number): WaviotTokens {
  const exp = decodeExp(jwt);
  // An `exp` already in the past on arrival (clock skew, odd server) is treated as unknown:
  // refreshing before every request would not help, the reactive path still works.
  const expiresAt = exp !== null && exp * 1000 > now ? exp * 1000 : null;
  return { ...t, jwt, expiresAt, receivedAt: now };
}

/** Cookie value sent raw (values may contain `=`, legal in a cookie value). Never a cookie named `sc`. */
export function cookieHeader(t: WaviotTokens): string {
  return `ck=${t.sc}; rt=${t.rt}; sessid=${t.sessid}; WAVIOT_JWT=${t.jwt}`;
}

export function authHeaders(t: WaviotTokens): Record<string, string> {
  return { Cookie: cookieHeader(t), Authorization: `bearer ${t.jwt}` };
}

/** Due for a proactive refresh: 60 s before `exp`, scaled down for very short lifetimes (test servers). */
export function needsRefresh(t: WaviotTokens, now: number): boolean {
  if (t.expiresAt === null) return false;
  const margin = Math.min(60_000, (t.expiresAt - t.receivedAt) / 4);
  return now >= t.expiresAt - margin;
}

const JAR: Record<string, keyof WaviotTokens> = { ck: "sc", rt: "rt", sessid: "sessid", WAVIOT_JWT: "jwt" };

/** The tokens with any updated ck/rt/sessid/WAVIOT_JWT from Set-Cookie; the same object when nothing changed. */
export function adoptSetCookies(t: WaviotTokens, setCookie: unknown, now: number): WaviotTokens {
  const lines = Array.isArray(setCookie) ? setCookie : typeof setCookie === "string" ? [setCookie] : [];
  let next = t;
  for (const line of lines) {
    if (typeof line !== "string") continue;
    const first = line.split(";")[0];
    const eq = first.indexOf("=");
    if (eq <= 0) continue;
    const name = first.slice(0, eq).trim();
    const value = first.slice(eq + 1).trim();
    const key = JAR[name];
    // An empty value or "deleted" is a server clearing the cookie: keep ours, the next call decides.
    if (!key || !value || value === "deleted" || next[key] === value) continue;
    // An overlong value is not a token (the login schema refuses it too): keep ours.
    if (value.length > MAX_TOKEN_LENGTH) continue;
    next = key === "jwt" ? withJwt(next, value, now) : { ...next, [key]: value };
  }
  return next;
}

/** The IANA zone named by the token's `timezone` claim, if valid (used for history times only). */
export function tokenTimezone(t: WaviotTokens | undefined): string | undefined {
  const tz = t ? decodeClaims(t.jwt)?.timezone : undefined;
  return typeof tz === "string" && isTimeZone(tz) ? tz : undefined;
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Every string worth masking: the four values plus secret-bearing claims (API keys, AMQP URI). */
export function tokenSecrets(t: WaviotTokens | undefined): string[] {
  if (!t) return [];
  const out = [t.sc, t.rt, t.sessid, t.jwt];
  const claims = decodeClaims(t.jwt);
  const keys = claims?.apiKeys;
  if (Array.isArray(keys)) for (const k of keys) if (typeof k === "string") out.push(k);
  const amqp = claims?.rabbit_guest_api_connection;
  if (typeof amqp === "string") out.push(amqp);
  return out.filter((s) => s.length >= 4);
}
