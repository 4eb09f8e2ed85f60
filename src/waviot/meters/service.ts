/**
 * The operations of `waviot-meter` on one account: `meters`, `latest`, `readings`, `balance`,
 * `modem`. Discovery is two calls (`tree/get_element` → `data/get_full_element_info`); `readings`,
 * `balance` and `modem` reuse a discovery younger than 10 minutes (one for any number of callers).
 */
import { maskId } from "../../core/diagnostics.js";
import type { Deadline } from "../../core/deadline.js";
import { fail } from "../../core/errors.js";
import { SingleFlight } from "../../core/single-flight.js";
import type { Cabinet } from "./cabinet.js";
import { elementIdOf, findMeter, metersFrom, type Meter } from "./discovery.js";
import { channelReadings, pointsOf, sortReadings, windows, type Reading } from "./readings.js";
import { epochMs, iso, num, record, text, type Tariff } from "./values.js";

export interface Window {
  fromMs: number;
  toMs: number;
}

export interface Latest {
  meter: string;
  modem: string | null;
  readings: Array<{ channel: string; tariff: Tariff | null; value: number | null; unit: string | null; at: string | null }>;
}

export interface ModemInfo {
  id: string;
  battery: number | null;
  temperature: number | null;
  lastSeen: string | null;
  hwVersion: string | null;
  swVersion: string | null;
}

export type Balance = Record<string, { start: number | null; end: number | null; diff: number | null }>;

interface Home {
  element: string;
  meters: Meter[];
  at: number;
}

const DISCOVERY_TTL_MS = 10 * 60_000;

export class MeterService {
  private home: Home | undefined;
  private readonly flight = new SingleFlight<Home>();

  constructor(
    private readonly cabinet: Cabinet,
    private readonly now: () => number = Date.now,
  ) {}

  /** The meters as last discovered, for the account's diagnostics: ids cut to 4 characters, kind and channel count only. */
  diagnostics(): Array<Record<string, unknown>> {
    return (this.home?.meters ?? []).map((m) => ({ id: maskId(m.id), modem: maskId(m.modem), kind: m.kind, channels: m.channels.length }));
  }

  /** Every meter of the home, fresh (two calls; concurrent callers share them). */
  async meters(deadline: Deadline): Promise<Meter[]> {
    return (await this.discover(deadline, true)).meters;
  }

  /** The meters as last discovered (the editor's picker reuses a recent list). */
  async knownMeters(deadline: Deadline): Promise<Meter[]> {
    return (await this.discover(deadline, false)).meters;
  }

  async latest(wanted: string, deadline: Deadline): Promise<Latest> {
    const m = findMeter((await this.discover(deadline, true)).meters, wanted);
    return { meter: m.id, modem: m.modem, readings: m.channels.map((c) => ({ channel: c.channel, tariff: c.tariff, value: c.value, unit: c.unit, at: c.at })) };
  }

  /** Readings of every channel of the meter in the window, sorted by time, de-duplicated. */
  async readings(wanted: string, w: Window, deadline: Deadline): Promise<{ meter: Meter; readings: Reading[] }> {
    const meter = await this.meter(wanted, deadline);
    if (!meter.modem) throw fail("BAD_RESPONSE", "waviot.meter.noModem", { meter: meter.id });
    const all: Reading[] = [];
    for (const c of meter.channels) {
      const points: Array<{ ts: number; value: number | null }> = [];
      for (const piece of windows(w.fromMs, w.toMs)) {
        const body = await this.cabinet.get("data", "get_modem_channel_values", { modem_id: meter.modem, channel: c.channel, from: piece.from, to: piece.to }, deadline);
        points.push(...pointsOf(body.values));
      }
      all.push(...channelReadings(c.channel, points, w.fromMs, w.toMs));
    }
    return { meter, readings: sortReadings(all) };
  }

  /**
   * The vendor's balance of the home element in the window, the meter's part of each channel.
   * A negative `diff`, or the whole-history answer right after a rollover (`start` 0), gives 0 (docs/protocol/waviot.md §20.3.9).
   */
  async balance(wanted: string, w: Window, deadline: Deadline): Promise<Balance> {
    // As readings do: a meter added since the last discovery is looked for once more before "not found".
    const meter = await this.meter(wanted, deadline);
    const home = await this.discover(deadline, false); // the home meter() just used (cached)
    const body = await this.cabinet.get("data", "get_balance_info", { elementId: home.element, from: Math.floor(w.fromMs / 1000), to: Math.ceil(w.toMs / 1000) }, deadline);
    const out: Balance = {};
    for (const [channel, raw] of Object.entries(record(body.balance))) {
      if (raw === null || typeof raw !== "object" || Array.isArray(raw)) continue; // element_name and other plain members
      const data = record((raw as Record<string, unknown>).data);
      const mine = Object.entries(data).find(([modem]) => meter.modem !== null && modem.toLowerCase() === meter.modem);
      if (!mine) continue;
      const entry = record(mine[1]);
      const start = num(entry.start);
      const end = num(entry.end);
      let diff = num(entry.diff);
      if (diff !== null && (diff < 0 || start === null || start <= 0)) diff = 0;
      out[channel] = { start, end, diff };
    }
    return out;
  }

  async modem(wanted: string, deadline: Deadline): Promise<ModemInfo> {
    let id = wanted.trim().toLowerCase();
    try {
      const m = findMeter((await this.discover(deadline, false)).meters, wanted);
      if (m.modem) id = m.modem;
    } catch (err) {
      // A modem id typed in (flow A, §20.5) need not be a meter of the home's tree.
      if ((err as { code?: string }).code !== "DEVICE_NOT_FOUND" || !/^[0-9a-f]{6,16}$/.test(id)) throw err;
    }
    // Cache-buster: identical modem/info calls were answered from a stale cache (§20.1.4, §20.7.4 #7).
    const body = await this.cabinet.get("modem", "info", { id, _: this.now() }, deadline);
    const modem = body.modem;
    if (modem === null || typeof modem !== "object" || Array.isArray(modem)) throw fail("DEVICE_NOT_FOUND", "waviot.meter.modemNotFound", { modem: id });
    const m = modem as Record<string, unknown>;
    const seen = epochMs(m.last_station_time) ?? epochMs(m.last_info_message);
    return { id: text(m.id)?.toLowerCase() ?? id, battery: num(m.battery), temperature: num(m.temperature), lastSeen: iso(seen), hwVersion: text(m.hw_version), swVersion: text(m.sw_version) };
  }

  private async meter(wanted: string, deadline: Deadline): Promise<Meter> {
    const home = await this.discover(deadline, false);
    try {
      return findMeter(home.meters, wanted);
    } catch (err) {
      // A meter added since the last discovery: look once more (fresh) before saying "not found".
      if ((err as { code?: string }).code !== "DEVICE_NOT_FOUND" || this.now() - home.at < 1000) throw err;
      return findMeter((await this.discover(deadline, true)).meters, wanted);
    }
  }

  private async discover(deadline: Deadline, fresh: boolean): Promise<Home> {
    const h = this.home;
    if (!fresh && h && this.now() - h.at < DISCOVERY_TTL_MS) return h;
    // Shared with callers on longer deadlines: this caller still ends on its own.
    return deadline.race(this.flight.run(async () => {
      const root = await this.cabinet.get("tree", "get_element", {}, deadline);
      const element = elementIdOf(root);
      const info = await this.cabinet.get("data", "get_full_element_info", { id: element }, deadline);
      const home = { element, meters: metersFrom(info), at: this.now() };
      this.home = home;
      return home;
    }), "WAVIoT meter discovery");
  }
}
