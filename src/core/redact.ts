/**
 * Secret redaction for anything that may reach a log, a status or an error message.
 * Config nodes register the secret values they hold; text leaving the package passes through
 * `redact` so that even an unexpected server echo of a password or token is masked.
 *
 * Vendor text is shortened with `clip`, which masks first and then cuts, and marks every cut with
 * CUT. A cut can still fall inside a secret the cutting code did not know (the vendor clients do
 * not hold the node's whole secret list), so `redact` also masks, before each CUT, a tail of the
 * text that is the beginning of a secret (issue 18: a gateway echoing the request leaked a
 * prefix of the API key).
 */
const MASK = "***";
/** Ends every shortened text; `redact` looks for secret fragments right before it. */
export const CUT = "…";
/** Shorter values (e.g. "1") would mask unrelated text; real secrets, and fragments worth masking, are longer. */
const MIN = 4;

type Secrets = Iterable<string | undefined | null>;

function usable(secrets: Secrets): string[] {
  const out: string[] = [];
  for (const s of secrets) if (typeof s === "string" && s.length >= MIN) out.push(s);
  return out;
}

/**
 * Where, in text[0, end), the longest tail that begins a secret starts (≥ MIN chars); -1 for none.
 * Only candidate starts that hold the secret's first MIN chars are compared in full.
 */
function fragmentStart(text: string, end: number, secret: string): number {
  const head = secret.slice(0, MIN);
  let p = text.indexOf(head, Math.max(0, end - secret.length + 1));
  while (p >= 0 && p <= end - MIN) {
    if (text.startsWith(secret.slice(0, end - p), p)) return p;
    p = text.indexOf(head, p + 1);
  }
  return -1;
}

/** Masks a secret fragment right before every CUT in the text. */
function maskCuts(text: string, secrets: string[]): string {
  let out = text;
  for (let at = out.indexOf(CUT); at >= 0; at = out.indexOf(CUT, at + 1)) {
    let start = at;
    for (const s of secrets) {
      const p = fragmentStart(out, at, s);
      if (p >= 0 && p < start) start = p;
    }
    if (start < at) {
      out = out.slice(0, start) + MASK + out.slice(at);
      at = start + MASK.length;
    }
  }
  return out;
}

export function redact(text: string, secrets: Secrets): string {
  const list = usable(secrets);
  let out = text;
  for (const secret of list) out = out.split(secret).join(MASK);
  return out.includes(CUT) ? maskCuts(out, list) : out;
}

/** Vendor text shortened to `max` characters: masked first, then cut (marked with CUT), and a fragment at the cut masked too. */
export function clip(text: string, max: number, secrets: Secrets = []): string {
  const list = usable(secrets);
  const masked = redact(text, list);
  if (masked.length <= max) return masked;
  return maskCuts(masked.slice(0, max) + CUT, list);
}
