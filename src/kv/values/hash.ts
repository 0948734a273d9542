/**
 * The hash value: fields (binary strings, one char per byte, so `__proto__` is just a field)
 * to value bytes, in insertion order, which is the order Redis 7.0 replies in while the hash
 * is small (listpack encoding: by default up to 512 fields of up to 64 bytes). The object
 * tracks that encoding because HSCAN answers a listpack hash in one page, as Redis does.
 *
 * A small hash is held the way Redis holds it, packed: one one-byte string with, per field,
 * its length (one char), its bytes, the value's length and bytes ({@link RedisHash}). Lookups
 * scan it, writes rebuild it; past {@link PACKED_MAX} fields or a field or value longer
 * than 255 bytes it becomes a `Map`. On V8 a `Map` entry with a `Uint8Array` value costs
 * about 180 bytes; a packed field as many bytes as it holds, plus two.
 *
 * @module
 */

import { bytesToLatin1 } from "../../resp/bytes.ts";
import { compactBytes } from "../keyspace/encoding.ts";
import type { RedisObject } from "../keyspace/values.ts";
import { encodingLimits } from "./encoding_limits.ts";
import type { MapScanner } from "./map_scanner.ts";

/**
 * Redis's hash-max-listpack-value: longer fields or values convert to a hashtable. Live: it
 * follows CONFIG SET through {@link syncHashLimits}.
 */
export let LISTPACK_VALUE: number = encodingLimits.hashMaxListpackValue;

/**
 * Re-reads {@link LISTPACK_VALUE} from `encodingLimits` (after a CONFIG SET).
 *
 * @example
 * ```ts
 * import { syncHashLimits } from "./hash.ts";
 *
 * syncHashLimits();
 * ```
 */
export function syncHashLimits(): void {
  LISTPACK_VALUE = encodingLimits.hashMaxListpackValue;
}

/** Most fields a packed hash holds (each lookup scans them). */
const PACKED_MAX = 256;
/** Longest field or value a packed hash holds (its length is one char). */
const PACKED_LENGTH_MAX = 255;

/** `length` bytes of `text` from `start` (one char per byte). */
function bytesAt(text: string, start: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = text.charCodeAt(start + i);
  return out;
}

/** The packed value whose length char is at `at` in `text` holds exactly `value`. */
function sameBytes(text: string, at: number, value: Uint8Array): boolean {
  const length = value.length;
  if (text.charCodeAt(at) !== length) return false;
  for (let i = 0; i < length; i++) if (text.charCodeAt(at + 1 + i) !== value[i]) return false;
  return true;
}

/** The packed form of one field and its value. */
function packedEntry(field: string, value: Uint8Array): string {
  return String.fromCharCode(field.length) + field + String.fromCharCode(value.length) +
    bytesToLatin1(value);
}

/** Yields the fields and values of a packed string (`what`: 0 fields, 1 values, 2 pairs). */
function* unpacked<T>(text: string, what: 0 | 1 | 2): Generator<T> {
  for (let at = 0; at < text.length;) {
    const fieldLength = text.charCodeAt(at);
    const field = text.slice(at + 1, at + 1 + fieldLength);
    at += 1 + fieldLength;
    const valueLength = text.charCodeAt(at);
    if (what === 0) yield field as T;
    else {
      const value = bytesAt(text, at + 1, valueLength);
      yield (what === 1 ? value : [field, value]) as T;
    }
    at += 1 + valueLength;
  }
}

/**
 * A Redis hash value: field (binary string) → value bytes, with the methods of a `Map` the
 * commands use. Values read from a packed hash are new arrays.
 *
 * @example
 * ```ts
 * import { RedisHash } from "./hash.ts";
 *
 * const hash = new RedisHash();
 * hash.set("__proto__", new Uint8Array([49]));
 * hash.get("__proto__"); // Uint8Array [49]
 * hash.type; // "hash"
 * ```
 */
export class RedisHash implements RedisObject {
  /** Live iterators of HSCANs in progress. */
  scanner: MapScanner<string> | undefined;
  /** The packed fields and values while small, else undefined (then {@link RedisHash.#map}). */
  #packed: string | undefined = "";
  /** Number of fields while packed. */
  #count = 0;
  #map: Map<string, Uint8Array> | undefined;
  #listpack = true;

  /** Always "hash". */
  get type(): "hash" {
    return "hash";
  }

  /**
   * Still in Redis's compact listpack encoding (small hash): HSCAN answers in one page.
   * Set to false when Redis converts (a long argument, before anything is stored).
   */
  get listpack(): boolean {
    return this.#listpack;
  }

  set listpack(value: boolean) {
    this.#listpack = value;
    if (!value) this.#unpack();
  }

  /** Number of fields. */
  get size(): number {
    return this.#packed !== undefined ? this.#count : this.#map!.size;
  }

