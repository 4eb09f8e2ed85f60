/**
 * One status of a device as the account hands it to its listeners (navien-status-in nodes):
 * decoded once per account however many nodes listen, compared once with the status before it,
 * and copied for each message that carries it. No Node-RED import.
 */
import { withFiniteNumbers } from "../../core/finite-json.js";
import { compareStatus, type AccountStatus, type StatusDiff } from "./events.js";
import { DECODED_STATUS_KEYS, type NavienStatus } from "./status.js";

/**
 * A decoded status, decoded once per account however many nodes listen, and compared once with
 * the status before it (AccountStatus, events.ts).
 */
export interface StatusUpdate extends AccountStatus {
  readonly mac: string;
  /**
   * The raw status object with non-finite numbers as null: a shallow copy for every read
   * (includeRaw; the device's values are flat), so no flow can change another node's msg.raw or
   * the status the account keeps to build commands from.
   */
  readonly raw: Record<string, unknown>;
  /** The decoded status, to read (not to send: see payload()). The account compares the next status with it. */
  readonly status: NavienStatus;
  /**
   * The status to put in an outgoing message: a shallow copy for every caller (the values are
   * primitives), so no node's downstream flow can change another node's message or what the
   * account compares the next status with.
   */
  payload(): NavienStatus;
}

/**
 * `{ ...status }` for a status from decodeStatus (every field, in the decoder's order, then
 * `power`), compiled once at load into one object literal, as the decoder is (status.ts compile()):
 *
 *     function (s) { return { "command": s["command"], …, "power": s["power"] }; }
 *
 * Why: every navien-status-in node copies every status it sends; the literal allocates the copy
 * at its final shape in one step, about half the time of the spread (bench/status-fanout-core.js).
 * Same keys, order and values as the spread for decoded statuses (test/unit/navien-realtime.test.js).
 */
const copyDecoded = (() => {
  const keys = DECODED_STATUS_KEYS.map((k) => JSON.stringify(k));
  const body = keys.map((q) => `${q}: s[${q}]`).join(", ");
  return new Function(`"use strict"; return function copyDecodedStatus(s) { return { ${body} }; };`)() as (s: NavienStatus) => NavienStatus;
})();

export class DecodedStatus implements StatusUpdate {
  private rawCopy: Record<string, unknown> | undefined;
  private diff: StatusDiff | null | undefined;

  constructor(
    readonly mac: string,
    private readonly data: Record<string, unknown>,
    readonly status: NavienStatus,
    readonly previous: Readonly<NavienStatus> | undefined,
  ) {}

  get raw(): Record<string, unknown> {
    // withFiniteNumbers returns the account's own object when every number is finite.
    return { ...(this.rawCopy ??= withFiniteNumbers(this.data)) };
  }

  payload(): NavienStatus {
    return copyDecoded(this.status);
  }

  sinceLast(): Readonly<StatusDiff> | null {
    if (this.diff === undefined) this.diff = this.previous ? compareStatus(this.previous, this.status) : null;
    return this.diff;
  }
}

