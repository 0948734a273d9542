/**
 * Errors raised by the RESP codec.
 *
 * @module
 */

/**
 * Invalid protocol input. The message is Redis's exact text without the `ERR ` prefix, e.g.
 * `Protocol error: invalid bulk length`, so that a server can reply `-ERR <message>` as is.
 *
 * @example
 * ```ts
 * import { ProtocolError, RequestDecoder } from "./mod.ts";
 * const decoder = new RequestDecoder();
 * decoder.feed(new TextEncoder().encode("*1\r\n$-5\r\n"));
 * try {
 *   decoder.next();
 * } catch (error) {
 *   console.log(error instanceof ProtocolError, (error as Error).message);
 * }
 * ```
 */
export class ProtocolError extends Error {
  /** Creates the error with Redis's text (no `ERR ` prefix). */
  constructor(message: string) {
    super(message);
    this.name = "ProtocolError";
  }
}

/**
 * Thrown only by the one-shot helpers (`decodeReply`, `decodeRequest`) when the input ends
 * before a whole value. The streaming decoders return `undefined` instead.
 *
 * @example
 * ```ts
 * import { decodeReply, IncompleteError } from "./mod.ts";
 * try {
 *   decodeReply(new TextEncoder().encode("$5\r\nhel"));
 * } catch (error) {
 *   console.log(error instanceof IncompleteError); // true
 * }
 * ```
 */
export class IncompleteError extends Error {
  /** Creates the error. */
  constructor(message = "Incomplete RESP input") {
    super(message);
    this.name = "IncompleteError";
  }
}
