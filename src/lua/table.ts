/**
 * Lua tables: an array part (a dense JavaScript array holding keys 1..n) and a hash part (a
 * Map) for every other key, with 5.1's border rule for `#`.
 *
 * @module
 */

import { LuaError } from "./error.ts";

let nextId = 1;

/** The error of a Lua write to a read-only table (Redis 7.0's lua_enablereadonlytable). */
export const READONLY_TABLE = "Attempt to modify a readonly table";

/** Raises {@link READONLY_TABLE} (without position, as the C API raises it) if `t` is read-only. */
export function checkWritable(t: LuaTable): void {
  if (t.readonly) throw new LuaError(READONLY_TABLE, 0);
}

/** Hooks a LuaState installs to bound table growth (checked every 1024 new entries). */
export const tableLimits: { maxEntries: number; check: (() => void) | undefined } = {
  maxEntries: Infinity,
  check: undefined,
};

function grown(size: number): void {
  if (size > tableLimits.maxEntries) throw new LuaError("not enough memory", 0);
  tableLimits.check?.();
}

/**
 * A Lua table. Keys follow Lua's rules: `1` and `1.0` are one key, `nil` values are absent.
 *
 * @example
 * ```ts
 * import { LuaTable } from "./table.ts";
 * const t = LuaTable.from([10, 20], { name: "x" });
 * console.log(t.get(1), t.get("name"), t.length); // 10 x 2
 * ```
 */
export class LuaTable {
  /** `arr[i]` holds key `i + 1` (nil values included: it is 5.1's array part). */
  arr: unknown[] = [];
  /** Every key that is not in `arr`. */
  hash: Map<unknown, unknown> | undefined = undefined;
  /** The metatable, or undefined. */
  mt: LuaTable | undefined = undefined;
  /**
   * Writes through Lua (assignment, rawset, the table library, setmetatable) raise
   * {@link READONLY_TABLE}; the host's own `set` calls are not checked.
   */
  readonly = false;
  private id = 0;
  private iterKey: unknown = undefined;
  private iter: Iterator<[unknown, unknown]> | undefined = undefined;

  /** A table with `list` as keys 1..n and `record`'s own properties as string keys. */
  static from(list: readonly unknown[] = [], record: Record<string, unknown> = {}): LuaTable {
    const t = new LuaTable();
    for (let i = 0; i < list.length; i++) t.set(i + 1, list[i]);
    for (const key of Object.keys(record)) t.set(key, record[key]);
    return t;
  }

  /**
   * Empties the table and drops its metatable, for a host that hands one table to Lua again
   * and again (it keeps its address). Only for a table Lua code can no longer reach.
   *
   * @example
   * ```ts
   * import { LuaTable } from "./table.ts";
   * const t = LuaTable.from([1, 2], { x: 3 });
   * t.reset();
   * console.log(t.length, t.get("x")); // 0 undefined
   * ```
   */
  reset(): void {
    // Truncating an array is a runtime call in V8: a fresh one is cheaper when it is short.
    if (this.arr.length !== 0) this.arr = [];
    this.hash = undefined;
    this.mt = undefined;
    this.iter = undefined;
    this.iterKey = undefined;
  }

  /** A number unique to this table (its "address" in `tostring`). */
  get address(): number {
    if (this.id === 0) this.id = nextId++;
    return this.id;
  }

  /** Raw read of `t[key]` (no metamethods). */
  get(key: unknown): unknown {
    if (typeof key === "number") {
      const i = key - 1;
      if ((i | 0) === i && i >= 0 && i < this.arr.length) return this.arr[i];
    }
    return this.hash === undefined ? undefined : this.hash.get(key);
  }

  /** Raw read of a string key. */
  getStr(key: string): unknown {
    return this.hash === undefined ? undefined : this.hash.get(key);
  }

