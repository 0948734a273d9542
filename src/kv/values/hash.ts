/**
 * The hash value: a `Map` from field (binary string, one char per byte, so `__proto__` is
 * just a field) to value bytes. Its insertion order is the order Redis 7.0 replies in while
 * the hash is small (listpack encoding: by default up to 512 fields of up to 64 bytes); the object
 * tracks that encoding because HSCAN answers a listpack hash in one page, as Redis does.
 *
 * @module
 */

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

/**
 * A Redis hash value: field (binary string) → value bytes.
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
export class RedisHash extends Map<string, Uint8Array> implements RedisObject {
  /** Still in Redis's compact listpack encoding (small hash): HSCAN answers in one page. */
  listpack = true;
  /** Live iterators of HSCANs in progress. */
  scanner: MapScanner<string> | undefined;

  /** Always "hash". */
  get type(): "hash" {
    return "hash";
  }

  /** Sets a field, tracking Redis's encoding conversion. */
  override set(field: string, value: Uint8Array): this {
    super.set(field, value);
    if (
      this.listpack &&
      (this.size > encodingLimits.hashMaxListpackEntries || field.length > LISTPACK_VALUE ||
        value.length > LISTPACK_VALUE)
    ) this.listpack = false;
    return this;
  }

  /** A deep copy (COPY). */
  clone(): RedisHash {
    const copy = new RedisHash();
    for (const [k, v] of this) copy.set(k, v.slice());
    copy.listpack = this.listpack;
    return copy;
  }
}
