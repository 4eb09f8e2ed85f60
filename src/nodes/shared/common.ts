/**
 * The one place that turns an operation into Node-RED behaviour: blue ring while working,
 * green dot with a short text on success, red ring + `done(err)` with a contract code on
 * failure (so a Catch node gets msg.error.code). Every text is redacted first.
 */
import { HomeEnergyError, invalidInput, toHomeEnergyError } from "../../core/errors.js";
import { redact } from "../../core/redact.js";
import { isPausedError, type PauseView } from "../../core/pause.js";
import { message, renderMessage, type MessageRef, type Translate } from "../../core/messages.js";
import type { ConfigNodeBase, Done, Msg, Node, NodeAPI, Send } from "./types.js";

export interface InputContext {
  msg: Msg;
  send: Send;
}

/** What a handler returns: the status text on success, and whether the message was already sent. */
export interface InputResult {
  status: string;
  sent?: boolean;
}

/**
 * Status texts are keys of the node's own catalog (section `status`, composed into every node's
 * catalog by the build from src/messages/<lang>/status.json): the editor translates a status text
 * with the node's `_`. Texts with values (temperatures, counts) are rendered here with `RED._`.
 */
export function statusKey(
  name:
    | "working"
    | "starting"
    | "connecting"
    | "connected"
    | "reconnecting"
    | "noDevices"
    | "cluster.standby"
    | "cluster.standbyUnreachable"
    | "cluster.leaderUnreachable"
    | "cluster.unreachable"
    | "cluster.ready",
): string {
  return `status.${name}`;
}

export function errorStatusText(err: HomeEnergyError): string {
  // A bug of ours keeps a contract code (NETWORK) for flows, but the status must not blame the network.
  return err.key === "core.internal" ? "status.internalError" : `status.error.${err.code}`;
}

/** A node's `RED._` as a Translate (Node-RED binds it to the node set's catalog namespace). */
export function catalogOf(RED: NodeAPI): Translate {
  return ((key: string, params?: Record<string, unknown>) => (RED as any)._(key, params)) as Translate;
}

/** A message in the node's language (warnings, dynamic status texts). */
export function nodeText(RED: NodeAPI, ref: MessageRef): string {
  return renderMessage(ref, catalogOf(RED));
}

export function shortTime(d = new Date()): string {
  return d.toTimeString().slice(0, 5);
}

/** The status line of a back-off pause, in the node's language: yellow ring, cause, seconds left. */
export function pauseStatus(RED: NodeAPI, p: PauseView): { fill: "yellow"; shape: "ring"; text: string } {
  return { fill: "yellow", shape: "ring", text: nodeText(RED, message("core.pause.status", { cause: p.cause, secs: Math.max(1, Math.ceil(p.leftMs / 1000)) })) };
}

/**
 * Wires the node's input handler. `secrets` returns the values to mask in any error text
 * (the config node's current tokens and passwords). `report`, when given, delivers errors instead
 * of done(err) (nox-callback: to Catch nodes as usual, but a throttled log without remote text);
 * done is then not called for that message, so a Complete node never sees a failure as success.
 */
export function handleInput(
  RED: NodeAPI,
  node: Node,
  secrets: () => Iterable<string>,
  handler: (ctx: InputContext) => Promise<InputResult>,
  report?: (err: HomeEnergyError, msg: object) => void,
): void {
  let running = 0;
  node.on("input", (msg: any, send: any, done: any) => {
    const sendFn: Send = send ?? ((m: any) => node.send(m));
    const doneFn: Done = done ?? ((e?: Error) => (e ? node.error(e, msg) : undefined));
    running += 1;
    node.status({ fill: "blue", shape: "ring", text: statusKey("working") });
    handler({ msg, send: sendFn }).then(
      (res) => {
        running -= 1;
        if (!res.sent) sendFn(msg);
        node.status({ fill: "green", shape: "dot", text: res.status });
        doneFn();
      },
      (raw) => {
        running -= 1;
        const safe = safeError(raw, secrets(), RED);
        // A request not sent because of a back-off pause is no failure of the node: yellow, with the seconds left.
        node.status(isPausedError(raw) ? pauseStatus(RED, raw.pause) : { fill: "red", shape: "ring", text: errorStatusText(safe) });
        if (report) report(safe, msg);
        else doneFn(safe);
      },
    );
  });
  node.on("close", () => {
    if (running === 0) node.status({});
  });
}

