/**
 * One stored value, read and written asynchronously, so that any backing store fits: a Node-RED
 * context store (memory, localfilesystem with or without cache, a shared one) or something else.
 */
export interface ValueSlot {
  /** Identifies the underlying storage: operations on one slot are serialised in this process. */
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
