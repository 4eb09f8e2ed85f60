/**
 * Token persistence format (docs/protocol/navien.md §3.1): the reference library's snake_case dict, plus the
 * absolute expiry instants it lacks (its latent bug: the AWS expiry drifts after a refresh),
 * plus `user_seq` and a hash of the account e-mail so that tokens are never used for another account.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";
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

/** Timestamps without a zone are UTC (docs/protocol/navien.md §3.1). */
function parseTime(v: unknown): number | null {
  if (typeof v !== "string" || !v) return null;
  const s = /[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : v + "Z";
  const ms = Date.parse(s.replace(/(\.\d{3})\d+/, "$1"));
  return Number.isFinite(ms) ? ms : null;
}

/** snake_case wins when the camelCase twin is empty (docs/protocol/navien.md §3.1). */
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

/**
 * Tokens at rest (issues 11 and 18): what a restart needs — access and refresh token, AWS key
 * id/secret/session token and their absolute expiries; not the id token (nothing uses it) — in the
 * spec's snake_case format, sealed with AES-256-GCM. The key comes from a secret nobody who reads
 * the context store can see or guess: Node-RED's credential secret, or a random key kept as a
 * hidden credential of the account node (src/nodes/navien-account.ts picks it). Version 1 derived
 * the key from the account's e-mail and password, so anyone able to read the store could test
 * passwords offline; a v1 value is no longer opened (one sign-in, then a v2 value replaces it).
 * The e-mail still binds the value to the account (in the key's derivation and as AAD), so a
 * changed e-mail never reuses another account's tokens.
 */
export interface SealedTokens {
  v: 2;
  alg: "HKDF-SHA256+A256GCM";
  salt: string;
  iv: string;
  tag: string;
  data: string;
}

const ALG = "HKDF-SHA256+A256GCM";
const LABEL = "navien-account tokens v2";
/** GCM's full tag; a shorter one would make forgeries cheaper, so it is required exactly. */
const TAG_BYTES = 16;
const IV_BYTES = 12;

export function isSealed(v: unknown): v is SealedTokens {
  const o = v as Partial<SealedTokens> | null;
  return !!o && typeof o === "object" && o.v === 2 && o.alg === ALG && [o.salt, o.iv, o.tag, o.data].every((x) => typeof x === "string");
}

/** Seals and opens one account's tokens; the key is derived once per salt (HKDF: the secret is already random). */
export class TokenVault {
  private salt: Buffer | undefined;
  private readonly keys = new Map<string, Buffer>();
  private readonly aad: Buffer;

  /** `secret`: at least 32 random bytes, or Node-RED's credential secret; never the account's credentials. */
  constructor(
    private readonly secret: Buffer,
    private readonly email: string,
  ) {
    if (secret.length < 16) throw new RangeError("token key too short");
    this.aad = Buffer.from(`${LABEL}\n${accountKey(email)}`);
  }

  private key(salt: Buffer): Buffer {
    const id = salt.toString("base64");
    let k = this.keys.get(id);
    if (!k) {
      k = Buffer.from(hkdfSync("sha256", this.secret, salt, this.aad, 32));
      this.keys.set(id, k);
    }
    return k;
  }

  async seal(t: NavienTokens): Promise<SealedTokens> {
    this.salt ??= randomBytes(16);
    const needed: Partial<PersistedTokens> = toPersisted(t, this.email);
    delete needed.id_token; // nothing uses it after a restart
    delete needed.account; // the key already binds the value to the account
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key(this.salt), iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(this.aad);
    const data = Buffer.concat([cipher.update(JSON.stringify(needed), "utf8"), cipher.final()]);
    return { v: 2, alg: ALG, salt: this.salt.toString("base64"), iv: iv.toString("base64"), tag: cipher.getAuthTag().toString("base64"), data: data.toString("base64") };
  }

  /** The tokens, or undefined for anything else: plain text, v1 values, tampering, another key or account. */
  async open(raw: unknown): Promise<NavienTokens | undefined> {
    if (!isSealed(raw)) return undefined;
    try {
      const salt = Buffer.from(raw.salt, "base64");
      const iv = Buffer.from(raw.iv, "base64");
      const tag = Buffer.from(raw.tag, "base64");
      // A truncated tag would be accepted by a lenient decipher: only the full 16 bytes count.
      if (salt.length !== 16 || iv.length !== IV_BYTES || tag.length !== TAG_BYTES) return undefined;
      const decipher = createDecipheriv("aes-256-gcm", this.key(salt), iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(this.aad);
      decipher.setAuthTag(tag);
      const text = Buffer.concat([decipher.update(Buffer.from(raw.data, "base64")), decipher.final()]).toString("utf8");
      // Keep writing with the salt already on disk: the key is cached.
      this.salt ??= salt;
      return fromPersisted(JSON.parse(text), this.email);
    } catch {
      return undefined;
    }
  }
}
