/**
 * Token persistence format (spec §3.7): the reference library's snake_case dict, plus the
 * absolute expiry instants it lacks (its latent bug: the AWS expiry drifts after a refresh),
 * plus `user_seq` and a hash of the account e-mail so that tokens are never used for another account.
 */
import { createHash } from "node:crypto";
import type { NavienTokens } from "./auth.js";

export interface PersistedTokens {
  id_token: string;
  access_token: string;
  refresh_token: string;
  authentication_expires_in: number;
  access_key_id: string;
  secret_key: string;
  session_token: string;
  authorization_expires_in: number | null;
  issued_at: string;
  access_expires_at: string;
  aws_expires_at: string | null;
  user_seq: number | null;
  account: string;
}

export function accountKey(email: string): string {
  return createHash("sha256").update(email.trim().toLowerCase()).digest("hex").slice(0, 16);
}

/** `YYYY-MM-DDTHH:MM:SS.ffffffZ`, as the library writes it. */
function isoMicro(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

export function toPersisted(t: NavienTokens, email: string): PersistedTokens {
  return {
    id_token: t.idToken,
    access_token: t.accessToken,
    refresh_token: t.refreshToken,
    authentication_expires_in: Math.round(t.accessLifetimeMs / 1000),
    access_key_id: t.awsAccessKeyId,
    secret_key: t.awsSecretKey,
    session_token: t.awsSessionToken,
    authorization_expires_in: t.awsLifetimeMs === null ? null : Math.round(t.awsLifetimeMs / 1000),
    issued_at: isoMicro(t.issuedAt),
    access_expires_at: isoMicro(t.accessExpiresAt),
    aws_expires_at: t.awsExpiresAt === null ? null : isoMicro(t.awsExpiresAt),
    user_seq: t.userSeq,
    account: accountKey(email),
  };
}

/** Timestamps without a zone are UTC (spec §3.7). */
function parseTime(v: unknown): number | null {
  if (typeof v !== "string" || !v) return null;
  const s = /[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : v + "Z";
  const ms = Date.parse(s.replace(/(\.\d{3})\d+/, "$1"));
  return Number.isFinite(ms) ? ms : null;
}

/** snake_case wins when the camelCase twin is empty (spec §3.7). */
function pick(o: Record<string, unknown>, snake: string, camel: string): unknown {
  const c = o[camel];
  const s = o[snake];
  if (c !== undefined && c !== null && c !== "") return c;
  return s;
}

/**
 * Reads a persisted store (ours, the library's snake_case one, or camelCase API keys).
 * Returns undefined for anything unusable or for another account's tokens.
 */
export function fromPersisted(raw: unknown, email: string): NavienTokens | undefined {
  if (!raw || typeof raw !== "object") return undefined;
  const o = raw as Record<string, unknown>;
  if (typeof o.account === "string" && o.account !== accountKey(email)) return undefined;
  const access = pick(o, "access_token", "accessToken");
  const authIn = Number(pick(o, "authentication_expires_in", "authenticationExpiresIn"));
  const issuedAt = parseTime(pick(o, "issued_at", "issuedAt"));
  if (typeof access !== "string" || !access || !Number.isFinite(authIn) || issuedAt === null) return undefined;
  const awsIn = pick(o, "authorization_expires_in", "authorizationExpiresIn");
  const awsLifetimeMs = typeof awsIn === "number" && Number.isFinite(awsIn) ? awsIn * 1000 : null;
  const str = (snake: string, camel: string) => {
    const v = pick(o, snake, camel);
    return typeof v === "string" ? v : "";
  };
  return {
    accessToken: access,
    idToken: str("id_token", "idToken"),
    refreshToken: str("refresh_token", "refreshToken"),
    accessLifetimeMs: authIn * 1000,
    accessExpiresAt: parseTime(o.access_expires_at) ?? issuedAt + authIn * 1000,
    awsAccessKeyId: str("access_key_id", "accessKeyId"),
    awsSecretKey: str("secret_key", "secretKey"),
    awsSessionToken: str("session_token", "sessionToken"),
    awsLifetimeMs,
    awsExpiresAt: parseTime(o.aws_expires_at) ?? (awsLifetimeMs === null ? null : issuedAt + awsLifetimeMs),
    issuedAt,
    userSeq: typeof o.user_seq === "number" ? o.user_seq : null,
  };
}
