/**
 * One stored key as the database holds it: the value, its SCAN position and one small
 * integer of flags and LRU stamp. Its expiry is not here: a key with a TTL has the flag
 * {@link TTL} and its time in the database's expiry index (Redis's `expires` dict), so that
 * the many keys without one carry no field for it.
 *
 * A short ASCII string value is held as a JavaScript string (one char per byte): on V8 a
 * `Uint8Array` costs about a hundred bytes beyond its contents, a one-byte string sixteen.
 * Values the store may edit in place ({@link OWNED}) and any other string stay bytes.
 *
 * @module
 */

import { bytesToLatin1, latin1ToBytes } from "../../resp/bytes.ts";
import type { KeyValue, StringEncoding } from "./values.ts";

/** `Entry.bits`: the store owns the string (it may be edited in place). */
export const OWNED = 1;
/** `Entry.bits`: Redis's string encoding is `raw` whatever the bytes. */
export const RAW = 2;
/** `Entry.bits`: the string was never tried as an integer (embstr or raw by length). */
export const PLAIN = 4;
/** `Entry.bits`: the key has a TTL (its time is in the database's expiry index). */
export const TTL = 8;
/** `Entry.bits`: every flag above; above them, the LRU clock of the last access (24 bits). */
export const FLAGS = 15;
/** Shift of the LRU stamp in `Entry.bits`. */
export const LRU_SHIFT = 4;

/** What an entry holds: a value, or a short ASCII string value as a JavaScript string. */
export type Held = KeyValue | string;

/** Longest string value held as a JavaScript string. */
const TEXT_MAX = 64;

/**
 * `bytes` as a JavaScript string (one char per byte) when they are at most 64 ASCII bytes
 * (so that the string is also their UTF-8 form, ready for a reply), else undefined.
 *
 * @example
 * ```ts
 * import { asText } from "./entry.ts";
 *
 * asText(new Uint8Array([104, 105])); // "hi"
 * asText(new Uint8Array([0xff])); // undefined
 * ```
 */
export function asText(bytes: Uint8Array): string | undefined {
  const length = bytes.length;
  if (length > TEXT_MAX) return undefined;
  for (let i = 0; i < length; i++) if (bytes[i] >= 0x80) return undefined;
  return bytesToLatin1(bytes);
}

/**
 * `text` when it holds exactly `bytes` (a SET of the value already there keeps it, making
 * nothing), else {@link asText} of them.
 *
 * @example
 * ```ts
 * import { asTextOver } from "./entry.ts";
 *
 * const held = "hi";
 * asTextOver(held, new Uint8Array([104, 105])) === held; // true
 * ```
 */
export function asTextOver(text: string, bytes: Uint8Array): string | undefined {
  const length = bytes.length;
  if (text.length !== length) return asText(bytes);
  for (let i = 0; i < length; i++) if (text.charCodeAt(i) !== bytes[i]) return asText(bytes);
  return text;
}

/**
 * The value an entry holds, a string value held as text turned back into bytes (a new
 * array: callers may keep it).
 *
 * @example
 * ```ts
 * import { valueOf } from "./entry.ts";
 *
 * valueOf("hi"); // Uint8Array [104, 105]
 * ```
 */
export function valueOf(held: Held): KeyValue {
  return typeof held === "string" ? latin1ToBytes(held) : held;
}

/** True when `held` is a non-string value of type `type`. */
export function holdsType(held: Held | undefined, type: string): boolean {
  return typeof held === "object" && !(held instanceof Uint8Array) && held.type === type;
}

/**
 * One stored key. `seq` orders keys for SCAN (the Map's insertion order); `bits` packs the
 * flags above and the access stamp into one small integer (no extra field per key).
 *
 * @example
 * ```ts
 * import { Entry } from "./entry.ts";
 *
 * const entry = new Entry("hi", 1, 0);
 * entry.value; // Uint8Array [104, 105]
 * ```
 */
export class Entry {
  held: Held;
  seq: number;
  bits: number;
  /** An entry holding `held`, SCAN position `seq`, flags and stamp `bits`. */
  constructor(held: Held, seq: number, bits: number) {
    this.held = held;
    this.seq = seq;
    this.bits = bits;
  }
  /** The value (a string held as text comes as new bytes). */
  get value(): KeyValue {
    return valueOf(this.held);
  }
  /** The store owns the string: it may be overwritten in place. */
  get owned(): boolean {
    return (this.bits & OWNED) !== 0;
  }
  /** The string's encoding beside its bytes, if any. */
  get encoding(): StringEncoding | undefined {
    const bits = this.bits;
    return (bits & RAW) !== 0 ? "raw" : (bits & PLAIN) !== 0 ? "plain" : undefined;
  }
}
