/** The `redirect` option of nox-callback (where the browser goes after a good callback). */
import { validateHeaderValue } from "node:http";
import { invalidInput } from "../core/errors.js";

/**
 * The `redirect` option, checked and normalised at deploy: it becomes a Location header, so a
 * CR/LF (header splitting) or any other control character is refused rather than failing — or
 * worse, being sent — at the moment a user's link is consumed. Non-ASCII is percent-encoded.
 */
export function checkRedirect(raw: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(raw)) {
    throw invalidInput("nox.callbackRedirect.redirectAfterCallbackContains");
  }
  const value = raw.trim();
  let out: string | undefined;
  if (/^\/(?!\/)/.test(value) && !/[\s\\]/.test(value)) {
    const u = new URL(value, "http://placeholder.invalid");
    out = u.pathname + u.search + u.hash;
  } else if (!/\s/.test(value)) {
    try {
      const u = new URL(value);
      if (u.protocol === "https:" || u.protocol === "http:") out = u.href;
    } catch {
      out = undefined;
    }
  }
  if (!out) throw invalidInput("nox.callbackRedirect.redirectAfterCallbackMust");
  try {
    validateHeaderValue("Location", out);
  } catch {
    throw invalidInput("nox.callbackRedirect.redirectAfterCallbackCannot");
  }
  return out;
}
