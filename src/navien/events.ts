/**
 * What changed between two statuses of one device, and the events derived from it (contract
 * "Changes and events (`navien-status-in`)"). Pure: no Node-RED, no I/O.
 *
 * - changes: `{field: {from, to}}` for every decoded field whose value differs; `null` for the
 *   first status of a device (nothing to compare with), `{}` when nothing changed.
 * - events: derived names in the contract's order of precedence (EVENT_ORDER); none for the first
 *   status. An unknown value (`null`) on either side never makes an event: an event says the
 *   device went from one known state to another.
 */
import type { NavienStatus, StatusValue } from "./status.js";

export type StatusChanges = Record<string, { from: StatusValue; to: StatusValue }>;

/** Every event name, in the contract's order of precedence (msg.events is sorted by it). */
export const EVENT_ORDER = [
  "power-on",
  "power-off",
  "heating-started",
  "heating-stopped",
  "error-detected",
  "error-cleared",
  "mode-changed",
  "setpoint-changed",
  "vacation-started",
  "vacation-ended",
] as const;

export type StatusEvent = (typeof EVENT_ORDER)[number];

/** The heat sources of the contract: compressor, upper and lower element (tri-state fields). */
const HEAT_SOURCES = ["compUse", "heatUpperUse", "heatLowerUse"] as const;
const VACATION = "vacation";

/** Fields that differ between two statuses (keys of either side). */
export function diffStatus(prev: Readonly<Record<string, StatusValue>>, next: Readonly<Record<string, StatusValue>>): StatusChanges {
  const changes: StatusChanges = {};
  for (const k of Object.keys(next)) {
    const from = k in prev ? prev[k] : null;
    if (from !== next[k]) changes[k] = { from, to: next[k] };
  }
  for (const k of Object.keys(prev)) {
    if (!(k in next) && prev[k] !== null) changes[k] = { from: prev[k], to: null };
  }
  return changes;
}

/** true: some heat source runs; false: every source reports off; null: not known. */
function heating(s: Readonly<Record<string, StatusValue>>): boolean | null {
  const v = HEAT_SOURCES.map((k) => s[k]);
  if (v.some((x) => x === true)) return true;
  return v.some((x) => x === false) ? false : null;
}

/** `errorCode` as "has an error" (non-zero) / "no error" (0) / unknown. */
function hasError(s: Readonly<Record<string, StatusValue>>): boolean | null {
  return typeof s.errorCode === "number" ? s.errorCode !== 0 : null;
}

/** Both sides known and different. */
const known = (a: StatusValue, b: StatusValue) => a !== null && b !== null && a !== undefined && b !== undefined && a !== b;

/** The events from prev to next, in EVENT_ORDER. */
export function deriveEvents(prev: Readonly<Record<string, StatusValue>>, next: Readonly<Record<string, StatusValue>>): StatusEvent[] {
  const out = new Set<StatusEvent>();
  const flip = (a: StatusValue, b: StatusValue, on: StatusEvent, off: StatusEvent) => {
    if (a === false && b === true) out.add(on);
    if (a === true && b === false) out.add(off);
  };
  flip(prev.power, next.power, "power-on", "power-off");
  flip(heating(prev), heating(next), "heating-started", "heating-stopped");
  flip(hasError(prev), hasError(next), "error-detected", "error-cleared");
  const mode = [prev.dhwOperationSetting, next.dhwOperationSetting] as const;
  if (known(...mode)) {
    out.add("mode-changed");
    if (mode[1] === VACATION) out.add("vacation-started");
    if (mode[0] === VACATION) out.add("vacation-ended");
  }
  if (known(prev.dhwTemperatureSetting, next.dhwTemperatureSetting)) out.add("setpoint-changed");
  return EVENT_ORDER.filter((e) => out.has(e));
}

/**
 * The previous status of every device one node has seen since deploy (one instance per node, so
 * a redeploy starts again with `changes: null`).
 */
export class StatusHistory {
  private readonly last = new Map<string, NavienStatus>();

  /** Compares with the device's previous status and remembers this one. */
  observe(mac: string, status: NavienStatus): { changes: StatusChanges | null; events: StatusEvent[] } {
    const prev = this.last.get(mac);
    // A copy: the status goes out as msg.payload, and a flow may change that object in place.
    this.last.set(mac, { ...status });
    if (!prev) return { changes: null, events: [] };
    return { changes: diffStatus(prev, status), events: deriveEvents(prev, status) };
  }
}
