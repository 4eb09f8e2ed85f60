/** The optional "app connected" event the vendor app sends (docs/protocol/navien.md §7). */
import { NWP500_DEVICE_TYPE } from "../codec/codes.js";
import type { CommandContext } from "./command-wire.js";
import { normalizeMac } from "../mac.js";
import { eventTopic } from "../codec/topics.js";

/**
 * The optional app-connection event (docs/protocol/navien.md §7): `{clientID, timestamp}` on
 * `evt/<type>/navilink-MAC/app-connection`, timestamp in UTC with microseconds and `Z`.
 */
export function buildAppConnectionEvent(
  ctx: Pick<CommandContext, "mac" | "clientId" | "deviceType">,
  now: Date = new Date(),
): { topic: string; qos: 1; payload: { clientID: string; timestamp: string } } {
  const mac = normalizeMac(ctx.mac);
  const iso = now.toISOString(); // 2026-01-15T12:00:00.123Z
  const timestamp = `${iso.slice(0, 23)}000Z`;
  return {
    topic: eventTopic(ctx.deviceType ?? NWP500_DEVICE_TYPE, mac, "app-connection"),
    qos: 1,
    payload: { clientID: ctx.clientId, timestamp },
  };
}
