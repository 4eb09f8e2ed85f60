/** MQTT topic helpers of the Navien connection (docs/protocol/navien.md, "Topics"). */

/** Placeholder for the current client id in subscription filters (e.g. `cmd/52/{clientId}/res/#`). */
export const CLIENT_ID_TOKEN = "{clientId}";

/** The filter with `{clientId}` replaced by the client id of the current connection. */
export function expandClientId(filter: string, clientId: string): string {
  return filter.split(CLIENT_ID_TOKEN).join(clientId);
}

/** MQTT topic-filter match (`+` one level, `#` the rest). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split("/");
  const t = topic.split("/");
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
