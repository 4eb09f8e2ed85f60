/**
 * The one place that turns an operation into Node-RED behaviour: blue ring while working,
 * green dot with a short text on success, red ring + `done(err)` with a contract code on
 * failure (so a Catch node gets msg.error.code). Every text is redacted first.
 */
import { HomeEnergyError, toHomeEnergyError } from "../core/errors.js";
import { redact } from "../core/redact.js";
import type { ConfigNodeBase, Done, Msg, Node, Send } from "./types.js";

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
 * Status texts are catalog keys (namespace of the navien-account set, which every install has):
 * the editor translates them with the node's `_` and falls back to the key's English default.
 * Dynamic texts (temperatures, counts) stay plain.
 */
export const STATUS_NS = "@home-energy/node-red-home-energy/navien-account:homeEnergyStatus.";

export function statusKey(name: "working" | "starting" | "connecting" | "connected" | "reconnecting" | "noDevices"): string {
  return STATUS_NS + name;
}

export function errorStatusText(err: HomeEnergyError): string {
  return `${STATUS_NS}error.${err.code}`;
}

export function shortTime(d = new Date()): string {
  return d.toTimeString().slice(0, 5);
}

/**
 * Wires the node's input handler. `secrets` returns the values to mask in any error text
 * (the config node's current tokens and passwords).
 */
export function handleInput(
  node: Node,
  secrets: () => Iterable<string>,
  handler: (ctx: InputContext) => Promise<InputResult>,
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
        const safe = safeError(raw, secrets());
        node.status({ fill: "red", shape: "ring", text: errorStatusText(safe) });
        doneFn(safe);
      },
    );
  });
  node.on("close", () => {
    if (running === 0) node.status({});
  });
}

/**
 * What a node may pass to done(err) / node.error: the contract code, the message with every
 * secret masked, and a stack that is just that line (no internal frames or foreign data in
 * msg.error.stack).
 */
export function safeError(raw: unknown, secrets: Iterable<string>): HomeEnergyError {
  const err = toHomeEnergyError(raw);
  const safe = new HomeEnergyError(err.code, redact(err.message, secrets), err.status);
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

/** Reads an option: node property first, else the message's value, else the default. */
export function pickOption(nodeValue: unknown, msgValue: unknown, fallback?: unknown): unknown {
  if (nodeValue !== undefined && nodeValue !== null && nodeValue !== "") return nodeValue;
  if (msgValue !== undefined && msgValue !== null && msgValue !== "") return msgValue;
  return fallback;
}

/** Node timeout property (seconds) → milliseconds, defaulting to the contract's 15 s. */
export function timeoutMs(value: unknown, fallbackSeconds = 15): number {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? Math.round(n * 1000) : fallbackSeconds * 1000;
}
