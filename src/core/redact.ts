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
