/**
 * The aggregate being read by `ReplyDecoder`: one frame per open array, map, set, push,
 * attribute (and the value it wraps) or streamed string, with how to add an item and what
 * value it makes when complete.
 *
 * @module
 */

import { decodeRange } from "./bytes.ts";
import { Attributed, Push, type RespValue } from "./types.ts";

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

  /** Adds `value`; true when the frame is complete. */
  add(value: RespValue): boolean {
    switch (this.kind) {
      case K_ARRAY:
      case K_PUSH:
        this.items.push(value);
        break;
      case K_MAP:
      case K_ATTRIBUTE:
        if (!this.hasKey) {
          this.key = value;
          this.hasKey = true;
          return false;
        }
        this.map!.set(this.key, value);
        this.key = null;
        this.hasKey = false;
        break;
      case K_SET:
        this.set!.add(value);
        break;
      case K_WRAP:
        this.items.push(value);
        return true;
    }
    return this.remaining !== -1 && --this.remaining === 0;
  }

  /**
   * The value of a complete frame of any kind but K_ATTRIBUTE (whose value the decoder reads
   * next, in a K_WRAP frame). A streamed string is joined, decoded as UTF-8 when `strings`.
   */
  value(strings: boolean): RespValue {
    switch (this.kind) {
      case K_ARRAY:
        return this.items;
      case K_MAP:
        return this.map!;
      case K_SET:
        return this.set!;
      case K_PUSH:
        return new Push(this.items);
      case K_WRAP:
        return new Attributed(this.map!, this.items[0]);
      default: {
        // K_STRING
        const chunks = this.chunks!;
        let size = 0;
        for (const chunk of chunks) size += chunk.length;
        const out = new Uint8Array(size);
        let at = 0;
        for (const chunk of chunks) {
          out.set(chunk, at);
          at += chunk.length;
        }
        return strings ? decodeRange(out, 0, size) : out;
      }
    }
  }
}