  /** Raw write of `t[key] = value` (no metamethods); `key` must not be nil or NaN. */
  set(key: unknown, value: unknown): void {
    if (typeof key === "number") {
      const arr = this.arr;
      const i = key - 1;
      if ((i | 0) === i && i >= 0) {
        const n = arr.length;
        if (i < n) {
          // Like 5.1's array part, the array never shrinks on nil: `#` searches it.
          arr[i] = value;
          return;
        }
        if (i === n) {
          if (value === undefined) {
            this.hash?.delete(key);
            return;
          }
          arr.push(value);
          if (((n + 1) & 1023) === 0) grown(n + 1);
          if (this.hash !== undefined && this.hash.size > 0) this.migrate();
          return;
        }
      }
    }
    if (value === undefined) {
      this.hash?.delete(key);
      return;
    }
    const hash = this.hash ??= new Map();
    hash.set(key, value);
    if ((hash.size & 1023) === 0) grown(hash.size);
  }

  /** Moves keys n+1, n+2, ... from the hash part to the array part. */
  private migrate(): void {
    const hash = this.hash!;
    const arr = this.arr;
    for (;;) {
      const k = arr.length + 1;
      const v = hash.get(k);
      if (v === undefined) return;
      hash.delete(k);
      arr.push(v);
    }
  }

  /**
   * The border `#t` as 5.1's luaH_getn finds it (raw: tables ignore `__len`): the array
   * size when its last slot holds a value, else a binary search of the array. The hash
   * part never holds key `arr.length + 1` (such a key is appended to the array).
   */
  get length(): number {
    const arr = this.arr;
    let j = arr.length;
    if (j === 0 || arr[j - 1] !== undefined) return j;
    let i = 0;
    while (j - i > 1) {
      const m = (i + j) >>> 1;
      if (arr[m - 1] === undefined) j = m;
      else i = m;
    }
    return i;
  }

  /**
   * The entry after `key` in traversal order (array part, then the hash part in insertion
   * order), or undefined at the end. Throws for a key that is not in the table.
   */
  next(key: unknown): [unknown, unknown] | undefined {
    const arr = this.arr;
    let i = 0;
    if (key !== undefined) {
      if (typeof key === "number" && Number.isInteger(key) && key >= 1 && key <= arr.length) {
        i = key;
      } else return this.nextInHash(key);
    }
    for (; i < arr.length; i++) {
      if (arr[i] !== undefined) return [i + 1, arr[i]];
    }
    if (this.hash === undefined) return undefined;
    this.iter = this.hash.entries();
    return this.step();
  }

  /** Advances the cached hash-part iterator. */
  private step(): [unknown, unknown] | undefined {
    const r = this.iter!.next();
    if (r.done) {
      this.iter = undefined;
      this.iterKey = undefined;
      return undefined;
    }
    this.iterKey = r.value[0];
    return r.value;
  }

  /** `next` for a key of the hash part (the cached iterator when it stands on `key`). */
  private nextInHash(key: unknown): [unknown, unknown] | undefined {
    if (this.iter !== undefined && this.iterKey === key) return this.step();
    const hash = this.hash;
    if (hash !== undefined) {
      const it = hash.entries();
      for (let r = it.next(); !r.done; r = it.next()) {
        if (r.value[0] === key || (key !== key && r.value[0] !== r.value[0])) {
          this.iter = it;
          return this.step();
        }
      }
    }
    throw new LuaError("invalid key to 'next'", 0);
  }
}

/** A userdata value: an opaque host object with an optional metatable. */
export class LuaUserdata {
  /** The metatable, or undefined. */
  mt: LuaTable | undefined = undefined;
  /**
   * Writes through Lua (assignment, rawset, the table library, setmetatable) raise
   * {@link READONLY_TABLE}; the host's own `set` calls are not checked.
   */
  readonly = false;
  private id = 0;

  /** Wraps `data`, which Lua code cannot see. */
  constructor(readonly data: unknown = undefined) {}

  /** A number unique to this userdata. */
  get address(): number {
    if (this.id === 0) this.id = nextId++;
    return this.id;
  }
}

const functionIds = new WeakMap<object, number>();

/** A number unique to a function or coroutine value. */
export function addressOf(v: object): number {
  if (v instanceof LuaTable || v instanceof LuaUserdata) return v.address;
  let id = functionIds.get(v);
  if (id === undefined) functionIds.set(v, id = nextId++);
  return id;
}
