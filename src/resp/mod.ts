/**
 * The RESP codec of rediserver: streaming request and reply decoders, and an encoder for
 * every RESP2 and RESP3 type (with Redis's RESP2 downgrades). Web standards only
 * (Uint8Array, TextEncoder, TextDecoder): runs on Deno, Bun and Node.
 *
 * @example
 * ```ts
 * import { encodeCommand, ReplyDecoder, RequestDecoder, Writer } from "rediserver/resp";
 *
 * // Server side: decode requests, encode replies.
 * const requests = new RequestDecoder();
 * requests.feed(encodeCommand(["PING"]));
 * const argv = requests.next(); // [Uint8Array "PING"]
 * const writer = new Writer();
 * writer.simple("PONG");
 *
 * // Client side: decode replies.
 * const replies = new ReplyDecoder();
 * replies.feed(writer.take());
 * console.log(argv?.length, replies.next()); // 1 "PONG"
 * ```
 *
 * @module
 */

export { IncompleteError, ProtocolError } from "./errors.ts";
export { Attributed, Push, ReplyError, type RespValue, VerbatimString } from "./types.ts";
export { type DecoderLimits, DEFAULT_LIMITS } from "./limits.ts";
export { decodeRequest, RequestDecoder, type RequestDecoderOptions } from "./request_decoder.ts";
export { decodeReply, ReplyDecoder, type ReplyDecoderOptions } from "./reply_decoder.ts";
export {
  bytesToString,
  equalBytes,
  formatDouble,
  parseBigInt,
  parseInteger,
  stringToBytes,
} from "./bytes.ts";
export { encodeCommand, encodeReply, type ProtocolVersion, Writer } from "./writer.ts";

export type { InputBuffer } from "./input_buffer.ts";
