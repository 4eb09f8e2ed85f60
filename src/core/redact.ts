/**
 * Secret redaction for anything that may reach a log, a status or an error message.
 * Config nodes register the secret values they hold; text leaving the package passes through
 * `redact` so that even an unexpected server echo of a password or token is masked.
 */
const MASK = "***";

export function redact(text: string, secrets: Iterable<string | undefined | null>): string {
  let out = text;
  for (const secret of secrets) {
    // Very short values (e.g. "1") would mask unrelated text; real secrets are longer.
    if (typeof secret !== "string" || secret.length < 4) continue;
    out = out.split(secret).join(MASK);
  }
  return out;
}

/** Keys whose values are always masked when an object is logged or echoed. */
const SECRET_KEY = /pass|secret|token|authorization|cookie|api[-_]?key|sessionid|credential/i;

export function redactObject(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => redactObject(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = SECRET_KEY.test(k) ? MASK : redactObject(v, depth + 1);
  }
  return out;
}
