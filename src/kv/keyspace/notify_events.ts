/**
 * The keyspace events of every key-value command, as Redis 7.0 publishes them (derived from
 * the `notifyKeyspaceEvent` calls of Redis's `t_*.c`, `db.c`, `bitops.c`, `geo.c`,
 * `hyperloglog.c`): for each command, the event of a key it changes. A command's table
 * entry may declare its own (`KvCommand.notify`); this table covers the rest. Events the
 * keyspace reports by itself need no entry: `del` for a deleted key, `expire` / `persist` for
 * TTLs, `new`, `expired`.
 *
 * @module
 */

import { bytesToLatin1 } from "../../resp/bytes.ts";
import type { KeyEventSpec, NotifyDeclaration } from "./notify.ts";

function ev(type: string, event: string, onDelete?: KeyEventSpec["onDelete"]): KeyEventSpec {
  return onDelete === undefined ? { type, event } : { type, event, onDelete };
}

/** A pop that may empty its key: the event, then `del`. */
function pop(type: string, event: string): KeyEventSpec {
  return ev(type, event, "event+del");
}

/** A command whose pop direction is the argument at `at`: `word` (LEFT, MIN) or not. */
function popBy(
  type: string,
  at: (argv: readonly Uint8Array[]) => number,
  word: string,
  yes: string,
  no: string,
): NotifyDeclaration {
  const first = pop(type, yes), second = pop(type, no);
  return (argv) => {
    const given = argv[at(argv)];
    return given !== undefined && bytesToLatin1(given).toLowerCase() === word ? first : second;
  };
}

function isArg(argv: readonly Uint8Array[], index: number, key: string): boolean {
  return argv[index] !== undefined && bytesToLatin1(argv[index]) === key;
}

/**
 * LMOVE-like: `pop` on the source (argv[1]), `push` on the destination (argv[2]); a list
 * rotated onto itself gets both, the push first.
 */
function move(
  popFrom: (argv: readonly Uint8Array[]) => string,
  pushTo: (argv: readonly Uint8Array[]) => string,
): NotifyDeclaration {
  return (argv, key) => {
    const source = isArg(argv, 1, key), destination = isArg(argv, 2, key);
    if (source && destination) return [ev("l", pushTo(argv), "event+del"), ev("l", popFrom(argv))];
    return source ? pop("l", popFrom(argv)) : ev("l", pushTo(argv));
  };
}

function side(word: Uint8Array | undefined, l: string, r: string): string {
  return word !== undefined && (word[0] | 0x20) === 0x6c ? l : r;
}

/**
 * A store command: its event on the destination (the sources are not changed), `del` alone
 * when an empty result deletes it.
 */
function store(type: string, event: string): KeyEventSpec {
  return ev(type, event);
}

/** The LMPOP / ZMPOP direction: the word after the keys. */
function mpopWhere(first: number): (argv: readonly Uint8Array[]) => number {
  return (argv) => {
    const count = Number(bytesToLatin1(argv[first]));
    return first + 1 + (Number.isSafeInteger(count) ? count : 0);
  };
}

