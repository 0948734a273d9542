/**
 * Values as decoded from replies and accepted by the encoder.
 *
 * @module
 */

/**
 * A decoded RESP value:
 * - `string`: simple string (`+`); bulk strings too with the decoder option `bulkAsString`
 * - `Uint8Array`: bulk string (`$`)
 * - `number`: integer (`:`) within the safe range, and double (`,`)
 * - `bigint`: integer beyond `Number.MAX_SAFE_INTEGER`, and big number (`(`)
 * - `boolean` (`#`), `null` (`_`, RESP2 `$-1` and `*-1`)
 * - {@link ReplyError}: error (`-`) and bulk error (`!`)
 * - {@link VerbatimString} (`=`), arrays (`*`), `Map` (`%`), `Set` (`~`), {@link Push} (`>`),
 *   {@link Attributed} (`|` followed by the value it describes)
 *
 * @example
 * ```ts
 * import { decodeReply, type RespValue } from "./mod.ts";
 * const value: RespValue = decodeReply(new TextEncoder().encode("*2\r\n:1\r\n+OK\r\n"));
 * console.log(value); // [1, "OK"]
 * ```
 */
export type RespValue =
  | string
  | Uint8Array
  | number
  | bigint
  | boolean
  | null
  | ReplyError
  | VerbatimString
  | RespValue[]
  | Map<RespValue, RespValue>
  | Set<RespValue>
  | Push
  | Attributed;

const CODE = /^[A-Z][A-Z0-9_-]*$/;

/**
 * An error reply (`-` or, with `bulk` true, `!`). `code` is the first word of the message
 * when it is all upper-case (`ERR`, `WRONGTYPE`), else `""`.
 *
 * @example
 * ```ts
 * import { ReplyError } from "./mod.ts";
 * const error = new ReplyError("WRONGTYPE Operation against a key holding the wrong kind of value");
 * console.log(error.code); // "WRONGTYPE"
 * ```
 */
export class ReplyError extends Error {
  /** The upper-case code word, or `""`. */
  readonly code: string;
  /** True for a RESP3 bulk error (`!`). */
  readonly bulk: boolean;
  /** Creates the error from the message as sent (without the leading `-`). */
  constructor(message: string, bulk = false) {
    super(message);
    this.name = "ReplyError";
    const space = message.indexOf(" ");
    const word = space < 0 ? message : message.slice(0, space);
    this.code = CODE.test(word) ? word : "";
    this.bulk = bulk;
  }
}

/**
 * A RESP3 verbatim string (`=`): `format` is the 3-letter type (`txt`, `mkd`).
 *
 * @example
 * ```ts
 * import { VerbatimString } from "./mod.ts";
 * const info = new VerbatimString("txt", "Some text");
 * console.log(info.format, info.text);
 * ```
 */
export class VerbatimString {
  /** The 3-byte format, e.g. `txt` or `mkd`. */
  readonly format: string;
  /** The text after `format:`. */
  readonly text: string;
  /** Creates a verbatim string. */
  constructor(format: string, text: string) {
    this.format = format;
    this.text = text;
  }
  /** The text. */
  toString(): string {
    return this.text;
  }
}

/**
 * A RESP3 push (`>`): out-of-band data such as pub/sub messages.
 *
 * @example
 * ```ts
 * import { Push } from "./mod.ts";
 * const message = new Push(["message", "news", "hello"]);
 * console.log(message.items.length); // 3
 * ```
 */
export class Push {
  /** The items of the push. */
  readonly items: RespValue[];
  /** Creates a push. */
  constructor(items: RespValue[]) {
    this.items = items;
  }
}

/**
 * A value preceded by a RESP3 attribute (`|`).
 *
 * @example
 * ```ts
 * import { Attributed } from "./mod.ts";
 * const value = new Attributed(new Map([["ttl", 3600]]), "cached");
 * console.log(value.attributes.get("ttl"), value.value);
 * ```
 */
export class Attributed {
  /** The attribute map. */
  readonly attributes: Map<RespValue, RespValue>;
  /** The value the attributes describe. */
  readonly value: RespValue;
  /** Wraps `value` with its attributes. */
  constructor(attributes: Map<RespValue, RespValue>, value: RespValue) {
    this.attributes = attributes;
    this.value = value;
  }
}
