/** MQTT topic helpers of the Navien connection (docs/protocol/navien.md, "Topics"). */

/** Placeholder for the current client id in subscription filters (e.g. `cmd/52/{clientId}/res/#`). */
export const CLIENT_ID_TOKEN = "{clientId}";

/** The filter with `{clientId}` replaced by the client id of the current connection. */
export function expandClientId(filter: string, clientId: string): string {
  return filter.split(CLIENT_ID_TOKEN).join(clientId);
}

/** MQTT topic-filter match (`+` one level, `#` the rest). */
export function topicMatches(filter: string, topic: string): boolean {
  return levelsMatch(filter.split("/"), topic.split("/"));
}

/** topicMatches on filter and topic already split at "/" (the per-message path splits each once). */
export function levelsMatch(f: readonly string[], t: readonly string[]): boolean {
  for (let i = 0; i < f.length; i++) {
    if (f[i] === "#") return true;
    if (i >= t.length) return false;
    if (f[i] !== "+" && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** Strips anything that could be a query string (signature, token) from a foreign error text. */
export function clean(text: string): string {
  return text.replace(/\?\S*/g, "?…").replace(/X-Amz-[A-Za-z-]+=\S*/g, "X-Amz-…");
}