/** Events by command name (subcommands as `parent|sub`). */
export const COMMAND_EVENTS: Readonly<Record<string, NotifyDeclaration>> = {
  // Strings
  set: ev("$", "set"),
  setnx: ev("$", "set"),
  setex: ev("$", "set"),
  psetex: ev("$", "set"),
  getset: ev("$", "set"),
  mset: ev("$", "set"),
  msetnx: ev("$", "set"),
  append: ev("$", "append"),
  setrange: ev("$", "setrange"),
  incr: ev("$", "incrby"),
  decr: ev("$", "incrby"),
  incrby: ev("$", "incrby"),
  decrby: ev("$", "incrby"),
  incrbyfloat: ev("$", "incrbyfloat"),
  setbit: ev("$", "setbit"),
  bitfield: ev("$", "setbit"),
  bitop: store("$", "set"),
  pfadd: ev("$", "pfadd"),
  pfmerge: store("$", "pfadd"),
  // Keys
  rename: (argv, key) =>
    isArg(argv, 1, key)
      ? ev("g", "rename_from", "event")
      : { type: "g", event: "rename_to", onDelete: "none", last: true },
  renamenx: (argv, key) =>
    isArg(argv, 1, key)
      ? ev("g", "rename_from", "event")
      : { type: "g", event: "rename_to", onDelete: "none", last: true },
  copy: ev("g", "copy_to", "none"),
  move: (argv, _key, db) =>
    bytesToLatin1(argv[2]) === String(db)
      ? { type: "g", event: "move_to", onDelete: "none", last: true }
      : ev("g", "move_from", "event"),
  restore: ev("g", "restore"),
  sort: ev("l", "sortstore"),
  // Lists
  lpush: ev("l", "lpush"),
  lpushx: ev("l", "lpush"),
  rpush: ev("l", "rpush"),
  rpushx: ev("l", "rpush"),
  linsert: ev("l", "linsert"),
  lset: ev("l", "lset"),
  lrem: pop("l", "lrem"),
  ltrim: pop("l", "ltrim"),
  lpop: pop("l", "lpop"),
  rpop: pop("l", "rpop"),
  blpop: pop("l", "lpop"),
  brpop: pop("l", "rpop"),
  lmpop: popBy("l", mpopWhere(1), "left", "lpop", "rpop"),
  blmpop: popBy("l", mpopWhere(2), "left", "lpop", "rpop"),
  rpoplpush: move(() => "rpop", () => "lpush"),
  brpoplpush: move(() => "rpop", () => "lpush"),
  lmove: move((a) => side(a[3], "lpop", "rpop"), (a) => side(a[4], "lpush", "rpush")),
  blmove: move((a) => side(a[3], "lpop", "rpop"), (a) => side(a[4], "lpush", "rpush")),
  // Hashes
  hset: ev("h", "hset"),
  hmset: ev("h", "hset"),
  hsetnx: ev("h", "hset"),
  hdel: pop("h", "hdel"),
  hincrby: ev("h", "hincrby"),
  hincrbyfloat: ev("h", "hincrbyfloat"),
  // Sets
  sadd: ev("s", "sadd"),
  srem: pop("s", "srem"),
  spop: pop("s", "spop"),
  smove: (argv, key) => (isArg(argv, 1, key) ? pop("s", "srem") : ev("s", "sadd")),
  sinterstore: store("s", "sinterstore"),
  sunionstore: store("s", "sunionstore"),
  sdiffstore: store("s", "sdiffstore"),
  // Sorted sets
  zadd: (argv) => {
    for (let i = 2; i < argv.length; i++) {
      const a = argv[i];
      if (a.length === 4 && bytesToLatin1(a).toLowerCase() === "incr") return ev("z", "zincr");
    }
    return ev("z", "zadd");
  },
  zincrby: ev("z", "zincr"),
  zrem: pop("z", "zrem"),
  zremrangebyrank: pop("z", "zremrangebyrank"),
  zremrangebyscore: pop("z", "zremrangebyscore"),
  zremrangebylex: pop("z", "zremrangebylex"),
  zpopmin: pop("z", "zpopmin"),
  zpopmax: pop("z", "zpopmax"),
  bzpopmin: pop("z", "zpopmin"),
  bzpopmax: pop("z", "zpopmax"),
  zmpop: popBy("z", mpopWhere(1), "min", "zpopmin", "zpopmax"),
  bzmpop: popBy("z", mpopWhere(2), "min", "zpopmin", "zpopmax"),
  zunionstore: store("z", "zunionstore"),
  zinterstore: store("z", "zinterstore"),
  zdiffstore: store("z", "zdiffstore"),
  zrangestore: store("z", "zrangestore"),
  geoadd: ev("z", "zadd"),
  geosearchstore: store("z", "geosearchstore"),
  georadius: store("z", "georadiusstore"),
  georadiusbymember: store("z", "georadiusstore"),
  // Streams
  xadd: ev("t", "xadd"),
  xdel: ev("t", "xdel"),
  xtrim: ev("t", "xtrim"),
  xsetid: ev("t", "xsetid"),
  "xgroup|create": ev("t", "xgroup-create"),
  "xgroup|setid": ev("t", "xgroup-setid"),
  "xgroup|destroy": ev("t", "xgroup-destroy"),
  "xgroup|createconsumer": ev("t", "xgroup-createconsumer"),
  "xgroup|delconsumer": ev("t", "xgroup-delconsumer"),
};

/** Commands whose TTL changes publish nothing (they move a key with its TTL). */
export const QUIET_TTL: ReadonlySet<string> = new Set([
  "rename",
  "renamenx",
  "move",
  "copy",
  "restore",
]);
