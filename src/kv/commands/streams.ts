/**
 * Stream commands (Redis's t_stream.c): XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM and XSETID.
 * XREAD and XREADGROUP are in `streams_read.ts`, consumer groups in `streams_groups.ts`,
 * XINFO in `streams_info.ts`. Values are {@link RedisStream}s.
 *
 * @module
 */

import { longArg } from "../../server/args.ts";
import type { Command } from "../../server/command.ts";
import { fail, SYNTAX } from "../../server/errors.ts";
import type { Reply } from "../../server/reply.ts";
import { keyAt, type KvCommand, type KvHandler } from "../command.ts";
import type { Database } from "../keyspace/keyspace.ts";
import { lookup } from "../lookup.ts";
import { RedisStream, type TrimOptions } from "../values/stream.ts";
import {
  compareIds,
  nextId,
  parseId,
  previousId,
  type StreamId,
  U64_MAX,
  ZERO_ID,
} from "../values/stream_id.ts";
import { type StreamNode, streamNodeLimits } from "../values/stream_node.ts";
import { encodeEntries, writeId } from "./streams_encode.ts";

/** Writes one entry as [id, [field, value, ...]]. */
export function writeEntry(reply: Reply, node: StreamNode, i: number): void {
  encodeEntries(reply, [node], [i], false);
}

/** Entries as parallel lists of nodes and their indexes. */
export interface Entries {
  /** The node of each entry. */
  readonly nodes: StreamNode[];
  /** The entry's index in its node. */
  readonly indexes: number[];
}

/** The entries of [start, end] (reverse order when `rev`), at most `count` (0: all). */
export function collect(
  stream: RedisStream,
  start: StreamId,
  end: StreamId,
  rev: boolean,
  count: number,
): Entries {
  const nodes: StreamNode[] = [], indexes: number[] = [];
  stream.range(start, end, rev, (node, i) => {
    nodes.push(node);
    indexes.push(i);
    return count === 0 || nodes.length < count;
  });
  return { nodes, indexes };
}

/** Writes entries as an array. */
export function writeEntries(reply: Reply, entries: Entries): void {
  encodeEntries(reply, entries.nodes, entries.indexes, true);
}

/** The stream at `key` or WRONGTYPE. */
export function streamAt(db: Database, key: string): RedisStream | undefined {
  return lookup<RedisStream>(db, key, "stream");
}

/** Whether argument `index` is exactly the one-character `c`. */
function isChar(command: Command, index: number, c: number): boolean {
  const arg = command.arg(index);
  return arg !== undefined && arg.length === 1 && arg[0] === c;
}

/** Parsed XADD/XTRIM options (Redis `streamParseAddOrTrimArgsOrReply`). */
interface AddTrimArgs {
  trim: TrimOptions | undefined;
  noMkStream: boolean;
  /** Argument index of the ID (XADD). */
  idIndex: number;
  id: StreamId | undefined;
  seqGiven: boolean;
}

const BOTH_STRATEGIES =
  "ERR syntax error, MAXLEN and MINID options at the same time are not compatible";

