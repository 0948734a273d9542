/**
 * A script's return value written as the caller's reply — Redis's `luaReplyToRedisReply`:
 * strings as bulk, numbers truncated to integers, true as 1 (RESP3: `#t`), false and nil as
 * null, tables as `{err=}` errors, `{ok=}` status, `{double=}`, `{big_number=}`,
 * `{verbatim_string=}`, `{map=}`, `{set=}` or arrays up to the first nil.
 *
 * @module
 */

import { LuaTable } from "../../lua/mod.ts";
import type { Reply } from "../../server/reply.ts";
import { toInt64 } from "../../lua/lib/string_format_number.ts";
import { stringBytes } from "./string_bytes.ts";

/** The bytes of a simple frame (`+text` or `-text`) with CR and LF turned into spaces. */
export function simpleFrame(type: "+" | "-", text: string): Uint8Array {
  const out = new Uint8Array(text.length + 3);
  out[0] = type.charCodeAt(0);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[i + 1] = c === 13 || c === 10 ? 32 : c;
  }
  out[text.length + 1] = 13;
  out[text.length + 2] = 10;
  return out;
}

/**
 * Writes Lua value `v` as a reply. `scriptResp` is the protocol the script chose with
 * `redis.setresp` (it decides how booleans are sent).
 *
 * @example
 * ```ts
 * import { Writer } from "../../resp/writer.ts";
 * import { Reply } from "../../server/reply.ts";
 * import { writeLuaReply } from "./lua_to_resp.ts";
 *
 * const writer = new Writer();
 * writeLuaReply(new Reply(writer), 3.7, 2);
 * new TextDecoder().decode(writer.take()); // ":3\r\n"
 * ```
 */
export function writeLuaReply(reply: Reply, v: unknown, scriptResp: 2 | 3): void {
  switch (typeof v) {
    case "string":
      reply.bulk(stringBytes(v));
      return;
    case "number":
      reply.integer(toInt64(v));
      return;
    case "boolean":
      if (scriptResp === 2) {
        if (v) reply.integer(1);
        else reply.null();
      } else reply.boolean(v);
      return;
  }
  if (!(v instanceof LuaTable)) {
    reply.null();
    return;
  }
  const err = v.get("err");
  if (typeof err === "string") {
    reply.raw(simpleFrame("-", err));
    return;
  }
  const ok = v.get("ok");
  if (typeof ok === "string") {
    reply.raw(simpleFrame("+", ok));
    return;
  }
  const double = v.get("double");
  if (typeof double === "number") {
    reply.double(double);
    return;
  }
  const big = v.get("big_number");
  if (typeof big === "string") {
    reply.bigNumber(big.replace(/[\r\n]/g, " "));
    return;
  }
  const verbatim = v.get("verbatim_string");
  if (verbatim instanceof LuaTable) {
    const format = verbatim.get("format");
    const text = verbatim.get("string");
    if (typeof format === "string" && typeof text === "string") {
      reply.verbatim(text, format);
      return;
    }
  }
  const map = v.get("map");
  if (map instanceof LuaTable) {
    let n = 0;
    for (let e = map.next(undefined); e !== undefined; e = map.next(e[0])) n++;
    reply.mapHeader(n);
    for (let e = map.next(undefined); e !== undefined; e = map.next(e[0])) {
      writeLuaReply(reply, e[0], scriptResp);
      writeLuaReply(reply, e[1], scriptResp);
    }
    return;
  }
  const set = v.get("set");
  if (set instanceof LuaTable) {
    let n = 0;
    for (let e = set.next(undefined); e !== undefined; e = set.next(e[0])) n++;
    reply.setHeader(n);
    for (let e = set.next(undefined); e !== undefined; e = set.next(e[0])) {
      writeLuaReply(reply, e[0], scriptResp);
    }
    return;
  }
  let n = 0;
  while (v.get(n + 1) !== undefined) n++;
  reply.arrayHeader(n);
  for (let i = 1; i <= n; i++) writeLuaReply(reply, v.get(i), scriptResp);
}
