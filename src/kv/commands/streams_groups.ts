/**
 * Consumer-group commands (Redis's t_stream.c): XGROUP (CREATE, SETID, DESTROY,
 * CREATECONSUMER, DELCONSUMER, HELP), XACK, XPENDING, XCLAIM and XAUTOCLAIM. Reading with a
 * group is XREADGROUP, in `streams_read.ts`.
 *
 * @module
 */

import { longArg } from "../../server/args.ts";
import type { Command } from "../../server/command.ts";
import { cText, fail, SYNTAX } from "../../server/errors.ts";
import type { Reply } from "../../server/reply.ts";
import { keyAt, type KvCommand, type KvHandler } from "../command.ts";
import { keyBytes, keyOf, keyText } from "../keyspace/encoding.ts";
import type { Database } from "../keyspace/keyspace.ts";
import { RedisStream } from "../values/stream.ts";
import { type Consumer, ConsumerGroup, type Nack } from "../values/stream_group.ts";
import {
  compareIds,
  formatId,
  MAX_ID,
  nextId,
  parseId,
  previousId,
  type StreamId,
  U64_MAX,
  ZERO_ID,
} from "../values/stream_id.ts";
import { collect, streamAt, writeEntry } from "./streams.ts";

/** `addReplySubcommandSyntaxError` for XGROUP or XINFO. */
export function subcommandError(command: Command, parent: string): never {
  const sub = cText(command.arg(0), 128);
  return fail(
    `ERR unknown subcommand or wrong number of arguments for '${sub}'. Try ${parent} HELP.`,
  );
}

