/**
 * The values the reply decoder builds beside the parsing itself: aggregates under
 * construction (frames), doubles, and reply errors.
 *
 * @module
 */

import { ProtocolError } from "./errors.ts";
import { withoutStack } from "./engine.ts";
import { ReplyError, type RespValue } from "./types.ts";

/** Kinds of {@link Frame}: the aggregate types, an attribute's wrapped value, a streamed string. */
export const K_ARRAY = 0;
export const K_MAP = 1;
export const K_SET = 2;
export const K_PUSH = 3;
export const K_ATTRIBUTE = 4;
export const K_WRAP = 5;
export const K_STRING = 6;

/** An aggregate being read. `remaining` is -1 for streamed aggregates. */
export class Frame {
  kind: number;
  remaining: number;
  items: RespValue[] = [];
  map: Map<RespValue, RespValue> | undefined = undefined;
  set: Set<RespValue> | undefined = undefined;
  key: RespValue = null;
  hasKey = false;
  chunks: Uint8Array[] | undefined = undefined;
  constructor(kind: number, remaining: number) {
    this.kind = kind;
    this.remaining = remaining;
  }
}

/**
 * A {@link ReplyError} without a captured stack: it is data from the peer, and capturing the
 * decoder's stack would cost more than decoding the reply.
 */
export function replyError(message: string, bulk: boolean): ReplyError {
  return withoutStack(ReplyError, message, bulk);
}

/** A RESP3 double (`,` line) as Redis writes them: `inf`, `-inf`, `nan` or a decimal. */
export function parseDouble(text: string): number {
  switch (text) {
    case "inf":
    case "+inf":
      return Infinity;
    case "-inf":
      return -Infinity;
    case "nan":
    case "-nan":
      return NaN;
  }
  const value = Number(text);
  if (text.length === 0 || value !== value || /^\s|\s$/.test(text)) {
    throw new ProtocolError("Protocol error: invalid double");
  }
  return value;
}
