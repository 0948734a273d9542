/**
 * The reply a handler writes with. It writes straight into the connection's output buffer,
 * speaks the connection's protocol (RESP3 types are downgraded for RESP2 clients); one method
 * per reply kind, `encode` for any JS value.
 *
 * @module
 */

import type { ProtocolVersion, Writer } from "../resp/writer.ts";
import { errorText } from "./errors.ts";

const OK = new TextEncoder().encode("+OK\r\n");

export { errorText, hasErrorCode } from "./errors.ts";

/**
 * Writes one reply (or several, for a handler that streams an aggregate by headers). All
 * methods append to the connection's output at once; nothing is sent before the current read
 * has been processed.
 *
 * @example
 * ```ts
 * import type { Command, Reply } from "./mod.ts";
 *
 * function handler(command: Command, reply: Reply): void {
 *   if (command.length === 0) return reply.error("wrong number of arguments");
 *   reply.arrayHeader(2);
 *   reply.bulk(command.args[0]);
 *   reply.integer(command.args[0].length);
 * }
 * ```
 */
export class Reply {
  #w: Writer;
  /** @internal Set by every write; the connection uses it to answer null for silent handlers. */
  wrote = false;
  /**
   * The text of the last error written (INFO errorstats and `failed_calls` read it after
   * each command; the dispatcher clears it before).
   */
  lastError: string | undefined = undefined;
  /** @internal Where the running command's reply starts in the writer (see `rollback`). */
  start = 0;

  /** Creates a reply writing into `writer` (the connection does this). */
  constructor(writer: Writer) {
    this.#w = writer;
  }

  /** @internal The writer this reply appends to. */
  get writer(): Writer {
    return this.#w;
  }

  /** @internal Redirects the output (used to detach a timed-out handler, or to mute replies). */
  setWriter(writer: Writer): void {
    this.#w = writer;
  }

  /**
   * @internal Discards what the running command wrote since `start` (a handler that wrote
   * part of a reply and then failed): the error then replaces it, so the stream stays valid.
   * Only on the error path, so the copy through `take()` does not matter.
   */
  rollback(): void {
    const w = this.#w;
    const start = this.start;
    if (w.length <= start) return;
    const truncate = (w as unknown as { truncate?: (length: number) => void }).truncate;
    if (typeof truncate === "function") {
      truncate.call(w, start);
      return;
    }
    // The codec's Writer has no truncate(): take everything and write the kept head back.
    const bytes = w.take();
    if (start > 0) w.raw(bytes.subarray(0, start));
  }

  /** @internal Switches the protocol of the output (HELLO, RESET). */
  setProtocol(protocol: ProtocolVersion): void {
    this.#w.protocol = protocol;
  }

  /** The connection's protocol (2 or 3) when this reply is written. */
  get protocol(): ProtocolVersion {
    return this.#w.protocol;
  }

  /** A status (simple string) reply, `+text` (no CR/LF inside): `status("OK")` for `+OK`. */
  status(text: string): void {
    this.wrote = true;
    if (text === "OK") this.#w.raw(OK);
    else this.#w.simple(text);
  }

  /** An error: `-ERR message`, or the message as is if it starts with a code word. */
  error(message: string): void {
    this.wrote = true;
    const text = errorText(message);
    this.lastError = text;
    this.#w.error(text);
  }

  /**
   * Any JS value: string → bulk, integer → integer, other number → double, bigint, boolean,
   * null/undefined → null, Uint8Array → bulk, Array → array, Map/object → map, Set → set,
   * Error → error (same prefix rule as {@link Reply.error}), and the codec's
   * VerbatimString/Push/Attributed.
   */
  encode(value: unknown): void {
    this.wrote = true;
    if (value instanceof Error) this.#w.error(this.lastError = errorText(value.message));
    else this.#w.value(value);
  }

  /** An integer `:n`. */
  integer(n: number | bigint): void {
    this.wrote = true;
    this.#w.integer(n);
  }

