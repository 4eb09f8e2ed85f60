/**
 * The one error type of the package. Every failure a node reports carries one of the
 * contract's codes (`msg.error.code`) and a message id with parameters (`key`, `params`): the node
 * renders it in the runtime's language from its catalog; `message` is the English text (the
 * source in src/messages/en-US), which is what a plain client without Node-RED shows.
 */
import { mapParams, message, renderMessage, type MessageParams, type MessageRef, type Translate } from "./messages.js";

export const ERROR_CODES = [
  "AUTH_INVALID_CREDENTIALS",
  "AUTH_FAILED",
  "AUTH_REFRESH_FAILED",
  "SESSION_LIMIT",
  "HTTP_ERROR",
  "TIMEOUT",
  "NETWORK",
  "BAD_RESPONSE",
  "INVALID_INPUT",
  "DEVICE_NOT_FOUND",
  "NOT_CONNECTED",
  "NAVIEN_TIMEOUT",
  "CALLBACK_INVALID",
  "CALLBACK_UNKNOWN_SESSION",
  "STORE_UNAVAILABLE",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class HomeEnergyError extends Error {
  readonly code: ErrorCode;
  /** Message id (a key of src/messages/<lang>/<area>.json, e.g. "navien.deviceTimeout"). */
  readonly key: string;
  /** The dynamic parts (HTTP status, host, field, value, counts); never a secret. */
  readonly params?: MessageParams;
  /** HTTP status (or vendor envelope code) when the error came from a server answer. */
  readonly status?: number;

  constructor(code: ErrorCode, ref: MessageRef, status?: number, text?: string) {
    super(text ?? renderMessage(ref));
    // The code as the name: a Catch node shows "AUTH_INVALID_CREDENTIALS: Navien rejected …".
    this.name = code;
    this.code = code;
    this.key = ref.key;
    if (ref.params) this.params = ref.params;
    if (status !== undefined) this.status = status;
  }

  /** The message id and parameters, e.g. to wrap this error as the cause of another. */
  get ref(): MessageRef {
    return this.params ? { key: this.key, params: this.params } : { key: this.key };
  }

  /** The same error in a node's language (`t` = the node's `RED._`), with `mask` applied to the parameters and the text. */
  localized(t: Translate | undefined, mask: (text: string) => string = (s) => s): HomeEnergyError {
    const ref = mapParams(this.ref, mask);
    return new HomeEnergyError(this.code, ref, this.status, mask(renderMessage(ref, t)));
  }
}

/** Shorthand for the most common failure: the message or configuration is wrong, nothing was sent. */
export function invalidInput(key: string, params?: MessageParams): HomeEnergyError {
  return new HomeEnergyError("INVALID_INPUT", message(key, params));
}

/** An error with a message id: `fail("TIMEOUT", "core.timeout", {what, secs})`. */
export function fail(code: ErrorCode, key: string, params?: MessageParams, status?: number): HomeEnergyError {
  return new HomeEnergyError(code, message(key, params), status);
}

/**
 * Node system error codes that mean the network failed (the peer refused or dropped the
 * connection, the name did not resolve, the route is gone), not our code.
 */
const NETWORK_ERROR_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "ENETRESET",
]);

/** JavaScript's own error classes: thrown by a mistake in our code, never by the network or a vendor. */
const PROGRAMMING_ERRORS = [TypeError, ReferenceError, RangeError, SyntaxError, EvalError, URIError];

/** The network error inside `err` (itself, or its `cause` chain: Node's fetch throws a TypeError caused by ECONNREFUSED), if any. */
function networkCause(err: unknown): (Error & { code?: unknown }) | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if ((typeof code === "string" && NETWORK_ERROR_CODES.has(code)) || /^socket hang up$/i.test(e.message)) return e;
  }
  return undefined;
}

/**
 * Turns anything thrown into a HomeEnergyError without copying foreign objects (an axios
 * error holds the request config, headers and body — secrets included — so it is never passed on).
 *
 * - A Node network error (ECONNREFUSED, ECONNRESET, ETIMEDOUT, ENOTFOUND, EAI_AGAIN, EPIPE, …,
 *   "socket hang up") is `NETWORK` with a network message.
 * - A programming error (TypeError, ReferenceError, RangeError, …, a failed assertion) is a bug of
 *   this package. The contract's list of codes is fixed and has no code for it, and each other
 *   code would send the user after a wrong cause (`INVALID_INPUT`: "your message is wrong, nothing
 *   was sent" — neither is known; `BAD_RESPONSE`/`HTTP_ERROR`: the vendor's fault). So it keeps the
 *   code every unclassified failure had (`NETWORK`: not the caller's fault, automatic work backs
 *   off as before), and the message says what it is: an internal error, with its class and text,
 *   to be reported.
 * - Anything else is `NETWORK` with "Unexpected failure: <text>".
 */
export function toHomeEnergyError(err: unknown): HomeEnergyError {
  if (err instanceof HomeEnergyError) return err;
  const net = networkCause(err);
  if (net) {
    const code = typeof net.code === "string" ? net.code : "ECONNRESET";
    return fail("NETWORK", "core.network", { code, text: net.message });
  }
  if (err instanceof Error && (PROGRAMMING_ERRORS.some((c) => err instanceof c) || (err as { code?: unknown }).code === "ERR_ASSERTION")) {
    return fail("NETWORK", "core.internal", { text: `${err.name}: ${err.message}` });
  }
  const text = err instanceof Error ? err.message : String(err);
  return fail("NETWORK", "core.unexpected", { text });
}
