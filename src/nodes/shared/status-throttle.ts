/**
 * A node status line for readings that change with every message (navien-status-in shows the
 * water temperature). node.status() sends an event to every open editor and runs the runtime's
 * status handling, so with many nodes and fast statuses it would cost as much as the messages:
 * the line is updated at most every `minMs` and only when its text changes. The status is built
 * only when it is about to be shown, and the latest one shows at the end of the interval, so
 * nothing is lost but the readings in between.
 */
import type { Node } from "./types.js";

export type StatusArg = Parameters<Node["status"]>[0] & { text?: string };

export class ThrottledStatus {
  private shown: string | undefined;
  private shownAt = 0;
  private next: (() => StatusArg) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly node: Node,
    private readonly minMs: number,
  ) {}

  /** `build` is called at most once per interval, when its status is about to be shown. */
  show(build: () => StatusArg): void {
    if (this.timer) {
      this.next = build;
      return;
    }
    const wait = this.shownAt + this.minMs - Date.now();
    if (wait <= 0) return this.apply(build());
    this.next = build;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const b = this.next;
      this.next = undefined;
      if (b) this.apply(b());
    }, wait);
  }

  /**
   * Another status takes the line over (an error, the connection state): shown at once, and what
   * is pending is dropped. The next show() is not held back by the interval and compares its text
   * with this one.
   */
  set(status: StatusArg): void {
    this.reset();
    this.shown = status.text;
    this.node.status(status);
  }

  /** Drops what is pending (the node closes); the next show() shows at once. */
  reset(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.next = undefined;
    this.shown = undefined;
    this.shownAt = 0;
  }

  private apply(status: StatusArg): void {
    // The interval starts also when the text is unchanged: otherwise every later show() would
    // build the text again at once (readings that rarely change the line, the usual case).
    this.shownAt = Date.now();
    if (status.text === this.shown) return;
    this.shown = status.text;
    this.node.status(status);
  }
}
