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

/**
 * Strips anything that could be a query string (signature, token) from a foreign error text, in
 * linear time: the parameter name is bounded (an unbounded `[A-Za-z-]+` before `=` backtracks
 * quadratically over a long run of "X-Amz-X-Amz-…" without "="; 60 KB took 0.6 s).
 */
export function clean(text: string): string {
  return text.replace(/\?\S*/g, "?…").replace(/X-Amz-[A-Za-z-]{1,64}=\S*/g, "X-Amz-…");
}

// ---- Navien's topics, built from the device's type (docs/protocol/navien.md, "Topics") ----------
// Every topic the package publishes on, subscribes to or recognises an answer by is made here, from
// the `deviceType` the device list gives: a device of another type publishes and listens under
// `cmd/<its type>/…`, so a topic built with a fixed type would send to one place and listen on another.

/** Where a request goes, below the device's topic (`cmd/<type>/navilink-<mac>/<suffix>`). */
export const REQUEST = {
  status: "st",
  features: "st/did",
  control: "ctrl",
  reservationsRead: "st/rsv/rd",
  reservationsWrite: "ctrl/rsv/rd",
  energy: "st/energy-usage-daily-query/rd",
  tou: "ctrl/tou/rd",
} as const;

/** Where the device answers the client-specific queries, below `cmd/<type>/<clientId>/res/`. */
export const REPLY = {
  reservations: "rsv/rd",
  energy: "energy-usage-daily-query/rd",
  tou: "tou/rd",
} as const;

export type ReplyKind = keyof typeof REPLY;

function deviceRoot(deviceType: number, mac: string): string {
  return `cmd/${deviceType}/navilink-${mac}`;
}

/** The topic a request is published on. */
export function requestTopic(deviceType: number, mac: string, suffix: string): string {
  return `${deviceRoot(deviceType, mac)}/${suffix}`;
}

/** Everything the device answers under its own topic (status, features, control answers). */
export function deviceFilter(deviceType: number, mac: string): string {
  return `${deviceRoot(deviceType, mac)}/#`;
}

/** The default response topic sent with status, feature and control requests. */
export function defaultResponseTopic(deviceType: number, mac: string, clientId: string): string {
  return `${deviceRoot(deviceType, mac)}/${clientId}/res`;
}

/** The client-specific response topic of a query (reservations, energy, TOU). */
export function clientResponseTopic(deviceType: number, clientId: string, reply: string): string {
  return `cmd/${deviceType}/${clientId}/res/${reply}`;
}

/** The subscription for every client-specific answer of devices of this type (`{clientId}` expanded per connection). */
export function clientResponseFilter(deviceType: number): string {
  return `cmd/${deviceType}/${CLIENT_ID_TOKEN}/res/#`;
}

/** An event topic of the device (`evt/<type>/navilink-<mac>/<suffix>`). */
export function eventTopic(deviceType: number, mac: string, suffix: string): string {
  return `evt/${deviceType}/navilink-${mac}/${suffix}`;
}

/** Which query a client-specific answer topic belongs to (any device type), if any. */
export function replyKindOf(topic: string): ReplyKind | undefined {
  for (const kind of Object.keys(REPLY) as ReplyKind[]) {
    if (topic.endsWith(`/res/${REPLY[kind]}`)) return kind;
  }
  return undefined;
}

/** The MAC in a `navilink-<mac>` topic level, lower-case, or null. */
export function macOfTopic(topic: string): string | null {
  const m = /(?:^|\/)navilink-([0-9a-fA-F]{12})(?:\/|$)/.exec(topic);
  return m ? m[1].toLowerCase() : null;
}

/** The client id in `cmd/<type>/navilink-<mac>/<cid>/res…` or `cmd/<type>/<cid>/res/…`, or null. */
export function clientIdOfTopic(topic: string): string | null {
  const m = /^cmd\/\d+\/(?:navilink-[0-9a-fA-F]{12}\/)?([^/]+)\/res(?:\/|$)/.exec(topic);
  return m && !m[1].startsWith("navilink-") ? m[1] : null;
}
