/**
 * One WebSocket frame per MQTT packet (docs/protocol/navien.md §4, "Frames").
 *
 * mqtt.js writes a packet to its stream in pieces (fixed header, length, topic, id, payload) inside
 * one cork/uncork; the WebSocket stream it builds over `ws` has no `_writev`, so when the cork is
 * lifted every piece goes out as a WebSocket frame of its own: a PUBACK is three frames and three
 * socket writes, a PUBLISH five. With `_writev` the pieces written in one tick leave as one frame
 * (several packets in one frame when they were written together), which MQTT over WebSocket allows:
 * the receiver must not assume packets align with frames (MQTT 3.1.1 §6). For a status stream that
 * is one socket write per acknowledgement instead of three (bench/status-throughput.js).
 */
import type { Writable } from "node:stream";

type WritevChunks = Array<{ chunk: Buffer | string; encoding: BufferEncoding }>;

/** Gives a WebSocket stream `_writev`: what is buffered together is sent through its own `_write` as one chunk. */
export function coalesceFrames(stream: Writable | undefined): void {
  if (!stream || typeof stream._write !== "function" || stream._writev) return;
  stream._writev = function (chunks: WritevChunks, cb: (err?: Error | null) => void) {
    const parts = chunks.map((c) => (typeof c.chunk === "string" ? Buffer.from(c.chunk, c.encoding) : c.chunk));
    this._write(parts.length === 1 ? parts[0] : Buffer.concat(parts), "buffer" as BufferEncoding, cb);
  };
}
