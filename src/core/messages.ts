/**
 * Message ids → text. Every text a user reads (error messages, warnings, node status) is authored
 * once per area in `src/messages/<lang>/<area>.json` (`core`, `navien`, `nox`, `waviot`, `status`).
 * The build composes those files into each node's Node-RED catalog (section = area), so a node
 * translates `navien.deviceTimeout` with its own `RED._`; the plain clients, which have no
 * Node-RED, fall back to the English source read here. Parameters fill `__name__` placeholders
 * (Node-RED's i18next syntax); a parameter may itself be a message (e.g. the cause of a wrapped
 * error), rendered first in the same language.
 */
import core from "../messages/en-US/core.json";
import navien from "../messages/en-US/navien.json";
import nox from "../messages/en-US/nox.json";
import status from "../messages/en-US/status.json";
import waviot from "../messages/en-US/waviot.json";

export type MessageParam = string | number | boolean | MessageRef;
export type MessageParams = Record<string, MessageParam>;

export interface MessageRef {
  key: string;
  params?: MessageParams;
}

/** A node's `RED._` (bound to its catalog namespace): returns the key itself when it has no text. */
export type Translate = (key: string, params?: Record<string, unknown>) => string;

const ENGLISH: Record<string, unknown> = { core, navien, nox, waviot, status };

export function message(key: string, params?: MessageParams): MessageRef {
  return params ? { key, params } : { key };
}

/** The English source text of a key, or undefined for an unknown key. */
function englishTemplate(key: string): string | undefined {
  let v: unknown = ENGLISH;
  for (const part of key.split(".")) v = v && typeof v === "object" ? (v as Record<string, unknown>)[part] : undefined;
  return typeof v === "string" ? v : undefined;
}

function fill(template: string, params: Record<string, unknown>): string {
  return template.replace(/__(\w+?)__/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/**
 * The text of a message: through `t` (a node's catalog) when given and it knows the key, else
 * the English source. Nested messages in the parameters are rendered the same way first.
 */
export function renderMessage(ref: MessageRef, t?: Translate): string {
  const flat: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(ref.params ?? {})) flat[name] = typeof v === "object" ? renderMessage(v, t) : v;
  if (t) {
    const out = t(ref.key, flat);
    // i18next answers a missing key with the key (the test helper's stub `_` does the same).
    if (typeof out === "string" && out !== ref.key && !out.endsWith(`:${ref.key}`)) return out;
  }
  const en = englishTemplate(ref.key);
  return en === undefined ? ref.key : fill(en, flat);
}

/** The same message with `fn` applied to every string parameter, nested ones included (e.g. masking secrets). */
export function mapParams(ref: MessageRef, fn: (text: string) => string): MessageRef {
  if (!ref.params) return ref;
  const params: MessageParams = {};
  for (const [name, v] of Object.entries(ref.params)) params[name] = typeof v === "string" ? fn(v) : typeof v === "object" ? mapParams(v, fn) : v;
  return { key: ref.key, params };
}
