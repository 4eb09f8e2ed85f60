/**
 * The one error type of the package. Every failure a node reports carries one of the
 * contract's codes (`msg.error.code`) and a message that names the cause and the fix.
 */
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
  /** HTTP status (or vendor envelope code) when the error came from a server answer. */
  readonly status?: number;

  constructor(code: ErrorCode, message: string, status?: number) {
    super(message);
    // The code as the name: a Catch node shows "AUTH_INVALID_CREDENTIALS: Navien rejected …".
    this.name = code;
    this.code = code;
    if (status !== undefined) this.status = status;
  }
}

/** Shorthand for the most common failure: the message or configuration is wrong, nothing was sent. */
export function invalidInput(message: string): HomeEnergyError {
  return new HomeEnergyError("INVALID_INPUT", message);
}

/**
 * Turns anything thrown into a HomeEnergyError without copying foreign objects (an axios
 * error holds the request config, headers and body — secrets included — so it is never passed on).
 */
export function toHomeEnergyError(err: unknown): HomeEnergyError {
  if (err instanceof HomeEnergyError) return err;
  const text = err instanceof Error ? err.message : String(err);
  return new HomeEnergyError("NETWORK", `Unexpected failure: ${text}`);
}
