/**
 * Values the reply decoder builds beside the parsing itself: doubles and reply errors.
 *
 * @module
 */

import { ProtocolError } from "./errors.ts";
import { withoutStack } from "./engine.ts";
import { ReplyError } from "./types.ts";

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
