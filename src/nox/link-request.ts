/**
 * The link-session request body (docs/protocol/nox.md §3.1) resolved from the node's settings and the message,
 * and checked before anything is sent (docs/protocol/nox.md §3.2): every rule failure is INVALID_INPUT.
 */
import { invalidInput } from "../core/errors.js";

/** Authenticator UI languages NOX documents (docs/protocol/nox.md §13 A8: one constant). */
export const LANGUAGES = ["nl", "en", "fr", "es"] as const;
export const ASSET_TYPES = ["hp", "pv"] as const;
/** The contract's node default; NOX's own default would be `nl`, so the field is always sent. */
export const DEFAULT_LANGUAGE = "en";

export interface LinkRequestBody {
  user_id: string;
  redirect_url: string;
  language: string;
  brand?: string;
  asset_type?: string;
}

/** Node properties (blank = take it from the message). */
export interface LinkSettings {
  userId?: string;
  redirectUrl?: string;
  language?: string;
  brand?: string;
  assetType?: string;
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;
const BRAND = /^[a-z0-9][a-z0-9 -]{0,63}$/;
const CUSTOM_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const FORBIDDEN_SCHEMES = ["javascript:", "data:", "file:", "vbscript:", "blob:", "about:"];

function blank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === "string" && v.trim() === "");
}

/** Node property first; a message value only where the property is blank (contract). */
function pick(nodeValue: unknown, msgValue: unknown): unknown {
  return blank(nodeValue) ? msgValue : nodeValue;
}

/** The message's contribution: an object with the body's field names, or a plain user id. */
function fromPayload(payload: unknown): Record<string, unknown> {
  if (typeof payload === "string" || typeof payload === "number") return { user_id: payload };
  if (payload && typeof payload === "object" && !Array.isArray(payload) && !Buffer.isBuffer(payload)) {
    return payload as Record<string, unknown>;
  }
  return {};
}

export function resolveLinkRequest(settings: LinkSettings, payload: unknown): LinkRequestBody {
  const m = fromPayload(payload);
  const body: LinkRequestBody = {
    user_id: checkUserId(pick(settings.userId, m.user_id)),
    redirect_url: checkRedirectUrl(pick(settings.redirectUrl, m.redirect_url)),
    language: checkLanguage(pick(settings.language, m.language)),
  };
  const brand = checkBrand(pick(settings.brand, m.brand));
  if (brand !== undefined) body.brand = brand;
  const assetType = checkAssetType(pick(settings.assetType, m.asset_type));
  if (assetType !== undefined) body.asset_type = assetType;
  return body;
}

export function checkUserId(value: unknown): string {
  let v: string;
  if (typeof value === "number" && Number.isSafeInteger(value)) v = String(value);
  else if (typeof value === "string") v = value.trim();
  else if (value === undefined || value === null) {
    throw invalidInput("nox.linkRequest.noUserIdGiven");
  } else {
    throw invalidInput("nox.linkRequest.userIdMustBe", { value: Array.isArray(value) ? "array" : typeof value });
  }
  if (!v) throw invalidInput("nox.linkRequest.userIdBlankGive");
  if (v.length > 256) throw invalidInput("nox.linkRequest.userIdCharactersLong", { count: v.length });
  if (CONTROL.test(v)) throw invalidInput("nox.linkRequest.userIdContainsControl");
  return v;
}

export function checkRedirectUrl(value: unknown): string {
  if (blank(value)) {
    throw invalidInput("nox.linkRequest.noRedirectUrlGiven");
  }
  if (typeof value !== "string") throw invalidInput("nox.linkRequest.redirectUrlMustBe");
  const v = value.trim();
  if (v.length > 2048) throw invalidInput("nox.linkRequest.redirectUrlLongerThan");
  const lower = v.toLowerCase();
  const bad = FORBIDDEN_SCHEMES.find((s) => lower.startsWith(s));
  if (bad) throw invalidInput("nox.linkRequest.redirectUrlUsesScheme", { bad });
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw invalidInput("nox.linkRequest.redirectUrlNotAbsolute");
  }
  const web = u.protocol === "https:" || u.protocol === "http:";
  if (!web && !CUSTOM_SCHEME.test(v)) {
    throw invalidInput("nox.linkRequest.redirectUrlSchemeNot", { protocol: u.protocol });
  }
  if (v.includes("#")) throw invalidInput("nox.linkRequest.redirectUrlNoFragment");
  if (u.username || u.password) throw invalidInput("nox.linkRequest.redirectUrlNoUserInfo");
  return v;
}

export function checkLanguage(value: unknown): string {
  if (blank(value)) return DEFAULT_LANGUAGE;
  const v = typeof value === "string" ? value.trim().toLowerCase() : "";
  if (!(LANGUAGES as readonly string[]).includes(v)) {
    throw invalidInput("nox.linkRequest.languageMustBeOne", { languages: LANGUAGES.join(", "), value: JSON.stringify(String(value).slice(0, 20)) });
  }
  return v;
}

export function checkBrand(value: unknown): string | undefined {
  if (blank(value)) return undefined;
  if (typeof value !== "string") throw invalidInput("nox.linkRequest.brandMustBeString", { value: typeof value });
  const v = value.trim().toLowerCase();
  if (!BRAND.test(v)) {
    throw invalidInput("nox.linkRequest.brandMustBeManufacturer");
  }
  return v;
}

export function checkAssetType(value: unknown): string | undefined {
  if (blank(value)) return undefined;
  const v = typeof value === "string" ? value.trim().toLowerCase() : "";
  if (!(ASSET_TYPES as readonly string[]).includes(v)) {
    throw invalidInput("nox.linkRequest.assetTypeMustBe", { value: JSON.stringify(String(value).slice(0, 20)) });
  }
  return v;
}
