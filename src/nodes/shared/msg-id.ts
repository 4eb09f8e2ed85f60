/**
 * `_msgid` for messages a node starts (navien-status-in sends one per status per node). Node-RED
 * assigns one in send() when a message has none; its generator builds 8 random bytes one at a time
 * through Math.random and string padding, about 1 µs, which is a tenth of a status-in node's own
 * cost per message (bench/status-fanout.js). Same form here (16 hex characters, 64 random bits),
 * cut from a pool of random bytes filled in one call and turned into hex in one call (a slice of
 * that text per id: about 0.05 µs, where a hex conversion per id costs 0.1–0.2 µs).
 */
import { randomFillSync } from "node:crypto";

const IDS_PER_FILL = 512;
const pool = Buffer.alloc(IDS_PER_FILL * 8);
let hex = "";
let next = IDS_PER_FILL;

/** A new message id: 16 lower-case hex characters, like Node-RED's own. */
export function newMsgId(): string {
  if (next === IDS_PER_FILL) {
    hex = randomFillSync(pool).toString("hex");
    next = 0;
  }
  const at = next++ * 16;
  return hex.slice(at, at + 16);
}
