/**
 * `_msgid` for messages a node starts (navien-status-in sends one per status per node). Node-RED
 * assigns one in send() when a message has none; its generator builds 8 random bytes one at a time
 * through Math.random and string padding, about 1 µs, which is a tenth of a status-in node's own
 * cost per message (bench/status-fanout.js). Same form here (16 hex characters, 64 random bits),
 * cut from a pool of random bytes filled in one call.
 */
import { randomFillSync } from "node:crypto";

const IDS_PER_FILL = 512;
const pool = Buffer.alloc(IDS_PER_FILL * 8);
let next = IDS_PER_FILL;

/** A new message id: 16 lower-case hex characters, like Node-RED's own. */
export function newMsgId(): string {
  if (next === IDS_PER_FILL) {
    randomFillSync(pool);
    next = 0;
  }
  const at = next++ * 8;
  return pool.toString("hex", at, at + 8);
}
