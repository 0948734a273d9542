/**
 * What a key holds: a string (`Uint8Array`) or a data-type object (list, hash, set, sorted
 * set), the type name TYPE replies, and the deep copy COPY makes.
 *
 * @module
 */

/**
 * A value of a non-string type (list, hash, set, sorted set, stream). The data-type modules
 * define the concrete classes.
 *
 * `clone()` is optional: COPY uses it to duplicate the value; without it a generic deep copy
 * of the object's own fields (Maps, Sets, Arrays, typed arrays and plain objects) is made.
 *
 * @example
 * ```ts
 * import type { RedisObject } from "./values.ts";
 *
 * class ListValue implements RedisObject {
 *   readonly type = "list" as const;
 *   items: Uint8Array[] = [];
 *   clone(): ListValue {
 *     const copy = new ListValue();
 *     copy.items = this.items.slice();
 *     return copy;
 *   }
 * }
 * ```
 */
export interface RedisObject {
  /** The Redis type name, as TYPE replies it. */
  readonly type: "list" | "hash" | "set" | "zset" | "stream";
  /** Returns an independent deep copy (used by COPY). */
  clone?(): RedisObject;
}

/**
 * What a key holds: a `Uint8Array` is a string value, anything else a {@link RedisObject}.
 *
 * @example
 * ```ts
 * import { type KeyValue, typeOf } from "./values.ts";
 *
 * const value: KeyValue = new Uint8Array([104, 105]);
 * typeOf(value); // "string"
 * ```
 */
export type KeyValue = Uint8Array | RedisObject;

/**
 * How Redis 7.0 encodes a string when its bytes do not say it (OBJECT ENCODING): `raw` after
 * an in-place edit (APPEND, SETRANGE, SETBIT, BITFIELD, BITOP's result, PFADD: Redis's
 * dbUnshareStringValue), `plain` for a string made without tryObjectEncoding (INCRBYFLOAT's
 * result: `embstr` up to 44 bytes, else `raw`, never `int`). Otherwise Redis encodes by the
 * bytes: `int`, `embstr` up to 44 bytes, else `raw`.
 *
 * @example
 * ```ts
 * import type { StringEncoding } from "./values.ts";
 *
 * const afterAppend: StringEncoding = "raw";
 * ```
 */
export type StringEncoding = "raw" | "plain";

/**
 * The type name TYPE replies for a value.
 *
 * @example
 * ```ts
 * import { typeOf } from "./values.ts";
 *
 * typeOf(new Uint8Array(0)); // "string"
 * ```
 */
export function typeOf(
  value: KeyValue,
): "string" | "list" | "hash" | "set" | "zset" | "stream" {
  return value instanceof Uint8Array ? "string" : value.type;
}

/**
 * A deep copy of a value, for COPY: strings are copied, objects use their `clone()` or a
 * generic copy of their own fields.
 *
 * @example
 * ```ts
 * import { cloneValue } from "./values.ts";
 *
 * const copy = cloneValue(new Uint8Array([1, 2]));
 * ```
 */
export function cloneValue(value: KeyValue): KeyValue {
  if (value instanceof Uint8Array) return value.slice();
  if (typeof value.clone === "function") return value.clone();
  return deepCopy(value, new Map()) as RedisObject;
}

function deepCopy(value: unknown, seen: Map<unknown, unknown>): unknown {
  if (typeof value !== "object" || value === null) return value;
  const known = seen.get(value);
  if (known !== undefined) return known;
  if (ArrayBuffer.isView(value)) {
    const copy = (value as unknown as { slice(): unknown }).slice();
    seen.set(value, copy);
    return copy;
  }
  if (value instanceof Map) {
    const copy = new Map();
    seen.set(value, copy);
    for (const [k, v] of value) copy.set(deepCopy(k, seen), deepCopy(v, seen));
    return copy;
  }
  if (value instanceof Set) {
    const copy = new Set();
    seen.set(value, copy);
    for (const v of value) copy.add(deepCopy(v, seen));
    return copy;
  }
  if (Array.isArray(value)) {
    const copy: unknown[] = new Array(value.length);
    seen.set(value, copy);
    for (let i = 0; i < value.length; i++) copy[i] = deepCopy(value[i], seen);
    return copy;
  }
  const copy = Object.create(Object.getPrototypeOf(value)) as Record<string | symbol, unknown>;
  seen.set(value, copy);
  for (const k of Reflect.ownKeys(value)) {
    copy[k] = deepCopy((value as Record<string | symbol, unknown>)[k], seen);
  }
  return copy;
}