  /** A bulk string (strings are UTF-8 encoded). */
  bulk(value: Uint8Array | string): void {
    this.wrote = true;
    this.#w.bulk(value);
  }

  /**
   * A bulk string of chars `start`..`end` of a binary string (one byte per char, as keys and
   * list elements are held), written without a copy of the part.
   */
  bulkLatin1(text: string, start: number = 0, end: number = text.length): void {
    this.wrote = true;
    this.#w.bulkLatin1(text, start, end);
  }

  /** Null: RESP3 `_`, RESP2 `$-1`. */
  null(): void {
    this.wrote = true;
    this.#w.null();
  }

  /** A null array: RESP3 `_`, RESP2 `*-1`. */
  nullArray(): void {
    this.wrote = true;
    this.#w.nullArray();
  }

  /** An array of values (each encoded like {@link Reply.encode}). */
  array(items: readonly unknown[]): void {
    this.wrote = true;
    const w = this.#w;
    w.arrayHeader(items.length);
    for (let i = 0; i < items.length; i++) w.value(items[i]);
  }

  /** An array header: the next `n` replies written are its elements. */
  arrayHeader(n: number): void {
    this.wrote = true;
    this.#w.arrayHeader(n);
  }

  /** A map (RESP2: flat array of key, value). */
  map(entries: Map<unknown, unknown> | Record<string, unknown>): void {
    this.wrote = true;
    const w = this.#w;
    if (entries instanceof Map) {
      w.mapHeader(entries.size);
      for (const [k, v] of entries) {
        w.value(k);
        w.value(v);
      }
    } else {
      const keys = Object.keys(entries);
      w.mapHeader(keys.length);
      for (const k of keys) {
        w.bulk(k);
        w.value(entries[k]);
      }
    }
  }

  /** A map header: then write `n` keys and values alternately. */
  mapHeader(n: number): void {
    this.wrote = true;
    this.#w.mapHeader(n);
  }

  /** A set (RESP2: array). */
  set(items: Iterable<unknown>): void {
    this.wrote = true;
    const list = Array.isArray(items) ? items : [...items];
    const w = this.#w;
    w.setHeader(list.length);
    for (let i = 0; i < list.length; i++) w.value(list[i]);
  }

  /** A set header: the next `n` replies are its members. */
  setHeader(n: number): void {
    this.wrote = true;
    this.#w.setHeader(n);
  }

  /** A double (RESP2: bulk string in `%.17g` form). */
  double(n: number): void {
    this.wrote = true;
    this.#w.double(n);
  }

  /** A boolean (RESP2: `:1` / `:0`). */
  boolean(b: boolean): void {
    this.wrote = true;
    this.#w.boolean(b);
  }

  /** A big number (RESP2: bulk string). */
  bigNumber(n: bigint | string): void {
    this.wrote = true;
    this.#w.bigNumber(n);
  }

  /** A verbatim string, format "txt" by default (RESP2: bulk string of the text). */
  verbatim(text: string, format?: string): void {
    this.wrote = true;
    this.#w.verbatim(text, format);
  }

  /** A push message (RESP3 `>`; RESP2 array). */
  push(items: readonly unknown[]): void {
    this.wrote = true;
    const w = this.#w;
    w.pushHeader(items.length);
    for (let i = 0; i < items.length; i++) w.value(items[i]);
  }

  /** A push header: the next `n` replies are its items. */
  pushHeader(n: number): void {
    this.wrote = true;
    this.#w.pushHeader(n);
  }

  /** A bulk error (RESP3 `!`; RESP2 simple error), same prefix rule as {@link Reply.error}. */
  bulkError(message: string): void {
    this.wrote = true;
    const text = errorText(message);
    this.lastError = text;
    this.#w.bulkError(text);
  }

  /** Raw, already encoded RESP bytes (the caller answers for their validity). */
  raw(bytes: Uint8Array): void {
    this.wrote = true;
    this.#w.raw(bytes);
  }
}
