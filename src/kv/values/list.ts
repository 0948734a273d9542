/**
 * The list value: a ring-buffer deque of byte strings (Redis keeps a quicklist; the replies
 * are the same).
 *
 * @module
 */

import type { RedisObject } from "../keyspace/values.ts";
import { Deque } from "./deque.ts";

/**
 * A Redis list value: a deque of byte strings.
 *
 * @example
 * ```ts
 * import { RedisList } from "./list.ts";
 *
 * const list = new RedisList();
 * list.pushBack(new TextEncoder().encode("a"));
 * list.type; // "list"
 * ```
 */
export class RedisList extends Deque<Uint8Array> implements RedisObject {
  /** Always "list". */
  get type(): "list" {
    return "list";
  }

  /** A deep copy (COPY). */
  clone(): RedisList {
    const copy = new RedisList(this.length);
    for (const v of this) copy.pushBack(v.slice());
    return copy;
  }
}
