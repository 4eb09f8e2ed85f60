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
import { STATUS_FIELD_NAMES, type NavienStatus, type StatusValue } from "./status.js";

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

type DecodedDiff = (prev: Readonly<NavienStatus>, next: Readonly<NavienStatus>) => StatusChanges;

/**
 * The fields that differ between two statuses from decodeStatus (both have every field, in the
 * same order), compiled once at load into straight-line code, as the decoder is (status.ts compile()):
 *
 *     function (p, n) { const c = {}; if ((v = n["command"]) !== (w = p["command"])) c["command"] = {from: w, to: v}; … return c; }
 *
 * Why: it runs for every status an account decodes; a loop over Object.keys with keyed reads
 * cost about 11 µs per status, a tenth of the whole status path (bench/status-throughput.js);
 * named reads on two objects of one shape cost well under 1 µs. Same result as a key-by-key diff
 * for decoded statuses (test/unit/navien-events.test.js). The text holds only the table's keys, JSON-quoted.
 */
const diffDecoded: DecodedDiff = (() => {
  const keys = [...STATUS_FIELD_NAMES, "power"].map((k) => JSON.stringify(k));
  const body = keys.map((q) => `if ((v = n[${q}]) !== (w = p[${q}])) c[${q}] = { from: w, to: v };`).join("\n");
  return new Function(`"use strict"; return function diffDecodedStatus(p, n) { const c = {}; let v, w;\n${body}\nreturn c; };`)() as DecodedDiff;
})();

/** true: some heat source runs; false: every source reports off; null: not known. */
function heating(s: Readonly<Record<string, StatusValue>>): boolean | null {
  // Written out (no arrays): this runs for every status an account decodes.
  const [a, b, c] = [s[HEAT_SOURCES[0]], s[HEAT_SOURCES[1]], s[HEAT_SOURCES[2]]];
  if (a === true || b === true || c === true) return true;
  return a === false || b === false || c === false ? false : null;
}

/** `errorCode` as "has an error" (non-zero) / "no error" (0) / unknown. */
function hasError(s: Readonly<Record<string, StatusValue>>): boolean | null {
  return typeof s.errorCode === "number" ? s.errorCode !== 0 : null;
}

/** Both sides known and different. */
const known = (a: StatusValue, b: StatusValue) => a !== null && b !== null && a !== undefined && b !== undefined && a !== b;

/** Adds `on` for false → true and `off` for true → false. */
function flip(out: StatusEvent[], a: StatusValue, b: StatusValue, on: StatusEvent, off: StatusEvent): void {
  if (a === false && b === true) out.push(on);
  else if (a === true && b === false) out.push(off);
}

/** The events from prev to next, in EVENT_ORDER (each check below adds in that order). */
export function deriveEvents(prev: Readonly<Record<string, StatusValue>>, next: Readonly<Record<string, StatusValue>>): StatusEvent[] {
  const out: StatusEvent[] = [];
  flip(out, prev.power, next.power, "power-on", "power-off");
  flip(out, heating(prev), heating(next), "heating-started", "heating-stopped");
  flip(out, hasError(prev), hasError(next), "error-detected", "error-cleared");
  const [modeFrom, modeTo] = [prev.dhwOperationSetting, next.dhwOperationSetting];
  const modeChanged = known(modeFrom, modeTo);
  if (modeChanged) out.push("mode-changed");
  if (known(prev.dhwTemperatureSetting, next.dhwTemperatureSetting)) out.push("setpoint-changed");
  if (modeChanged && modeTo === VACATION) out.push("vacation-started");
  if (modeChanged && modeFrom === VACATION) out.push("vacation-ended");
  return out;
}

/** msg.changes and msg.events of one status. */
export interface StatusDiff {
  changes: StatusChanges | null;
  events: StatusEvent[];
}

/** The diff between two statuses decoded by decodeStatus (changes and events). */
export function compareStatus(prev: Readonly<NavienStatus>, next: Readonly<NavienStatus>): StatusDiff {
  return { changes: diffDecoded(prev, next), events: deriveEvents(prev, next) };
}

/**
 * One status of a device as the account decoded it (realtime.ts), with the status the account
 * decoded just before it and the diff between the two, computed once per account however many
 * nodes read it. All three are the account's own and are never sent as they are.
 */
export interface AccountStatus {
  readonly status: Readonly<NavienStatus>;
  /** The device's status decoded just before this one; undefined when the one before was not decoded (nobody listened). */
  readonly previous: Readonly<NavienStatus> | undefined;
  /** previous → status; null without a previous. */
  sinceLast(): Readonly<StatusDiff> | null;
}

/**
 * The last decoded status of every device (one instance per account), which the next one is
 * compared with. A status nobody decoded (no listener) clears it, so nobody compares across it.
 */
export class LastStatuses {
  private readonly last = new Map<string, Readonly<NavienStatus> | undefined>();

  /** Remembers this status of the device (undefined: not decoded) and returns the one before. */
  replace(mac: string, status: Readonly<NavienStatus> | undefined): Readonly<NavienStatus> | undefined {
    const before = this.last.get(mac);
    this.last.set(mac, status);
    return before;
  }

  clear(): void {
    this.last.clear();
  }
}

/**
 * What one node has seen of every device since deploy (one instance per node, so a redeploy starts
 * again with `changes: null`). When the last status the node saw is the account's previous one, the
 * account's diff is exactly the node's and is reused; otherwise (the node missed some, e.g. before
 * its device list was resolved) it compares with the last one it saw. It keeps references to the
 * account's statuses, which nobody changes (messages carry copies).
 */
export class StatusHistory {
  private readonly last = new Map<string, Readonly<NavienStatus>>();

  /** Compares with the device's previous status seen by this node and remembers this one. The result is this node's own. */
  observe(mac: string, s: AccountStatus): StatusDiff {
    const seen = this.last.get(mac);
    this.last.set(mac, s.status);
    if (!seen) return { changes: null, events: [] };
    const shared = seen === s.previous ? s.sinceLast() : null;
    return shared ? copyDiff(shared) : compareStatus(seen, s.status);
  }
}

/** A copy a flow may change without changing the account's diff or another node's message. */
function copyDiff(d: Readonly<StatusDiff>): StatusDiff {
  let changes: StatusChanges | null = null;
  if (d.changes) {
    changes = {};
    for (const k in d.changes) changes[k] = { from: d.changes[k].from, to: d.changes[k].to };
  }
  return { changes, events: d.events.slice() };
}
