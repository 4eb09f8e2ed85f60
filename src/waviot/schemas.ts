/** Shapes of WAVIoT answers the nodes rely on, compiled once (anything else is BAD_RESPONSE). */
import { compileChecker } from "../core/schema.js";
import type { LoginBody } from "./tokens.js";
import { MAX_TOKEN_LENGTH } from "./jwt.js";

/** A session value; one longer than 16 KB is refused (BAD_RESPONSE) before anything parses it. */
const token = { type: "string", minLength: 1, maxLength: MAX_TOKEN_LENGTH };

/** Login and refresh: the four session strings (docs/protocol/waviot.md §4.1, §4.2). */
export const checkLoginBody = compileChecker<LoginBody>(
  { type: "object", required: ["sc", "rt", "sessid", "WAVIOT_JWT"], properties: { sc: token, rt: token, sessid: token, WAVIOT_JWT: token } },
  "WAVIoT",
);

export const checkObject = compileChecker<Record<string, unknown>>({ type: "object" }, "WAVIoT");

export const checkSettings = compileChecker<{ api: unknown[] }>(
  { type: "object", required: ["api"], properties: { api: { type: "array" } } },
  "WAVIoT",
);

export const checkHistory = compileChecker<Record<string, unknown>[]>({ type: "array", items: { type: "object" } }, "WAVIoT");
