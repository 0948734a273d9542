/**
 * SORT and SORT_RO (Redis's sort.c): the elements of a list, set or sorted set sorted as
 * numbers or (ALPHA) as byte strings, by themselves or by the values of other keys or hash
 * fields (BY pattern), paged (LIMIT), projected (GET pattern...) and optionally stored as a
 * list (STORE).
 *
 * @module
 */

import { longArg, parseRangeDouble } from "../../server/args.ts";
import { Command } from "../../server/command.ts";
import type { KeyReference } from "../../server/command_spec.ts";
import { fail, SYNTAX, WRONGTYPE } from "../../server/errors.ts";
import { keyAt, type KvCommand } from "../command.ts";
import { keyBytes, keyOf } from "../keyspace/encoding.ts";
import type { Database } from "../keyspace/keyspace.ts";
import type { KeyValue } from "../keyspace/values.ts";
import { RedisHash } from "../values/hash.ts";
import { RedisList } from "../values/list.ts";
import type { RedisSet } from "../values/set.ts";
import type { RedisZSet } from "../values/zset.ts";

/** The parsed options of one SORT call. */
interface SortOptions {
  desc: boolean;
  alpha: boolean;
  limitStart: number;
  limitCount: number;
  /** BY pattern, undefined without BY (or once a constant BY turned sorting off). */
  by: Uint8Array | undefined;
  /** A constant BY pattern (no `*`): the elements keep their stored order. */
  dontSort: boolean;
  gets: Uint8Array[];
  store: string | undefined;
}

/** Parses SORT's options from argument 2 as sortCommandGeneric does, or throws its errors. */
function parseOptions(command: Command, readonly: boolean): SortOptions {
  const options: SortOptions = {
    desc: false,
    alpha: false,
    limitStart: 0,
    limitCount: -1,
    by: undefined,
    dontSort: false,
    gets: [],
    store: undefined,
  };
  const argv = command.argv;
  for (let j = 2; j < argv.length; j++) {
    const at = j - 1; // argv[j] as a Command index
    const left = argv.length - j - 1;
    if (command.is(at, "asc")) options.desc = false;
    else if (command.is(at, "desc")) options.desc = true;
    else if (command.is(at, "alpha")) options.alpha = true;
    else if (command.is(at, "limit") && left >= 2) {
      options.limitStart = longArg(command, j);
      options.limitCount = longArg(command, j + 1);
      j += 2;
    } else if (!readonly && command.is(at, "store") && left >= 1) {
      options.store = keyOf(argv[++j]);
    } else if (command.is(at, "by") && left >= 1) {
      const pattern = argv[++j];
      options.by = pattern;
      options.dontSort = cStringIndexOf(pattern, 42, 0) === -1;
    } else if (command.is(at, "get") && left >= 1) {
      options.gets.push(argv[++j]);
    } else fail(SYNTAX);
  }
  return options;
}

/** End of the C string in `bytes` (its first NUL, or its length). */
function cStringEnd(bytes: Uint8Array): number {
  const nul = bytes.indexOf(0);
  return nul === -1 ? bytes.length : nul;
}

/** `strchr` over the C string in `bytes` from `from`: the index of `byte`, or -1. */
function cStringIndexOf(bytes: Uint8Array, byte: number, from: number): number {
  const end = cStringEnd(bytes);
  for (let i = from; i < end; i++) if (bytes[i] === byte) return i;
  return -1;
}

/** `#` alone: GET returns the element itself. */
function isHashSign(pattern: Uint8Array): boolean {
  return pattern.length >= 1 && pattern[0] === 35 && (pattern.length === 1 || pattern[1] === 0);
}

/**
 * Redis's lookupKeyByPattern: the first `*` of `pattern` replaced by `element` names a
 * string key, or, with `->field` after the `*`, a field of a hash key; `#` is the element.
 * Undefined when the key, the field or the `*` is missing or the key has another type.
 */
function lookupByPattern(
  db: Database,
  pattern: Uint8Array,
  element: Uint8Array,
): Uint8Array | undefined {
  if (isHashSign(pattern)) return element;
  const star = cStringIndexOf(pattern, 42, 0);
  if (star === -1) return undefined;
  const end = cStringEnd(pattern);
  let arrow = -1;
  for (let i = star + 1; i + 2 < end; i++) {
    if (pattern[i] === 45 && pattern[i + 1] === 62) {
      arrow = i;
      break;
    }
  }
  const keyEnd = arrow === -1 ? pattern.length : arrow;
  const name = new Uint8Array(keyEnd - 1 + element.length);
  name.set(pattern.subarray(0, star), 0);
  name.set(element, star);
  name.set(pattern.subarray(star + 1, keyEnd), star + element.length);
  const value: KeyValue | undefined = db.get(keyOf(name));
  if (value === undefined) return undefined;
  if (arrow === -1) return value instanceof Uint8Array ? value : undefined;
  if (!(value instanceof RedisHash)) return undefined;
  return value.get(keyOf(pattern.subarray(arrow + 2)));
}

