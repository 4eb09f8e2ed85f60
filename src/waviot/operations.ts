/**
 * The `waviot-user` operations (contract; docs/protocol/waviot.md §4.4–§4.11): local checks of msg.payload (nothing is
 * sent when they fail) and the request each operation makes. Sign-up and password recovery are
 * unauthenticated and never trigger the lazy login (§4.4, §4.11).
 */
import { invalidInput } from "../core/errors.js";
import { message, type MessageParam } from "../core/messages.js";
import { isJsonObject } from "./responses.js";
import type { Call } from "./transport.js";

export const OPERATIONS = ["whoami", "update", "settings", "set-settings", "change-password", "sign-up", "recover-password"] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface PreparedCall {
  operation: Operation;
  call: Call;
  /** false: sent without cookies/bearer and without logging in. */
  authenticated: boolean;
  /** Values from the payload to mask in any error text (passwords the user sent). */
  secrets: string[];
}

export function isOperation(v: string): v is Operation {
  return (OPERATIONS as readonly string[]).includes(v);
}

const PROFILE_FIELDS = ["lastName", "firstName", "headEmail", "phone"] as const;
const SIGN_UP_FIELDS = ["lastName", "firstName", "headEmail", "phone", "password", "repPassword"] as const;

export function prepare(operation: Operation, payload: unknown): PreparedCall {
  switch (operation) {
    case "whoami":
      return { operation, call: { action: "get-whoAmI", method: "GET" }, authenticated: true, secrets: [] };
    case "settings":
      return { operation, call: { action: "get-accounts_settings", method: "GET" }, authenticated: true, secrets: [] };
    case "update":
      return { operation, call: { action: "user", method: "POST", body: profileUpdate(payload) }, authenticated: true, secrets: [] };
    case "set-settings":
      return { operation, call: { action: "set-accounts_settings", method: "POST", body: settingsUpdate(payload) }, authenticated: true, secrets: [] };
    case "change-password": {
      const body = passwordChange(payload);
      return { operation, call: { action: "user-password", method: "POST", body }, authenticated: true, secrets: [body.password_old, body.password_new] };
    }
    case "sign-up": {
      const body = signUp(payload);
      return { operation, call: { action: "user", method: "POST", body }, authenticated: false, secrets: [body.password] };
    }
    case "recover-password":
      return { operation, call: { action: "user-recovery_password", method: "POST", body: { email: recoveryEmail(payload) } }, authenticated: false, secrets: [] };
  }
}

function needObject(payload: unknown, operation: string, shape: MessageParam): Record<string, unknown> {
  if (!isJsonObject(payload)) throw invalidInput("waviot.operations.operationNeedsMsgPayload", { operation, shape });
  return payload;
}

function profileUpdate(payload: unknown): Record<string, string> {
  const p = needObject(payload, "update", message("waviot.operations.shapeUpdate"));
  if ("password" in p || "repPassword" in p) {
    throw invalidInput("waviot.operations.updateOperationDoesNot");
  }
  const unknown = Object.keys(p).filter((k) => !(PROFILE_FIELDS as readonly string[]).includes(k));
  if (unknown.length) throw invalidInput("waviot.operations.updateOperationAcceptsOnly", { fields: PROFILE_FIELDS.join(", "), unexpected: unknown.slice(0, 5).join(", ").slice(0, 80) });
  const body: Record<string, string> = {};
  for (const k of PROFILE_FIELDS) {
    const v = p[k];
    if (v === undefined) continue;
    if (typeof v !== "string" && typeof v !== "number") throw invalidInput("waviot.operations.fieldMustBeString", { k });
    body[k] = String(v);
  }
  if (!Object.keys(body).length) throw invalidInput("waviot.operations.updateOperationNeedsAt", { fields: PROFILE_FIELDS.join(", ") });
  return body;
}

/** docs/protocol/waviot.md §4.8: flat setting-name → 0|1; booleans become 1/0. */
function settingsUpdate(payload: unknown): Record<string, 0 | 1> {
  const p = needObject(payload, "set-settings", message("waviot.operations.shapeSettings"));
  const body: Record<string, 0 | 1> = {};
  for (const [k, v] of Object.entries(p)) {
    if (v === true || v === 1 || v === "1") body[k] = 1;
    else if (v === false || v === 0 || v === "0") body[k] = 0;
    else throw invalidInput("waviot.operations.settingMustBeFlag", { k: k.slice(0, 60) });
  }
  if (!Object.keys(body).length) throw invalidInput("waviot.operations.setSettingsOperationNeeds");
  return body;
}

function passwordChange(payload: unknown): { password_old: string; password_new: string } {
  const p = needObject(payload, "change-password", "{password_old, password_new}");
  if (typeof p.password_old !== "string" || typeof p.password_new !== "string") {
    throw invalidInput("waviot.operations.changePasswordOperationNeeds");
  }
  return { password_old: p.password_old, password_new: p.password_new };
}

function signUp(payload: unknown): Record<(typeof SIGN_UP_FIELDS)[number], string> {
  const p = needObject(payload, "sign-up", `{${SIGN_UP_FIELDS.join(", ")}}`);
  const missing = SIGN_UP_FIELDS.filter((k) => typeof p[k] !== "string" || !(p[k] as string).trim());
  if (missing.length) throw invalidInput("waviot.operations.signUpOperationNeeds", { missing: missing.join(", ") });
  if (p.password !== p.repPassword) throw invalidInput("waviot.operations.signUpMsgPayload");
  return Object.fromEntries(SIGN_UP_FIELDS.map((k) => [k, p[k] as string])) as Record<(typeof SIGN_UP_FIELDS)[number], string>;
}

function recoveryEmail(payload: unknown): string {
  const email = typeof payload === "string" ? payload : isJsonObject(payload) ? payload.email : undefined;
  if (typeof email !== "string" || !email.trim()) {
    throw invalidInput("waviot.operations.recoverPasswordOperationNeeds");
  }
  return email.trim();
}
