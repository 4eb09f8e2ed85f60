/**
 * The log side of nox-callback's refusals (issue 18). Its route is on the open internet: anyone
 * can send it thousands of bad callbacks, each with text of their choosing (e.g. NOX's
 * `error_description` echoed from the query). Catch nodes still get every refusal exactly as
 * node.error(err, msg) delivers it (msg.error.code set); only the log line differs:
 * - at most one line per cause per WINDOW_MS per node, with the number of refusals left out;
 * - the line carries the code and the fixed text of the cause, never a text from the request or
 *   the server (every string parameter is elided).
 * As with node.error, nothing is logged when a Catch node handled the error.
 */
import type { HomeEnergyError } from "../../core/errors.js";
import { mapParams, message, renderMessage } from "../../core/messages.js";
import { catalogOf, nodeText } from "./common.js";
import type { Node, NodeAPI } from "./types.js";

export const WINDOW_MS = 60_000;

interface Window {
  /** Refusals for this cause since the line was logged. */
  more: number;
  timer: NodeJS.Timeout;
}

interface FlowApi {
  handleError(node: Node, err: unknown, msg: object): boolean;
}

export class RefusalLog {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly RED: NodeAPI,
    private readonly node: Node,
  ) {}

  report(err: HomeEnergyError, msg: object): void {
    const flow = (this.node as unknown as { _flow?: FlowApi })._flow;
    // Catch nodes first, as Node.prototype.error does; a handled error is not logged there either.
    if (flow && typeof flow.handleError === "function" && flow.handleError(this.node, err, msg)) return;
    const fixed = mapParams(err.ref, () => "…");
    const cause = JSON.stringify([err.code, fixed]);
    const open = this.windows.get(cause);
    if (open) {
      open.more++;
      return;
    }
    const text = renderMessage(fixed, catalogOf(this.RED));
    this.node.error(nodeText(this.RED, message("nox.noxCallback.refusedLog", { code: err.code, cause: text })));
    const timer = setTimeout(() => {
      const w = this.windows.get(cause);
      this.windows.delete(cause);
      if (w && w.more > 0) this.node.error(nodeText(this.RED, message("nox.noxCallback.refusedMore", { count: w.more, code: err.code, cause: text, secs: WINDOW_MS / 1000 })));
    }, WINDOW_MS);
    timer.unref();
    this.windows.set(cause, { more: 0, timer });
  }

  /** On close: pending summaries are dropped (the node is going away). */
  close(): void {
    for (const w of this.windows.values()) clearTimeout(w.timer);
    this.windows.clear();
  }
}
