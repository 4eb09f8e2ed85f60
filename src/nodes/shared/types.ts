/** Small local types for what @types/node-red (1.3 era) lacks. */
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from "node-red";

export type { Node, NodeAPI, NodeDef };
export type Msg = NodeMessageInFlow & Record<string, any>;
export type Send = (msg: Msg | Array<Msg | null>) => void;
export type Done = (err?: Error) => void;

/** A config node that action nodes register with (Node-RED routes status/errors through `users`). */
export interface ConfigNodeBase extends Node {
  users: Record<string, Node>;
  /** Set when the configuration is unusable (e.g. no credentials): every use fails with it. */
  configError: Error | undefined;
  /** Account nodes: builds the account's diagnostics object (src/nodes/shared/diagnostics.ts). */
  diagnostics?: () => Record<string, unknown>;
}
