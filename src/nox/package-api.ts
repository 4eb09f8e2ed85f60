/**
 * NOX Package API, the one call `nox-callback`'s `verify` option makes (docs/protocol/nox.md §10; vector
 * package-api.json "get_devices_by_user"): `GET <packageUrl>/v1/devices?limit=1000&user_id=<nox user>`
 * with `x-api-key`, paged by the opaque `meta.next_token`. It answers only devices linked to the
 * supplier account the API key belongs to.
 */
import { message } from "../core/messages.js";
import { fail } from "../core/errors.js";
import { compileChecker } from "../core/schema.js";
import { serverMessage, SERVICE, type NoxClient } from "./link-client.js";

/** Bound on pages fetched for one user (1000 devices each): a loop can never run away. */
const MAX_PAGES = 10;

interface DevicesPage {
  data: Array<{ device_id: string; user_id?: string }>;
  meta?: { next_token?: string | null };
}

const checkPage = compileChecker<DevicesPage>(
  {
    type: "object",
    required: ["data"],
    properties: {
      data: { type: "array", items: { type: "object", required: ["device_id"], properties: { device_id: { type: "string" }, user_id: { type: "string" } } } },
      meta: { type: ["object", "null"], properties: { next_token: { type: ["string", "null"] } } },
    },
  },
  SERVICE,
);

/** docs/protocol/nox.md §10: base + "/v1" (unless already there) + "/devices". */
export function devicesUrl(packageUrl: string): string {
  const base = packageUrl.replace(/\/+$/, "");
  return base + (base.endsWith("/v1") ? "" : "/v1") + "/devices";
}

/** The device ids NOX lists for this NOX user under the API key's supplier account. */
export async function devicesOfUser(client: NoxClient, noxUserId: string, timeoutMs: number): Promise<Set<string>> {
  const url = devicesUrl(client.packageUrl);
  const ids = new Set<string>();
  let next: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query: Record<string, string | number> = { limit: 1000, user_id: noxUserId };
    if (next) query.next_token = next;
    const res = await client.getWithKey(url, query, timeoutMs);
    if (res.status === 401 || res.status === 403) {
      throw fail("AUTH_INVALID_CREDENTIALS", "nox.packageApi.noxPackageApiRejected", { status: res.status }, res.status);
    }
    if (res.status < 200 || res.status > 299) {
      const said = serverMessage(res);
      throw fail("HTTP_ERROR", "nox.packageApi.noxPackageApiAnswered", { status: res.status, value: said ? `: ${said}` : "" }, res.status);
    }
    const body = checkPage(res.json, message("nox.packageApi.deviceListPackageApi"));
    // Only devices NOX attributes to this user count (a filter the server ignored must not pass).
    for (const d of body.data) if (d.user_id === undefined || d.user_id === noxUserId) ids.add(d.device_id);
    next = typeof body.meta?.next_token === "string" && body.meta.next_token ? body.meta.next_token : undefined;
    if (!next) return ids;
  }
  throw fail("BAD_RESPONSE", "nox.packageApi.noxPackageApiKept", { max: MAX_PAGES });
}
