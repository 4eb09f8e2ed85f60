/**
 * The home's meters from `data/get_full_element_info` (docs/protocol/waviot.md §20.3.5, discovery flow B in §20.5): each
 * device with its kind (`class_name`), serial, modem, zone and reading channels (registrators).
 * What the server does not say stays null — water/heat/gas channel names and units are unknown
 * (docs/protocol/waviot.md §20.4, open question 5), so such channels are listed as sent, with `unit` null.
 */
import { invalidInput, fail } from "../../core/errors.js";
import { epochMs, iso, isReadingChannel, modemId, num, record, tariffOf, text, unitOf, type Tariff } from "./values.js";

export interface MeterChannel {
  channel: string;
  name: string | null;
  tariff: Tariff | null;
  unit: string | null;
  /** Latest cumulative register, as a number. */
  value: number | null;
  /** Its time, ISO-8601 UTC. */
  at: string | null;
}

export interface Meter {
  id: string;
  name: string | null;
  kind: string | null;
  serial: string | null;
  modem: string | null;
  timezone: string | null;
  channels: MeterChannel[];
}

const KINDS: Record<string, string> = { electricity: "electricity", electro: "electricity", water: "water", heat: "heat", gas: "gas" };

export function kindOf(className: unknown): string | null {
  const t = text(className);
  if (!t) return null;
  const lower = t.toLowerCase();
  return KINDS[lower] ?? lower;
}

/** The element id from `tree/get_element` (string or number). */
export function elementIdOf(body: Record<string, unknown>): string {
  const id = text(body.element_id);
  if (!id) throw fail("BAD_RESPONSE", "waviot.meter.noElement");
  return id;
}

export function metersFrom(body: Record<string, unknown>): Meter[] {
  const devices = record(body.devices);
  const out: Meter[] = [];
  for (const [key, raw] of Object.entries(devices)) {
    const d = record(raw);
    const id = text(d.id) ?? text(key);
    if (!id) continue;
    const channels: MeterChannel[] = [];
    for (const [ckey, rraw] of Object.entries(record(d.registrators))) {
      const r = record(rraw);
      const channel = text(r.channel_id) ?? text(r.channel) ?? text(ckey);
      if (!channel || !isReadingChannel(channel)) continue;
      channels.push({
        channel,
        name: text(r.name),
        tariff: tariffOf(channel),
        unit: unitOf(channel),
        value: num(r.last_value),
        at: iso(epochMs(r.last_value_timestamp)),
      });
    }
    channels.sort((a, b) => (a.channel < b.channel ? -1 : a.channel > b.channel ? 1 : 0));
    out.push({ id, name: text(d.name), kind: kindOf(d.class_name), serial: text(d.device_sn), modem: modemId(d.modem_id), timezone: text(d.timezone), channels });
  }
  return out;
}

/**
 * The meter named by a device id or a modem id (any case). A modem that carries several meters
 * is ambiguous: the device id must be given (nothing guessed).
 */
export function findMeter(meters: Meter[], wanted: string): Meter {
  const w = wanted.trim();
  const byId = meters.find((m) => m.id === w);
  if (byId) return byId;
  const lower = w.toLowerCase();
  const byModem = meters.filter((m) => m.modem !== null && m.modem === lower);
  if (byModem.length === 1) return byModem[0];
  if (byModem.length > 1) throw invalidInput("waviot.meter.ambiguousModem", { modem: w.slice(0, 40), ids: byModem.map((m) => m.id).join(", ") });
  throw fail("DEVICE_NOT_FOUND", "waviot.meter.notFound", { meter: w.slice(0, 40), count: meters.length });
}