function parseAddOrTrim(command: Command, xadd: boolean): AddTrimArgs {
  let strategy: "maxlen" | "minid" | undefined;
  let approx = false, maxlen = 0, minid: StreamId = ZERO_ID, limit = 0, limitGiven = false;
  let noMkStream = false, id: StreamId | undefined, seqGiven = true;
  let i = 1;
  for (; i < command.length; i++) {
    const more = command.length - 1 - i;
    if (xadd && isChar(command, i, 42)) break;
    if ((command.is(i, "maxlen") || command.is(i, "minid")) && more > 0) {
      if (strategy !== undefined) fail(BOTH_STRATEGIES);
      const isMaxlen = command.is(i, "maxlen");
      approx = false;
      if (more >= 2 && isChar(command, i + 1, 126)) {
        approx = true;
        i++;
      } else if (more >= 2 && isChar(command, i + 1, 61)) i++;
      if (isMaxlen) {
        maxlen = longArg(command, i + 1);
        if (maxlen < 0) fail("ERR The MAXLEN argument must be >= 0.");
      } else {
        minid = parseId(command.arg(i + 1)!, 0, true);
      }
      i++;
      strategy = isMaxlen ? "maxlen" : "minid";
    } else if (command.is(i, "limit") && more > 0) {
      limit = longArg(command, i + 1);
      if (limit < 0) fail("ERR The LIMIT argument must be >= 0.");
      limitGiven = true;
      i++;
    } else if (xadd && command.is(i, "nomkstream")) {
      noMkStream = true;
    } else if (xadd) {
      const parsed = parseId(command.arg(i)!, 0, true, true);
      id = parsed;
      seqGiven = parsed.seqGiven;
      break;
    } else {
      fail(SYNTAX);
    }
  }
  if (limit && strategy === undefined) {
    fail("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
  }
  if (!xadd && strategy === undefined) {
    fail("ERR syntax error, XTRIM must be called with a trimming strategy");
  }
  if (limitGiven) {
    if (!approx) fail("ERR syntax error, LIMIT cannot be used without the special ~ option");
  } else {
    // Redis caps `~` trimming at 100 nodes' worth of entries (10000 when that is 0).
    limit = approx ? Math.min(100 * streamNodeLimits.maxEntries || 10000, 1000000) : 0;
  }
  const trim = strategy === undefined ? undefined : { strategy, maxlen, minid, approx, limit };
  return { trim, noMkStream, idIndex: i, id, seqGiven };
}

/** The ID XADD adds (Redis `streamAppendItem`'s first half), or throws. */
function newId(stream: RedisStream, given: StreamId | undefined, seqGiven: boolean, now: number) {
  const last = stream.lastId;
  let id: StreamId | undefined;
  if (given !== undefined) {
    if (seqGiven) id = given;
    else if (last.ms === given.ms) {
      // Redis returns C_ERR here without setting errno: XADD reports the size error.
      if (last.seq === U64_MAX) fail("ERR Elements are too large to be stored");
      id = nextId(last);
    } else id = given;
  } else if (now > last.ms) id = { ms: now, seq: 0 };
  else id = nextId(last);
  if (id === undefined || compareIds(id, last) <= 0) {
    fail("ERR The ID specified in XADD is equal or smaller than the target stream top item");
  }
  return id;
}

/** XADD's options when its first argument after the key is the ID `*` (the common form). */
const PLAIN_ADD: AddTrimArgs = {
  trim: undefined,
  noMkStream: false,
  idIndex: 1,
  id: undefined,
  seqGiven: true,
};

const xadd: KvHandler = (db, key, command, reply, connection) => {
  const args = isChar(command, 1, 42) ? PLAIN_ADD : parseAddOrTrim(command, true);
  // The fields and values are the request's own arguments from `from` on (argv counts the name).
  const argv = command.argv;
  const from = args.idIndex + 2;
  const rest = argv.length - from;
  if (rest < 2 || rest % 2 === 1) fail("ERR wrong number of arguments for 'xadd' command");
  const given = args.id;
  if (given !== undefined && args.seqGiven && given.ms === 0 && given.seq === 0) {
    fail("ERR The ID specified in XADD must be greater than 0-0");
  }
  let stream = streamAt(db, key);
  const created = stream === undefined;
  if (stream === undefined) {
    if (args.noMkStream) return reply.null();
    stream = new RedisStream();
  }
  if (stream.lastId.ms === U64_MAX && stream.lastId.seq === U64_MAX) {
    fail("ERR The stream has exhausted the last possible ID, unable to add more items");
  }
  let total = 0;
  for (let k = from; k < argv.length; k++) total += argv[k].length;
  if (total > 0xffffffff) fail("ERR Elements are too large to be stored");
  const id = newId(stream, given, args.seqGiven, db.keyspace.now());
  if (created) db.set(key, stream);
  stream.append(id, argv, from);
  writeId(reply, id);
  db.touch(key); // `xadd`, then `xtrim` if trimming deleted entries (Redis's order)
  if (args.trim !== undefined && stream.trim(args.trim) > 0) db.notify("t", "xtrim", key);
  db.signalReady(key);
  if (!connection.inTransaction) db.keyspace.blocking.serve();
};

/** XRANGE / XREVRANGE. */
function xrange(rev: boolean): KvHandler {
  return (db, key, command, reply) => {
    const startArg = command.arg(rev ? 2 : 1)!, endArg = command.arg(rev ? 1 : 2)!;
    let start = parseInterval(startArg, 0);
    if (start.exclusive) {
      const next = nextId(start.id);
      if (next === undefined) fail("ERR invalid start ID for the interval");
      start = { id: next, exclusive: true };
    }
    let end = parseInterval(endArg, U64_MAX);
    if (end.exclusive) {
      const previous = previousId(end.id);
      if (previous === undefined) fail("ERR invalid end ID for the interval");
      end = { id: previous, exclusive: true };
    }
    let count = -1;
    for (let j = 3; j < command.length; j++) {
      if (command.is(j, "count") && command.length - j - 1 >= 1) {
        count = longArg(command, j + 1);
        if (count < 0) count = 0;
        j++;
      } else fail(SYNTAX);
    }
    const stream = streamAt(db, key);
    if (stream === undefined) return reply.arrayHeader(0);
    if (count === 0) return reply.nullArray();
    writeEntries(reply, collect(stream, start.id, end.id, rev, count === -1 ? 0 : count));
  };
}

/** A range bound: `(` makes it exclusive (then `-`/`+` are refused). */
function parseInterval(arg: Uint8Array, missingSeq: number | bigint) {
  const exclusive = arg.length > 1 && arg[0] === 40;
  const id = exclusive
    ? parseId(arg.subarray(1), missingSeq, true)
    : parseId(arg, missingSeq, false);
  return { id: id as StreamId, exclusive };
}

const xdel: KvHandler = (db, key, command, reply) => {
  const stream = streamAt(db, key);
  if (stream === undefined) return reply.integer(0);
  const ids: StreamId[] = [];
  for (let j = 1; j < command.length; j++) ids.push(parseId(command.arg(j)!, 0, true));
  const deleted: StreamId[] = [];
  for (const id of ids) if (stream.delete(id)) deleted.push(id);
  stream.afterDelete(deleted);
  if (deleted.length > 0) db.touch(key);
  reply.integer(deleted.length);
};

const xtrim: KvHandler = (db, key, command, reply) => {
  const args = parseAddOrTrim(command, false);
  const stream = streamAt(db, key);
  if (stream === undefined) return reply.integer(0);
  const deleted = stream.trim(args.trim!);
  if (deleted > 0) db.touch(key);
  reply.integer(deleted);
};

const xsetid: KvHandler = (db, key, command, reply) => {
  const id = parseId(command.arg(1)!, 0, true);
  let entriesAdded = -1;
  let maxDeleted: StreamId = ZERO_ID;
  for (let i = 2; i < command.length;) {
    const more = command.length - 1 - i;
    if (command.is(i, "entriesadded") && more > 0) {
      entriesAdded = longArg(command, i + 1);
      if (entriesAdded < 0) fail("ERR entries_added must be positive");
    } else if (command.is(i, "maxdeletedid") && more > 0) {
      maxDeleted = parseId(command.arg(i + 1)!, 0, true);
      if (compareIds(id, maxDeleted) < 0) {
        fail(
          "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id",
        );
      }
    } else fail(SYNTAX);
    i += 2;
  }
  const stream = streamAt(db, key);
  if (stream === undefined) fail("ERR no such key");
  if (stream.length > 0) {
    if (compareIds(id, stream.lastValidId()) < 0) {
      fail("ERR The ID specified in XSETID is smaller than the target stream top item");
    }
    if (entriesAdded !== -1 && stream.length > entriesAdded) {
      fail("ERR The entries_added specified in XSETID is smaller than the target stream length");
    }
  }
  stream.lastId = id;
  if (entriesAdded !== -1) stream.entriesAdded = entriesAdded;
  if (compareIds(maxDeleted, ZERO_ID) !== 0) stream.maxDeletedId = maxDeleted;
  db.touch(key);
  reply.status("OK");
};

/** The stream commands beside reads, groups and XINFO. */
export const streamCommands: readonly KvCommand[] = [
  {
    name: "xadd",
    arity: -5,
    flags: ["write", "denyoom", "fast"],
    acl: ["stream"],
    keys: [{
      flags: ["RW", "update"],
      begin: { index: 1 },
      find: { lastKey: 0, step: 1, limit: 0 },
      notes: "UPDATE instead of INSERT because of the optional trimming feature",
    }],
    group: "stream",
    since: "5.0.0",
    complexity:
      "O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.",
    summary: "Appends a new entry to a stream",
    history: [
      ["6.2.0", "Added the `NOMKSTREAM` option, `MINID` trimming strategy and the `LIMIT` option."],
      ["7.0.0", "Added support for the `<ms>-*` explicit ID form."],
    ],
    tips: ["nondeterministic_output"],
    handler: xadd,
  },
  {
    name: "xrange",
    arity: -4,
    flags: ["readonly"],
    acl: ["stream"],
    keys: [keyAt(1, "RO", "access")],
    group: "stream",
    since: "5.0.0",
    complexity:
      "O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
    summary: "Return a range of elements in a stream, with IDs matching the specified IDs interval",
    history: [["6.2.0", "Added exclusive ranges."]],
    handler: xrange(false),
  },
  {
    name: "xrevrange",
    arity: -4,
    flags: ["readonly"],
    acl: ["stream"],
    keys: [keyAt(1, "RO", "access")],
    group: "stream",
    since: "5.0.0",
    complexity:
      "O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
    summary:
      "Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE",
    history: [["6.2.0", "Added exclusive ranges."]],
    handler: xrange(true),
  },
  {
    name: "xlen",
    arity: 2,
    flags: ["readonly", "fast"],
    acl: ["stream"],
    keys: [keyAt(1, "RO")],
    group: "stream",
    since: "5.0.0",
    complexity: "O(1)",
    summary: "Return the number of entries in a stream",
    handler: (db, key, _command, reply) => reply.integer(streamAt(db, key)?.length ?? 0),
  },
  {
    name: "xdel",
    arity: -3,
    flags: ["write", "fast"],
    acl: ["stream"],
    keys: [keyAt(1, "RW", "delete")],
    group: "stream",
    since: "5.0.0",
    complexity: "O(1) for each single item to delete in the stream, regardless of the stream size.",
    summary:
      "Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist.",
    handler: xdel,
  },
  {
    name: "xtrim",
    arity: -4,
    flags: ["write"],
    acl: ["stream"],
    keys: [keyAt(1, "RW", "delete")],
    group: "stream",
    since: "5.0.0",
    complexity:
      "O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.",
    summary: "Trims the stream to (approximately if '~' is passed) a certain size",
    history: [["6.2.0", "Added the `MINID` trimming strategy and the `LIMIT` option."]],
    tips: ["nondeterministic_output"],
    handler: xtrim,
  },
  {
    name: "xsetid",
    arity: -3,
    flags: ["write", "denyoom", "fast"],
    acl: ["stream"],
    keys: [keyAt(1, "RW", "update")],
    group: "stream",
    since: "5.0.0",
    complexity: "O(1)",
    summary: "An internal command for replicating stream values",
    history: [["7.0.0", "Added the `entries_added` and `max_deleted_entry_id` arguments."]],
    handler: xsetid,
  },
];