/**
 * What a node may pass to done(err) / node.error: the contract code, the message in the node's
 * language (its catalog through `RED._`) with every secret masked — in the parameters and in the
 * final text — and a stack that is just that line (no internal frames or foreign data in
 * msg.error.stack).
 */
export function safeError(raw: unknown, secrets: Iterable<string>, RED: NodeAPI): HomeEnergyError {
  const list = [...secrets];
  const safe = toHomeEnergyError(raw).localized(catalogOf(RED), (text) => redact(text, list));
  safe.stack = `${safe.name}: ${safe.message}`;
  return safe;
}

/** Action-node side of config-node registration (Node-RED delegates status/errors via `users`). */
export function registerUser(config: ConfigNodeBase | undefined, node: Node): void {
  if (config) config.users[node.id] = node;
}

export function deregisterUser(config: ConfigNodeBase | undefined, node: Node): void {
  if (config) delete config.users[node.id];
}

/**
 * The operation a node runs: its own property, else msg.operation; one of `list` (any case), else
 * INVALID_INPUT naming the list — `ids` are the node's message ids for "none given" and "unknown".
 */
export function readOperation<T extends string>(list: readonly T[], nodeValue: unknown, msgValue: unknown, ids: { none: string; unknown: string }): T {
  const raw = pickOption(nodeValue, msgValue);
  const operations = list.join(", ");
  if (raw === undefined) throw invalidInput(ids.none, { operations });
  const op = String(raw).trim().toLowerCase();
  if (!(list as readonly string[]).includes(op)) throw invalidInput(ids.unknown, { op: op.slice(0, 40), operations });
  return op as T;
}

/** Reads an option: node property first, else the message's value, else the default. */
export function pickOption(nodeValue: unknown, msgValue: unknown, fallback?: unknown): unknown {
  if (nodeValue !== undefined && nodeValue !== null && nodeValue !== "") return nodeValue;
  if (msgValue !== undefined && msgValue !== null && msgValue !== "") return msgValue;
  return fallback;
}

/** Documented ranges of the numeric node properties (the help pages state them). */
export const TIMEOUT_RANGE = { min: 1, max: 300, fallback: 15 };
export const INTERVAL_RANGE = { min: 5, max: 86_400, fallback: 60 };

/**
 * A seconds property clamped to [min, max] (0 kept when `zeroAllowed`); not a number, negative or
 * blank → the fallback. Anything changed is reported once through `warn`, never silently. No
 * typed value can give a timer that fires at once or overflows Node's 2^31−1 ms limit.
 */
export function clampSeconds(
  value: unknown,
  range: { min: number; max: number; fallback: number },
  what: MessageRef,
  warn?: (text: MessageRef) => void,
  zeroAllowed = false,
): number {
  const blank = value === undefined || value === null || (typeof value === "string" && value.trim() === "");
  const n = blank ? NaN : Number(value);
  if (zeroAllowed && n === 0) return 0;
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !zeroAllowed)) {
    if (!blank) warn?.(message("core.common.notSeconds", { what, value: JSON.stringify(String(value).slice(0, 20)), used: range.fallback }));
    return range.fallback;
  }
  if (n < range.min || n > range.max) {
    const used = n < range.min ? range.min : range.max;
    warn?.(message(zeroAllowed ? "core.common.outsideRangeOrZero" : "core.common.outsideRange", { what, value: n, min: range.min, max: range.max, used }));
    return used;
  }
  return n;
}

/** Node timeout property (seconds) → milliseconds, clamped to TIMEOUT_RANGE (default 15 s). */
export function timeoutMs(value: unknown, fallbackSeconds = TIMEOUT_RANGE.fallback, warn?: (text: MessageRef) => void): number {
  return Math.round(clampSeconds(value, { ...TIMEOUT_RANGE, fallback: fallbackSeconds }, message("core.common.timeout"), warn) * 1000);
}
