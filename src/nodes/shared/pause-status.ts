/**
 * Shows an account's back-off on every node bound to it (CONTRACT.md, "When a cloud fails"): while
 * any kind of request is paused, a yellow ring with the cause and "retry in N s", counted down;
 * when the pause ends, the status the node last set comes back. A status the node sets itself
 * during the pause (it succeeded at something else, or failed) replaces the pause line at once.
 */
import type { CloudPauses } from "../../core/pause.js";
import { pauseStatus } from "./common.js";
import type { Node, NodeAPI } from "./types.js";

type Status = Parameters<Node["status"]>[0];

/** Follows `pauses` on `node` until the returned function is called (the node's close). */
export function showPauses(RED: NodeAPI, node: Node, pauses: CloudPauses | undefined): () => void {
  if (!pauses) return () => undefined;
  const own = node.status.bind(node);
  let last: Status = {};
  let showing = false;
  let timer: ReturnType<typeof setInterval> | undefined;

  node.status = (s: Status) => {
    last = s;
    showing = false;
    return own(s);
  };

  const render = () => {
    const p = pauses.current();
    if (p) {
      showing = true;
      own(pauseStatus(RED, p));
      timer ??= setInterval(render, 1000);
      return;
    }
    if (timer) clearInterval(timer);
    timer = undefined;
    if (showing) {
      showing = false;
      own(last);
    }
  };
  const off = pauses.onChange(render);
  if (pauses.current()) render();
  return () => {
    off();
    if (timer) clearInterval(timer);
    timer = undefined;
  };
}
