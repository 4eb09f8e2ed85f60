/** Blank credentials fall back to environment variables (contract: NAVIEN_EMAIL, NOX_API_KEY, …). */
export function envFallback(value: string | undefined, envName: string): string {
  const v = typeof value === "string" ? value.trim() : "";
  if (v) return v;
  return (process.env[envName] ?? "").trim();
}
