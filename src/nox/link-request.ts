/**
 * The link-session request body (spec §3.1) resolved from the node's settings and the message,
 * and checked before anything is sent (spec §3.2): every rule failure is INVALID_INPUT.
 */
import { invalidInput } from "../core/errors.js";

/** Authenticator UI languages NOX documents (spec §13 A8: one constant). */
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
    throw invalidInput("No user id given. Set User id in the nox-link node, or send msg.payload as the user id (string) or as {user_id, redirect_url}.");
  } else {
    throw invalidInput(`The user id must be a string or an integer (got ${Array.isArray(value) ? "array" : typeof value}). Send msg.payload.user_id as your own id for the end user.`);
  }
  if (!v) throw invalidInput("The user id is blank. Give your own, non-empty id for the end user (User id in the node, or msg.payload.user_id).");
  if (v.length > 256) throw invalidInput(`The user id is ${v.length} characters long; at most 256 are allowed. Use a shorter id for the end user.`);
  if (CONTROL.test(v)) throw invalidInput("The user id contains a control character (e.g. a line break). Remove it.");
  return v;
}

export function checkRedirectUrl(value: unknown): string {
  if (blank(value)) {
    throw invalidInput("No redirect URL given. Set Redirect URL in the nox-link node (the address of your nox-callback), or send msg.payload.redirect_url.");
  }
  if (typeof value !== "string") throw invalidInput("The redirect URL must be a string (an absolute https:// address or an app link like myapp://nox/callback).");
  const v = value.trim();
  if (v.length > 2048) throw invalidInput("The redirect URL is longer than 2048 characters. Use a shorter address.");
  const lower = v.toLowerCase();
  const bad = FORBIDDEN_SCHEMES.find((s) => lower.startsWith(s));
  if (bad) throw invalidInput(`The redirect URL uses the scheme "${bad}", which is not allowed. Use an https:// address (or an app link like myapp://nox/callback).`);
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw invalidInput("The redirect URL is not an absolute URL. Give the full address, e.g. https://example.com/nox/callback.");
  }
  const web = u.protocol === "https:" || u.protocol === "http:";
  if (!web && !CUSTOM_SCHEME.test(v)) {
    throw invalidInput(`The redirect URL scheme "${u.protocol}" is not allowed. Use https://, http:// or an app link of the form name://path.`);
  }
  if (v.includes("#")) throw invalidInput("The redirect URL must not contain a #fragment: NOX appends ?data=… to it, which a fragment would swallow. Remove the # part.");
  if (u.username || u.password) throw invalidInput("The redirect URL must not contain a user name or password (user:pass@). Remove them.");
  return v;
}

export function checkLanguage(value: unknown): string {
  if (blank(value)) return DEFAULT_LANGUAGE;
  const v = typeof value === "string" ? value.trim().toLowerCase() : "";
  if (!(LANGUAGES as readonly string[]).includes(v)) {
    throw invalidInput(`The language must be one of ${LANGUAGES.join(", ")} (got ${JSON.stringify(String(value).slice(0, 20))}).`);
  }
  return v;
}

export function checkBrand(value: unknown): string | undefined {
  if (blank(value)) return undefined;
  if (typeof value !== "string") throw invalidInput(`The brand must be a string such as "daikin" (got ${typeof value}); leave it blank to let the user pick.`);
  const v = value.trim().toLowerCase();
  if (!BRAND.test(v)) {
    throw invalidInput("The brand must be a manufacturer name of at most 64 letters, digits, spaces or hyphens (e.g. \"daikin\", \"saunier-duval\"); leave it blank to let the user pick.");
  }
  return v;
}

export function checkAssetType(value: unknown): string | undefined {
  if (blank(value)) return undefined;
  const v = typeof value === "string" ? value.trim().toLowerCase() : "";
  if (!(ASSET_TYPES as readonly string[]).includes(v)) {
    throw invalidInput(`The asset type must be "hp" (heat pump) or "pv" (solar), or blank (got ${JSON.stringify(String(value).slice(0, 20))}).`);
  }
  return v;
}