/** One element being sorted: its bytes, numeric weight and ALPHA-by-pattern weight. */
interface SortItem {
  readonly element: Uint8Array;
  score: number;
  weight: Uint8Array | undefined;
}

/** memcmp then length, as compareStringObjects (binary-safe). */
function compareBinary(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** strcmp over C strings (strcoll in the C locale): bytes up to the first NUL. */
function compareCStrings(a: Uint8Array, b: Uint8Array): number {
  return compareBinary(a.subarray(0, cStringEnd(a)), b.subarray(0, cStringEnd(b)));
}

const INFINITY_TEXT = /^\s*[+-]?inf(inity)?$/i;
const MIN_NORMAL = 2.2250738585072014e-308;

/**
 * The weight SORT reads with strtod: undefined when strtod stops before the end, overflows,
 * underflows (ERANGE) or reads NaN.
 */
function sortScore(bytes: Uint8Array): number | undefined {
  const value = parseRangeDouble(bytes);
  if (value === undefined || Number.isNaN(value)) return undefined;
  const text = keyOf(bytes.subarray(0, cStringEnd(bytes)));
  if (!Number.isFinite(value) && !INFINITY_TEXT.test(text)) return undefined;
  if (value !== 0 && Math.abs(value) < MIN_NORMAL) return undefined;
  if (value === 0 && /[1-9]/.test(text.replace(/[eE].*$/, "")) && !/^\s*[+-]?0[xX]/.test(text)) {
    return undefined;
  }
  return value;
}

/** What SORT sorts. */
type Sortable = RedisList | RedisSet | RedisZSet;

/** The elements of the value to sort, in the order Redis loads them. */
function loadAll(value: Sortable | undefined): Uint8Array[] {
  if (value === undefined) return [];
  if (value instanceof RedisList) return value.toArray().map(keyBytes);
  if (value.type === "set") return (value as RedisSet).ordered().map(keyBytes);
  const out: Uint8Array[] = [];
  (value as RedisZSet).forEach((member) => out.push(keyBytes(member)));
  return out;
}

/** The element at rank `i` of a list or sorted set (ascending). */
function elementAt(value: Sortable, i: number): Uint8Array {
  if (value instanceof RedisList) return keyBytes(value.at(i)!);
  return keyBytes((value as RedisZSet).memberAt(i));
}

function lengthOf(value: Sortable | undefined): number {
  if (value === undefined) return 0;
  if (value instanceof RedisList) return value.length;
  return (value as RedisSet | RedisZSet).size;
}

/** The sort itself; returns the selected elements in output order. */
function sortElements(db: Database, value: Sortable | undefined, o: SortOptions): Uint8Array[] {
  const length = lengthOf(value);
  let start = Math.min(Math.max(o.limitStart, 0), length);
  const count = Math.min(Math.max(o.limitCount, -1), length);
  let end = count < 0 ? length - 1 : start + count - 1;
  if (start >= length) {
    start = length - 1;
    end = length - 2;
  }
  if (end >= length) end = length - 1;
  if (o.dontSort && value !== undefined && value.type !== "set") {
    // Stored order (a list's or a sorted set's), read from the wanted end.
    const out: Uint8Array[] = [];
    for (let i = start; i <= end; i++) {
      out.push(elementAt(value, o.desc ? length - 1 - i : i));
    }
    return out;
  }
  const items: SortItem[] = loadAll(value).map((element) => ({
    element,
    score: 0,
    weight: undefined,
  }));
  if (!o.dontSort) {
    let badScore = false;
    for (const item of items) {
      const by = o.by === undefined ? item.element : lookupByPattern(db, o.by, item.element);
      if (by === undefined) continue;
      if (o.alpha) {
        if (o.by !== undefined) item.weight = by;
      } else {
        const score = sortScore(by);
        if (score === undefined) badScore = true;
        else item.score = score;
      }
    }
    if (badScore) fail("ERR One or more scores can't be converted into double");
    items.sort(comparator(o));
  }
  // Every weight is read (and may fail) even when LIMIT selects nothing.
  return end < start ? [] : items.slice(start, end + 1).map((item) => item.element);
}

/** sortCompare for the options `o`. */
function comparator(o: SortOptions): (a: SortItem, b: SortItem) => number {
  const sign = o.desc ? -1 : 1;
  const compareText = o.store !== undefined ? compareBinary : compareCStrings;
  if (!o.alpha) {
    return (a, b) =>
      sign * (a.score > b.score ? 1 : a.score < b.score ? -1 : compareBinary(a.element, b.element));
  }
  if (o.by !== undefined) {
    return (a, b) => {
      if (a.weight === undefined || b.weight === undefined) {
        return sign * (a.weight === b.weight ? 0 : a.weight === undefined ? -1 : 1);
      }
      return sign * compareText(a.weight, b.weight);
    };
  }
  return (a, b) => sign * compareText(a.element, b.element);
}

/** SORT / SORT_RO. */
function sortCommand(readonly: boolean): KvCommand["handler"] {
  return (db, key, command, reply) => {
    const o = parseOptions(command, readonly);
    const value = db.get(key);
    if (
      value !== undefined && (value instanceof Uint8Array || value.type === "hash" ||
        value.type === "stream")
    ) fail(WRONGTYPE);
    if (o.dontSort && value?.type === "set" && o.store !== undefined) {
      // A set has no stored order: STORE sorts it so replicas agree.
      o.dontSort = false;
      o.alpha = true;
      o.by = undefined;
    }
    // Redis converts a listpack sorted set to a skiplist before sorting it.
    if (value?.type === "zset") (value as RedisZSet).convertToSkiplist();
    const selected = sortElements(db, value as Sortable | undefined, o);
    const out: (Uint8Array | undefined)[] = [];
    for (const element of selected) {
      if (o.gets.length === 0) out.push(element);
      for (const pattern of o.gets) out.push(lookupByPattern(db, pattern, element));
    }
    if (o.store === undefined) {
      reply.arrayHeader(out.length);
      for (const v of out) {
        if (v === undefined) reply.null();
        else reply.bulk(v);
      }
      return;
    }
    if (out.length > 0) {
      const list = new RedisList();
      for (const v of out) list.pushBack(v === undefined ? "" : keyOf(v));
      db.set(o.store, list);
    } else db.delete(o.store);
    reply.integer(out.length);
  };
}

/** SORT's keys (Redis's sortGetKeys): the sorted key and the last STORE destination. */
function sortGetKeys(argv: readonly Uint8Array[]): readonly KeyReference[] {
  const keys: KeyReference[] = [{ index: 1, flags: ["RO", "access"] }];
  const command = new Command();
  command.load("sort", argv as Uint8Array[]);
  let store = 0;
  for (let i = 2; i < argv.length; i++) {
    if (command.is(i - 1, "limit")) i += 2;
    else if (command.is(i - 1, "get") || command.is(i - 1, "by")) i += 1;
    else if (command.is(i - 1, "store") && i + 1 < argv.length) store = i + 1;
  }
  if (store > 0) keys.push({ index: store, flags: ["OW", "update"] });
  return keys;
}

const BY_GET_SPEC = {
  flags: ["RO", "access"],
  begin: "unknown",
  find: "unknown",
  notes: "For the optional BY/GET keyword. It is marked 'unknown' because the key names " +
    "derive from the content of the key we sort",
} as const;

const COMPLEXITY = "O(N+M*log(M)) where N is the number of elements in the list or set to " +
  "sort, and M the number of returned elements. When the elements are not sorted, " +
  "complexity is O(N).";

/** SORT and SORT_RO. */
export const sortCommands: readonly KvCommand[] = [
  {
    name: "sort",
    arity: -2,
    flags: ["write", "denyoom", "movablekeys"],
    acl: ["set", "sortedset", "list", "slow", "dangerous"],
    keys: [keyAt(1, "RO", "access"), BY_GET_SPEC, {
      flags: ["OW", "update"],
      begin: "unknown",
      find: "unknown",
      notes: "For the optional STORE keyword. It is marked 'unknown' because the keyword can " +
        "appear anywhere in the argument array",
    }],
    getKeys: sortGetKeys,
    group: "generic",
    since: "1.0.0",
    complexity: COMPLEXITY,
    summary: "Sort the elements in a list, set or sorted set",
    handler: sortCommand(false),
  },
  {
    name: "sort_ro",
    arity: -2,
    flags: ["readonly", "movablekeys"],
    acl: ["set", "sortedset", "list", "slow", "dangerous"],
    keys: [keyAt(1, "RO", "access"), BY_GET_SPEC],
    getKeys: () => [{ index: 1, flags: ["RO", "access"] }],
    group: "generic",
    since: "7.0.0",
    complexity: COMPLEXITY,
    summary: "Sort the elements in a list, set or sorted set. Read-only variant of SORT.",
    handler: sortCommand(true),
  },
];
