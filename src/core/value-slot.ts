/**
 * One stored value, read and written asynchronously, so that any backing store fits: a Node-RED
 * context store (memory, localfilesystem with or without cache, a shared one) or something else.
 */
export interface ValueSlot {
  /**
   * Identifies the underlying storage: slots with the same id hold the same value (for example the
   * slot of a node and of its replacement after a redeploy), and serialised() queues them together.
   */
  readonly id: string;
  get(): Promise<unknown>;
  set(value: unknown): Promise<void>;
}

/** A slot in memory (tests, and anything without Node-RED). */
export function memorySlot(id = "memory"): ValueSlot & { value: unknown } {
  return {
    id,
    value: undefined as unknown,
    async get() {
      return this.value;
    },
    async set(v: unknown) {
      this.value = v;
    },
  };
}

const queues = new Map<string, Promise<unknown>>();

/**
 * Runs operations on one slot one at a time, in call order, within this process. The queue is
 * keyed by the slot's id, not the object, so a write still pending from a node that has been
 * replaced (a redeploy) runs before the new node's operations on the same storage. An operation
 * runs even if the one before it failed; its own result or error goes to its caller only.
 */
export function serialised<T>(slot: Pick<ValueSlot, "id">, op: () => Promise<T>): Promise<T> {
  const prev = queues.get(slot.id) ?? Promise.resolve();
  const next = prev.then(op, op);
  const tail = next.then(
    () => undefined,
    () => undefined,
  );
  queues.set(slot.id, tail);
  void tail.then(() => {
    if (queues.get(slot.id) === tail) queues.delete(slot.id);
  });
  return next;
}