  /** Offset of `field`'s entry in the packed string, or -1. */
  #find(text: string, field: string): number {
    const length = field.length;
    for (let at = 0; at < text.length;) {
      const fieldLength = text.charCodeAt(at);
      if (fieldLength === length && text.startsWith(field, at + 1)) return at;
      at += 1 + fieldLength;
      at += 1 + text.charCodeAt(at);
    }
    return -1;
  }

  /** Moves the packed fields into a Map (for good: Redis never converts back either). */
  #unpack(): void {
    const text = this.#packed;
    if (text === undefined) return;
    const map = new Map<string, Uint8Array>();
    for (const [field, value] of unpacked<[string, Uint8Array]>(text, 2)) map.set(field, value);
    this.#map = map;
    this.#packed = undefined;
    this.#count = 0;
  }

  /** The value of `field`, or undefined. */
  get(field: string): Uint8Array | undefined {
    const text = this.#packed;
    if (text === undefined) return this.#map!.get(field);
    const at = this.#find(text, field);
    if (at < 0) return undefined;
    const valueAt = at + 1 + field.length;
    return bytesAt(text, valueAt + 1, text.charCodeAt(valueAt));
  }

  /** Whether `field` is set. */
  has(field: string): boolean {
    const text = this.#packed;
    return text === undefined ? this.#map!.has(field) : this.#find(text, field) >= 0;
  }

  /** Sets a field (an existing one keeps its place), tracking Redis's encoding conversion. */
  set(field: string, value: Uint8Array): this {
    this.put(field, value);
    return this;
  }

  /**
   * {@link RedisHash.set}, telling whether the field is new. A value stored in the `Map` is
   * a compact copy when it is a small view of a larger buffer ({@link compactBytes}).
   */
  put(field: string, value: Uint8Array): boolean {
    const text = this.#packed;
    if (text !== undefined) {
      const at = this.#find(text, field);
      const size = at < 0 ? this.#count + 1 : this.#count;
      if (
        size <= PACKED_MAX && field.length <= PACKED_LENGTH_MAX &&
        value.length <= PACKED_LENGTH_MAX && !this.#converts(size, field, value)
      ) {
        if (at < 0) {
          // Flattened by the next lookup: one level of pieces at most.
          this.#packed = text + packedEntry(field, value);
          this.#count = size;
          return true;
        }
        const valueAt = at + 1 + field.length;
        const end = valueAt + 1 + text.charCodeAt(valueAt);
        if (!sameBytes(text, valueAt, value)) {
          const packed = text.slice(0, at) + packedEntry(field, value) + text.slice(end);
          packed.charCodeAt(0); // flattened now: no slices keeping the old string alive
          this.#packed = packed;
        }
        return false;
      }
      this.#unpack();
    }
    const map = this.#map!;
    const size = map.size;
    map.set(field, compactBytes(value));
    if (this.#listpack && this.#converts(map.size, field, value)) this.#listpack = false;
    return map.size > size;
  }

  /** Redis converts a listpack hash of `size` fields on setting `field` to `value`. */
  #converts(size: number, field: string, value: Uint8Array): boolean {
    return size > encodingLimits.hashMaxListpackEntries || field.length > LISTPACK_VALUE ||
      value.length > LISTPACK_VALUE;
  }

  /** Removes a field; true if it was set. */
  delete(field: string): boolean {
    const text = this.#packed;
    if (text === undefined) return this.#map!.delete(field);
    const at = this.#find(text, field);
    if (at < 0) return false;
    const end = at + 2 + field.length + text.charCodeAt(at + 1 + field.length);
    const rest = text.slice(0, at) + text.slice(end);
    rest.charCodeAt(0);
    this.#packed = rest;
    this.#count--;
    return true;
  }

  /** The fields, in order. */
  keys(): IterableIterator<string> {
    const text = this.#packed;
    return text === undefined ? this.#map!.keys() : unpacked<string>(text, 0);
  }

  /** The values, in order. */
  values(): IterableIterator<Uint8Array> {
    const text = this.#packed;
    return text === undefined ? this.#map!.values() : unpacked<Uint8Array>(text, 1);
  }

  /** The fields and values, in order. */
  entries(): IterableIterator<[string, Uint8Array]> {
    const text = this.#packed;
    return text === undefined ? this.#map!.entries() : unpacked<[string, Uint8Array]>(text, 2);
  }

  /** Same as {@link RedisHash.entries}. */
  [Symbol.iterator](): IterableIterator<[string, Uint8Array]> {
    return this.entries();
  }

  /** A deep copy (COPY). */
  clone(): RedisHash {
    const copy = new RedisHash();
    copy.#listpack = this.#listpack;
    if (this.#packed !== undefined) {
      copy.#packed = this.#packed;
      copy.#count = this.#count;
    } else {
      const map = new Map<string, Uint8Array>();
      for (const [k, v] of this.#map!) map.set(k, v.slice());
      copy.#map = map;
      copy.#packed = undefined;
    }
    return copy;
  }
}
