/**
 * A shared "already seen" marker for a newest-first list (waviot-history `onlyNew`): the newest
 * instant seen plus the keys of the entries at that instant. One script compares the offered
 * entries with the marker, advances it and answers which entries are new, all in one atomic step,
 * so that instances fetching the same list at the same time each report an entry at most once
 * between them.
 */
import { message } from "../core/messages.js";
import { ClusterConnection, LATE, LUA_DEADLINE } from "./connection.js";

export interface CursorItem {
  /** Instant of the entry (ms since epoch). */
  at: number;
  /** Stable key of the entry (a hash; never personal data in clear). */
  key: string;
}

/** ARGV: deadline, then (at, key) pairs. Answers 1/0 per pair (new/seen), or LATE. */
const ADVANCE_LUA = `${LUA_DEADLINE}
local at = tonumber(redis.call('HGET', KEYS[1], 'at') or '-1')
local seen = {}
local raw = redis.call('HGET', KEYS[1], 'keys')
if raw then for k in string.gmatch(raw, '[^,]+') do seen[k] = true end end
local out = {}
local top, topText = at, nil
for i = 2, #ARGV, 2 do
  local t = tonumber(ARGV[i])
  if t > at or (t == at and not seen[ARGV[i + 1]]) then
    out[#out + 1] = 1
    if t > top or topText == nil and t == top then top, topText = t, ARGV[i] end
  else
    out[#out + 1] = 0
  end
end
if topText == nil then return out end
local keys = {}
if top == at then for k in pairs(seen) do keys[#keys + 1] = k end end
for i = 2, #ARGV, 2 do
  if out[i / 2] == 1 and tonumber(ARGV[i]) == top and not seen[ARGV[i + 1]] then keys[#keys + 1] = ARGV[i + 1] end
end
redis.call('HSET', KEYS[1], 'at', topText, 'keys', table.concat(keys, ','))
return out
`;

export class HistoryCursor {
  constructor(
    private readonly conn: ClusterConnection,
    private readonly cursorKey: string,
  ) {}

  /** Which of `items` nobody in the cluster has reported yet (and marks them reported). */
  async advance(items: CursorItem[]): Promise<boolean[]> {
    if (!items.length) return [];
    const what = "historyCursor";
    const args: Array<string | number> = [];
    for (const it of items) args.push(String(Math.trunc(it.at)), it.key);
    const result = await this.conn.run(what, () => this.conn.script("heHistoryAdvance", 1, ADVANCE_LUA)([this.cursorKey], [this.conn.deadline(what), ...args]));
    if (result === LATE || !Array.isArray(result)) {
      throw this.conn.unavailable(what, message("core.cluster.cause.lateCursor"));
    }
    return result.map((v) => v === 1);
  }
}