/** Writes a HELP reply: `<PARENT> <subcommand> ...` then `lines`, then HELP's own lines. */
export function helpReply(reply: Reply, parent: string, lines: readonly string[]): void {
  reply.arrayHeader(lines.length + 3);
  reply.status(`${parent} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
  for (const line of lines) reply.status(line);
  reply.status("HELP");
  reply.status("    Prints this help.");
}

/**
 * The consumer `name` of `group` (of the stream at `key`), seen at `now`; created when
 * missing, which publishes `xgroup-createconsumer` (Redis's streamCreateConsumer as
 * XREADGROUP, XCLAIM and XAUTOCLAIM call it).
 */
export function consumerOf(
  db: Database,
  key: string,
  group: ConsumerGroup,
  name: string,
  now: number,
): Consumer {
  const { consumer, created } = group.consumer(name, now);
  consumer.seenTime = now;
  if (created) db.notify("t", "xgroup-createconsumer", key);
  return consumer;
}

/** NOGROUP for a missing key or group (XPENDING, XCLAIM, XAUTOCLAIM). */
function noGroup(key: string, group: string): never {
  return fail(`NOGROUP No such key '${keyText(key)}' or consumer group '${keyText(group)}'`);
}

/** The group of `key`, or the NOGROUP error. */
function groupOf(db: Database, key: string, name: string): [RedisStream, ConsumerGroup] {
  const stream = streamAt(db, key);
  const group = stream?.groups.get(name);
  if (stream === undefined || group === undefined) noGroup(key, name);
  return [stream, group];
}

/** Drops a pending entry from its group and its consumer. */
function dropNack(group: ConsumerGroup, nack: Nack): void {
  group.pending.delete(nack.id);
  nack.consumer?.pending.delete(nack.id);
}

/** Gives `nack` to `consumer` (XCLAIM, XAUTOCLAIM). */
function assign(nack: Nack, consumer: Consumer): void {
  if (nack.consumer === consumer) return;
  nack.consumer?.pending.delete(nack.id);
  consumer.pending.add(nack);
  nack.consumer = consumer;
}

const XGROUP_HELP = [
  "CREATE <key> <groupname> <id|$> [option]",
  "    Create a new consumer group. Options are:",
  "    * MKSTREAM",
  "      Create the empty stream if it does not exist.",
  "    * ENTRIESREAD entries_read",
  "      Set the group's entries_read counter (internal use).",
  "CREATECONSUMER <key> <groupname> <consumer>",
  "    Create a new consumer in the specified group.",
  "DELCONSUMER <key> <groupname> <consumer>",
  "    Remove the specified consumer.",
  "DESTROY <key> <groupname>",
  "    Remove the specified group.",
  "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
  "    Set the current group ID and entries_read counter.",
];

/** What every XGROUP subcommand with a key does first (Redis `xgroupCommand`'s prologue). */
function xgroupPrologue(db: Database, key: string, command: Command) {
  const create = command.is(0, "create"), setid = command.is(0, "setid");
  let mkstream = false, entriesRead = -1;
  for (let i = 4; i < command.length;) {
    if (create && command.is(i, "mkstream")) {
      mkstream = true;
      i++;
    } else if ((create || setid) && command.is(i, "entriesread") && i + 1 < command.length) {
      entriesRead = longArg(command, i + 1);
      if (entriesRead < 0 && entriesRead !== -1) {
        fail("ERR value for ENTRIESREAD must be positive or -1");
      }
      i += 2;
    } else subcommandError(command, "XGROUP");
  }
  const stream = streamAt(db, key);
  const name = keyOf(command.arg(2)!);
  let group: ConsumerGroup | undefined;
  if (!mkstream) {
    if (stream === undefined) {
      fail(
        "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.",
      );
    }
    group = stream.groups.get(name);
    if (group === undefined && !create && !command.is(0, "destroy")) {
      fail(`NOGROUP No such consumer group '${keyText(name)}' for key name '${keyText(key)}'`);
    }
  }
  return { stream, group, name, entriesRead };
}

/** `$` or an ID (XGROUP CREATE / SETID). */
function groupStartId(arg: Uint8Array, stream: RedisStream | undefined, strict: boolean) {
  if (arg.length === 1 && arg[0] === 36) return stream?.lastId ?? ZERO_ID;
  return parseId(arg, 0, strict) as StreamId;
}

const xgroupCreate: KvHandler = (db, key, command, reply) => {
  let { stream, name, entriesRead } = xgroupPrologue(db, key, command);
  if (command.length > 7) subcommandError(command, "XGROUP");
  const id = groupStartId(command.arg(3)!, stream, true);
  if (stream === undefined) {
    stream = new RedisStream();
    db.set(key, stream);
  }
  if (stream.groups.has(name)) fail("BUSYGROUP Consumer Group name already exists");
  stream.groups.set(name, new ConsumerGroup(id, entriesRead));
  db.touch(key);
  reply.status("OK");
};

const xgroupSetid: KvHandler = (db, key, command, reply) => {
  const { stream, group, entriesRead } = xgroupPrologue(db, key, command);
  if (command.length !== 4 && command.length !== 6) subcommandError(command, "XGROUP");
  const id = groupStartId(command.arg(3)!, stream, false);
  group!.lastId = id;
  group!.entriesRead = entriesRead;
  db.touch(key);
  reply.status("OK");
};

const xgroupDestroy: KvHandler = (db, key, command, reply, connection) => {
  const { stream, group, name } = xgroupPrologue(db, key, command);
  if (group === undefined) return reply.integer(0);
  stream!.groups.delete(name);
  db.touch(key);
  reply.integer(1);
  db.signalReady(key);
  if (!connection.inTransaction) db.keyspace.blocking.serve();
};

const xgroupCreateConsumer: KvHandler = (db, key, command, reply) => {
  const { group } = xgroupPrologue(db, key, command);
  const { created } = group!.consumer(keyOf(command.arg(3)!), db.keyspace.now());
  if (created) db.touch(key);
  reply.integer(created ? 1 : 0);
};

const xgroupDelConsumer: KvHandler = (db, key, command, reply) => {
  const { group } = xgroupPrologue(db, key, command);
  const name = keyOf(command.arg(3)!);
  const known = group!.consumers.has(name);
  const pending = group!.deleteConsumer(name);
  if (known) db.touch(key);
  reply.integer(pending);
};

const xack: KvHandler = (db, key, command, reply) => {
  const group = streamAt(db, key)?.groups.get(keyOf(command.arg(1)!));
  if (group === undefined) return reply.integer(0);
  const ids: StreamId[] = [];
  for (let j = 2; j < command.length; j++) ids.push(parseId(command.arg(j)!, 0, true));
  let acknowledged = 0;
  for (const id of ids) {
    const nack = group.pending.get(id);
    if (nack === undefined) continue;
    dropNack(group, nack);
    acknowledged++;
  }
  if (acknowledged > 0) db.touch(key);
  reply.integer(acknowledged);
};

/** A range bound of XPENDING / XAUTOCLAIM: `(` excludes it. */
function bound(arg: Uint8Array, missingSeq: number | bigint, start: boolean): StreamId {
  const exclusive = arg.length > 1 && arg[0] === 40;
  const id: StreamId = exclusive
    ? parseId(arg.subarray(1), missingSeq, true)
    : parseId(arg, missingSeq, false);
  if (!exclusive) return id;
  const moved = start ? nextId(id) : previousId(id);
  if (moved === undefined) {
    fail(start ? "ERR invalid start ID for the interval" : "ERR invalid end ID for the interval");
  }
  return moved;
}

const xpending: KvHandler = (db, key, command, reply) => {
  const n = command.length;
  if (n !== 2 && (n < 5 || n > 8)) fail(SYNTAX);
  let start: StreamId = ZERO_ID, end: StreamId = MAX_ID;
  let count = 0, minIdle = 0;
  let consumerName: string | undefined;
  if (n >= 5) {
    let at = 2;
    if (command.is(2, "idle")) {
      minIdle = longArg(command, 3);
      if (n < 7) fail(SYNTAX);
      at += 2;
    }
    count = longArg(command, at + 2);
    if (count < 0) count = 0;
    start = bound(command.arg(at)!, 0, true);
    end = bound(command.arg(at + 1)!, U64_MAX, false);
    if (at + 3 < n) consumerName = keyOf(command.arg(at + 3)!);
  }
  const [, group] = groupOf(db, key, keyOf(command.arg(1)!));
  if (n === 2) {
    reply.arrayHeader(4);
    reply.integer(group.pending.size);
    const edges = group.pending.edges();
    if (edges === undefined) {
      reply.null();
      reply.null();
      reply.nullArray();
      return;
    }
    reply.bulk(formatId(edges[0].id));
    reply.bulk(formatId(edges[1].id));
    const owners = [...group.consumers.values()].filter((c) => c.pending.size > 0)
      .sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    reply.arrayHeader(owners.length);
    for (const owner of owners) {
      reply.arrayHeader(2);
      reply.bulk(keyBytes(owner.name));
      reply.bulk(String(owner.pending.size));
    }
    return;
  }
  let pel = group.pending;
  if (consumerName !== undefined) {
    const consumer = group.consumers.get(consumerName);
    if (consumer === undefined) return reply.arrayHeader(0);
    pel = consumer.pending;
  }
  const now = db.keyspace.now();
  const out: Nack[] = [];
  if (count > 0) {
    for (const nack of pel.range(start, end)) {
      if (minIdle && now - nack.deliveryTime < minIdle) continue;
      out.push(nack);
      if (out.length >= count) break;
    }
  }
  reply.arrayHeader(out.length);
  for (const nack of out) {
    reply.arrayHeader(4);
    reply.bulk(formatId(nack.id));
    reply.bulk(keyBytes(nack.consumer.name));
    reply.integer(Math.max(0, now - nack.deliveryTime));
    reply.integer(nack.deliveryCount);
  }
};

/** Writes the entry `id` (it exists). */
function writeEntryById(reply: Reply, stream: RedisStream, id: StreamId): void {
  const found = collect(stream, id, id, false, 1);
  writeEntry(reply, found.nodes[0], found.indexes[0]);
}

const xclaim: KvHandler = (db, key, command, reply) => {
  const groupName = keyOf(command.arg(1)!);
  const [stream, group] = groupOf(db, key, groupName);
  let minIdle = longArg(command, 3, "ERR Invalid min-idle-time argument for XCLAIM");
  if (minIdle < 0) minIdle = 0;
  const ids: StreamId[] = [];
  let j = 4;
  for (; j < command.length; j++) {
    try {
      ids.push(parseId(command.arg(j)!, 0, true));
    } catch {
      break;
    }
  }
  const now = db.keyspace.now();
  let lastId: StreamId = ZERO_ID, retryCount = -1, deliveryTime = -1;
  let force = false, justId = false;
  for (; j < command.length; j++) {
    const more = command.length - 1 - j;
    if (command.is(j, "force")) force = true;
    else if (command.is(j, "justid")) justId = true;
    else if (command.is(j, "idle") && more > 0) {
      deliveryTime = now - longArg(command, ++j, "ERR Invalid IDLE option argument for XCLAIM");
    } else if (command.is(j, "time") && more > 0) {
      deliveryTime = longArg(command, ++j, "ERR Invalid TIME option argument for XCLAIM");
    } else if (command.is(j, "retrycount") && more > 0) {
      retryCount = longArg(command, ++j, "ERR Invalid RETRYCOUNT option argument for XCLAIM");
    } else if (command.is(j, "lastid") && more > 0) {
      lastId = parseId(command.arg(++j)!, 0, true);
    } else fail(`ERR Unrecognized XCLAIM option '${cText(command.arg(j))}'`);
  }
  if (compareIds(lastId, group.lastId) > 0) group.lastId = lastId;
  if (deliveryTime === -1 || deliveryTime < 0 || deliveryTime > now) deliveryTime = now;
  const consumerName = keyOf(command.arg(2)!);
  let consumer: Consumer | undefined;
  const claimed: StreamId[] = [];
  for (const id of ids) {
    let nack = group.pending.get(id);
    if (!stream.has(id)) {
      if (nack !== undefined) dropNack(group, nack);
      continue;
    }
    if (force && nack === undefined) {
      nack = { id, consumer: undefined as unknown as Consumer, deliveryTime: 0, deliveryCount: 0 };
      group.pending.add(nack);
    }
    if (nack === undefined) continue;
    if (nack.consumer !== undefined && minIdle && now - nack.deliveryTime < minIdle) continue;
    consumer ??= consumerOf(db, key, group, consumerName, now);
    nack.deliveryTime = deliveryTime;
    if (retryCount >= 0) nack.deliveryCount = retryCount;
    else if (!justId) nack.deliveryCount++;
    assign(nack, consumer);
    claimed.push(id);
  }
  db.touch(key);
  reply.arrayHeader(claimed.length);
  for (const id of claimed) {
    if (justId) reply.bulk(formatId(id));
    else writeEntryById(reply, stream, id);
  }
};

/** The first pending entry at or after `from`. */
function firstFrom(group: ConsumerGroup, from: StreamId): Nack | undefined {
  return group.pending.range(from, MAX_ID).next().value ?? undefined;
}

const xautoclaim: KvHandler = (db, key, command, reply) => {
  let minIdle = longArg(command, 3, "ERR Invalid min-idle-time argument for XAUTOCLAIM");
  if (minIdle < 0) minIdle = 0;
  const start = bound(command.arg(4)!, 0, true);
  let count = 100, justId = false;
  for (let j = 5; j < command.length; j++) {
    const more = command.length - 1 - j;
    if (command.is(j, "count") && more > 0) {
      const value = longArg(command, j + 1, "ERR COUNT must be > 0");
      if (value < 1 || value > 576460752303423487) fail("ERR COUNT must be > 0");
      count = value;
      j++;
    } else if (command.is(j, "justid")) justId = true;
    else fail(SYNTAX);
  }
  const [stream, group] = groupOf(db, key, keyOf(command.arg(1)!));
  const now = db.keyspace.now();
  const consumerName = keyOf(command.arg(2)!);
  let consumer: Consumer | undefined;
  let attempts = count * 10;
  const claimed: StreamId[] = [];
  const deleted: StreamId[] = [];
  let cursor: Nack | undefined = firstFrom(group, start);
  let next: Nack | undefined;
  while (attempts-- > 0 && count > 0 && cursor !== undefined) {
    const nack: Nack = cursor;
    const after = nextId(nack.id);
    next = after === undefined ? undefined : firstFrom(group, after);
    if (!stream.has(nack.id)) {
      dropNack(group, nack);
      deleted.push(nack.id);
      count--;
      cursor = next;
      continue;
    }
    cursor = next;
    if (minIdle && now - nack.deliveryTime < minIdle) continue;
    consumer ??= consumerOf(db, key, group, consumerName, now);
    nack.deliveryTime = now;
    if (!justId) nack.deliveryCount++;
    assign(nack, consumer);
    claimed.push(nack.id);
    count--;
  }
  db.touch(key);
  reply.arrayHeader(3);
  reply.bulk(formatId(cursor?.id ?? ZERO_ID));
  reply.arrayHeader(claimed.length);
  for (const id of claimed) {
    if (justId) reply.bulk(formatId(id));
    else writeEntryById(reply, stream, id);
  }
  reply.arrayHeader(deleted.length);
  for (const id of deleted) reply.bulk(formatId(id));
};

const GROUP_META = { acl: ["stream"], group: "stream", since: "5.0.0" } as const;

/** XGROUP, XACK, XPENDING, XCLAIM and XAUTOCLAIM. */
export const streamGroupCommands: readonly KvCommand[] = [
  {
    name: "xgroup",
    arity: -2,
    flags: [],
    acl: [],
    group: "stream",
    since: "5.0.0",
    complexity: "Depends on subcommand.",
    summary: "A container for consumer groups commands",
    handler: () => undefined,
    subcommands: {
      create: {
        ...GROUP_META,
        arity: -5,
        flags: ["write", "denyoom"],
        keys: [keyAt(2, "RW", "insert")],
        complexity: "O(1)",
        summary: "Create a consumer group.",
        history: [["7.0.0", "Added the `entries_read` named argument."]],
        handler: xgroupCreate,
      },
      setid: {
        ...GROUP_META,
        arity: -5,
        flags: ["write"],
        keys: [keyAt(2, "RW", "update")],
        complexity: "O(1)",
        summary: "Set a consumer group to an arbitrary last delivered ID value.",
        history: [["7.0.0", "Added the optional `entries_read` argument."]],
        handler: xgroupSetid,
      },
      destroy: {
        ...GROUP_META,
        arity: 4,
        flags: ["write"],
        keys: [keyAt(2, "RW", "delete")],
        complexity:
          "O(N) where N is the number of entries in the group's pending entries list (PEL).",
        summary: "Destroy a consumer group.",
        handler: xgroupDestroy,
      },
      createconsumer: {
        ...GROUP_META,
        since: "6.2.0",
        arity: 5,
        flags: ["write", "denyoom"],
        keys: [keyAt(2, "RW", "insert")],
        complexity: "O(1)",
        summary: "Create a consumer in a consumer group.",
        handler: xgroupCreateConsumer,
      },
      delconsumer: {
        ...GROUP_META,
        arity: 5,
        flags: ["write"],
        keys: [keyAt(2, "RW", "delete")],
        complexity: "O(1)",
        summary: "Delete a consumer from a consumer group.",
        handler: xgroupDelConsumer,
      },
      help: {
        ...GROUP_META,
        arity: 2,
        flags: ["loading", "stale"],
        complexity: "O(1)",
        summary: "Show helpful text about the different subcommands",
        handler: (_db, _key, _command, reply) => helpReply(reply, "XGROUP", XGROUP_HELP),
      },
    },
  },
  {
    name: "xack",
    arity: -4,
    flags: ["write", "fast"],
    ...GROUP_META,
    keys: [keyAt(1, "RW", "update")],
    complexity: "O(1) for each message ID processed.",
    summary:
      "Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group. Return value of the command is the number of messages successfully acknowledged, that is, the IDs we were actually able to resolve in the PEL.",
    handler: xack,
  },
  {
    name: "xpending",
    arity: -3,
    flags: ["readonly"],
    ...GROUP_META,
    keys: [keyAt(1, "RO", "access")],
    complexity:
      "O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.",
    summary:
      "Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged.",
    history: [["6.2.0", "Added the `IDLE` option and exclusive range intervals."]],
    tips: ["nondeterministic_output"],
    handler: xpending,
  },
  {
    name: "xclaim",
    arity: -6,
    flags: ["write", "fast"],
    ...GROUP_META,
    keys: [keyAt(1, "RW", "update")],
    complexity: "O(log N) with N being the number of messages in the PEL of the consumer group.",
    summary:
      "Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered to the specified consumer.",
    tips: ["nondeterministic_output"],
    handler: xclaim,
  },
  {
    name: "xautoclaim",
    arity: -6,
    flags: ["write", "fast"],
    ...GROUP_META,
    since: "6.2.0",
    keys: [keyAt(1, "RW", "delete")],
    complexity: "O(1) if COUNT is small.",
    summary:
      "Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer.",
    history: [[
      "7.0.0",
      "Added an element to the reply array, containing deleted entries the command cleared from the PEL",
    ]],
    tips: ["nondeterministic_output"],
    handler: xautoclaim,
  },
];
