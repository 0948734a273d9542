/**
 * XREAD and XREADGROUP (Redis's `xreadCommand`), blocking on the keyspace's
 * {@link Blocking} when BLOCK is given and nothing is there yet: an XADD to one of the keys
 * serves the client (first blocked, first served), a deleted or retyped key answers
 * XREADGROUP clients `UNBLOCKED`, a dropped group `NOGROUP`.
 *
 * @module
 */

import { longArg } from "../../server/args.ts";
import type { Command } from "../../server/command.ts";
import type { Connection } from "../../server/connection.ts";
import { cText, fail, SYNTAX } from "../../server/errors.ts";
import type { Reply } from "../../server/reply.ts";
import type { KvCommand, KvHandler } from "../command.ts";
import { keyBytes, keyOf } from "../keyspace/encoding.ts";
import type { Database } from "../keyspace/keyspace.ts";
import type { RedisStream } from "../values/stream.ts";
import type { Consumer, ConsumerGroup } from "../values/stream_group.ts";
import {
  compareIds,
  formatId,
  MAX_ID,
  nextId,
  parseId,
  type StreamId,
  U64_MAX,
  ZERO_ID,
} from "../values/stream_id.ts";
import { collect, streamAt, writeEntries, writeEntry } from "./streams.ts";
import { consumerOf } from "./streams_groups.ts";

/** XREAD BLOCK's count when none is given (Redis's XREAD_BLOCKED_DEFAULT_COUNT). */
const BLOCKED_DEFAULT_COUNT = 1000;

/** What XREADGROUP reads for. */
interface GroupRead {
  readonly group: Uint8Array;
  readonly consumer: Uint8Array;
  readonly noack: boolean;
}

/** The ID `>` (new entries for the group). */
function isNewEntries(id: StreamId): boolean {
  return id.ms === U64_MAX && id.seq === U64_MAX;
}

/**
 * Delivers the entries after `start` to a group's consumer (Redis `streamReplyWithRange` with
 * a group): advances the group's last ID and entries-read, and records pending entries
 * unless NOACK.
 */
function deliver(
  reply: Reply,
  stream: RedisStream,
  group: ConsumerGroup,
  consumer: Consumer,
  start: StreamId,
  count: number,
  noack: boolean,
  now: number,
): void {
  const entries = collect(stream, start, MAX_ID, false, count);
  writeEntries(reply, entries);
  for (let j = 0; j < entries.nodes.length; j++) {
    const id = entries.nodes[j].id(entries.indexes[j]);
    if (compareIds(id, group.lastId) > 0) {
      if (group.entriesRead !== -1 && !stream.hasTombstonesFrom(id)) group.entriesRead++;
      else if (stream.entriesAdded) group.entriesRead = stream.entriesBefore(id);
      group.lastId = id;
    }
    if (noack) continue;
    const known = group.pending.get(id);
    if (known === undefined) {
      const nack = { id, consumer, deliveryTime: now, deliveryCount: 1 };
      group.pending.add(nack);
      consumer.pending.add(nack);
    } else {
      known.consumer.pending.delete(id);
      known.consumer = consumer;
      known.deliveryTime = now;
      known.deliveryCount = 1;
      consumer.pending.add(known);
    }
  }
}

/** A consumer's own pending entries from `start` (XREADGROUP with an ID other than `>`). */
function deliverHistory(
  reply: Reply,
  stream: RedisStream,
  consumer: Consumer,
  start: StreamId,
  count: number,
  now: number,
): void {
  const out: StreamId[] = [];
  for (const nack of consumer.pending.range(start, MAX_ID)) {
    if (count !== 0 && out.length >= count) break;
    out.push(nack.id);
  }
  reply.arrayHeader(out.length);
  for (const id of out) {
    const entry = collect(stream, id, id, false, 1);
    if (entry.nodes.length === 0) {
      reply.arrayHeader(2);
      reply.bulk(formatId(id));
      reply.nullArray();
      continue;
    }
    writeEntry(reply, entry.nodes[0], entry.indexes[0]);
    const nack = consumer.pending.get(id)!;
    nack.deliveryTime = now;
    nack.deliveryCount++;
  }
}

/** Writes one stream's part of the reply: [key, entries] in RESP2, key => entries in RESP3. */
function streamHeader(reply: Reply, key: Uint8Array): void {
  if (reply.protocol === 2) reply.arrayHeader(2);
  reply.bulk(key);
}

/** Parsed XREAD/XREADGROUP arguments. */
interface ReadArgs {
  timeout: number;
  count: number;
  keys: Uint8Array[];
  ids: StreamId[];
  group: GroupRead | undefined;
}

function parseRead(db: Database, command: Command, xreadgroup: boolean): ReadArgs {
  let timeout = -1, count = 0, streamsAt = 0, streams = 0;
  let group: Uint8Array | undefined, consumer: Uint8Array | undefined, noack = false;
  const name = xreadgroup ? "XREADGROUP" : "XREAD";
  for (let i = 0; i < command.length; i++) {
    const more = command.length - i - 1;
    if (command.is(i, "block") && more > 0) {
      i++;
      timeout = longArg(command, i, "ERR timeout is not an integer or out of range");
      if (timeout < 0) fail("ERR timeout is negative");
    } else if (command.is(i, "count") && more > 0) {
      i++;
      count = longArg(command, i);
      if (count < 0) count = 0;
    } else if (command.is(i, "streams") && more > 0) {
      streamsAt = i + 1;
      streams = command.length - streamsAt;
      if (streams % 2 !== 0) {
        fail(
          "ERR Unbalanced " + name +
            " list of streams: for each stream key an ID or '$' must be specified.",
        );
      }
      streams /= 2;
      break;
    } else if (command.is(i, "group") && more >= 2) {
      if (!xreadgroup) {
        fail("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
      }
      group = command.arg(i + 1);
      consumer = command.arg(i + 2);
      i += 2;
    } else if (command.is(i, "noack")) {
      if (!xreadgroup) {
        fail("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
      }
      noack = true;
    } else fail(SYNTAX);
  }
  if (streamsAt === 0) fail(SYNTAX);
  if (xreadgroup && group === undefined) fail("ERR Missing GROUP option for XREADGROUP");
  const keys: Uint8Array[] = [];
  const ids: StreamId[] = [];
  for (let j = 0; j < streams; j++) {
    const keyArg = command.arg(streamsAt + j)!;
    const key = keyOf(keyArg);
    const idArg = command.arg(streamsAt + streams + j)!;
    const stream = streamAt(db, key);
    if (group !== undefined && (stream === undefined || !stream.groups.has(keyOf(group)))) {
      fail(
        "NOGROUP No such key '" + cText(keyArg) + "' or consumer group '" + cText(group) +
          "' in XREADGROUP with GROUP option",
      );
    }
    keys.push(keyArg);
    if (idArg.length === 1 && idArg[0] === 36) {
      if (xreadgroup) {
        fail(
          "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.",
        );
      }
      ids.push(stream === undefined ? ZERO_ID : stream.lastId);
    } else if (idArg.length === 1 && idArg[0] === 62) {
      if (!xreadgroup) {
        fail(
          "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.",
        );
      }
      ids.push(MAX_ID);
    } else ids.push(parseId(idArg, 0, true));
  }
  const groupRead = group === undefined ? undefined : { group, consumer: consumer!, noack };
  return { timeout, count, keys, ids, group: groupRead };
}

/** The group and consumer (created if missing) of an XREADGROUP on the stream at `key`. */
function groupConsumer(
  db: Database,
  key: string,
  stream: RedisStream,
  read: GroupRead,
  now: number,
): { group: ConsumerGroup; consumer: Consumer } | undefined {
  const group = stream.groups.get(keyOf(read.group));
  if (group === undefined) return undefined;
  return { group, consumer: consumerOf(db, key, group, keyOf(read.consumer), now) };
}

/** Serves the streams that have something for the reader now; the number served. */
function serveNow(db: Database, args: ReadArgs, reply: Reply): number {
  const now = db.keyspace.now();
  const ready: number[] = [];
  for (let j = 0; j < args.keys.length; j++) {
    const stream = streamAt(db, keyOf(args.keys[j]));
    if (stream === undefined) continue;
    const gt = args.ids[j];
    if (args.group !== undefined) {
      if (!isNewEntries(gt)) ready.push(j);
      else if (stream.length > 0) {
        const group = stream.groups.get(keyOf(args.group.group))!;
        if (compareIds(stream.lastValidId(), group.lastId) > 0) ready.push(j);
      }
    } else if (stream.length > 0 && compareIds(stream.lastValidId(), gt) > 0) ready.push(j);
  }
  if (ready.length === 0) return 0;
  if (reply.protocol === 2) reply.arrayHeader(ready.length);
  else reply.mapHeader(ready.length);
  for (const j of ready) {
    const key = args.keys[j];
    const stream = streamAt(db, keyOf(key))!;
    const gt = args.ids[j];
    streamHeader(reply, key);
    if (args.group === undefined) {
      writeEntries(reply, collect(stream, nextId(gt) ?? MAX_ID, MAX_ID, false, args.count));
      continue;
    }
    const { group, consumer } = groupConsumer(db, keyOf(key), stream, args.group, now)!;
    if (!isNewEntries(gt)) {
      deliverHistory(reply, stream, consumer, nextId(gt) ?? MAX_ID, args.count, now);
    } else {
      const start = nextId(group.lastId) ?? MAX_ID;
      deliver(reply, stream, group, consumer, start, args.count, args.group.noack, now);
    }
  }
  return ready.length;
}

/**
 * A blocked reader offered `key` (Redis `serveClientsBlockedOnStreamKey` and
 * `unblockDeletedStreamReadgroupClients`): true when it answered.
 */
function serveBlocked(
  db: Database,
  args: ReadArgs,
  reply: Reply,
  key: string,
  count: number,
): boolean {
  const value = db.get(key);
  const read = args.group;
  if (value === undefined || value instanceof Uint8Array || value.type !== "stream") {
    if (read === undefined) return false;
    reply.error("UNBLOCKED the stream key no longer exists");
    return true;
  }
  const stream = value as RedisStream;
  const j = args.keys.findIndex((k) => keyOf(k) === key);
  let gt = args.ids[j];
  let target: { group: ConsumerGroup; consumer: Consumer } | undefined;
  if (read !== undefined) {
    const group = stream.groups.get(keyOf(read.group));
    if (group === undefined) {
      reply.error("NOGROUP the consumer group this client was blocked on no longer exists");
      return true;
    }
    gt = group.lastId;
  }
  if (compareIds(stream.lastId, gt) <= 0) return false;
  const now = db.keyspace.now();
  if (read !== undefined) target = groupConsumer(db, key, stream, read, now);
  if (reply.protocol === 2) {
    reply.arrayHeader(1);
    reply.arrayHeader(2);
  } else reply.mapHeader(1);
  reply.bulk(keyBytes(key));
  const start = nextId(gt) ?? MAX_ID;
  if (target === undefined) writeEntries(reply, collect(stream, start, MAX_ID, false, count));
  else deliver(reply, stream, target.group, target.consumer, start, count, read!.noack, now);
  return true;
}

function xread(xreadgroup: boolean): KvHandler {
  return (db, _key, command, reply, connection: Connection) => {
    const args = parseRead(db, command, xreadgroup);
    if (serveNow(db, args, reply) > 0) return undefined;
    if (args.timeout === -1 || connection.inTransaction) return reply.nullArray();
    const count = args.count || BLOCKED_DEFAULT_COUNT;
    const keys = args.keys.map(keyOf);
    return db.keyspace.blocking.block({
      connection,
      db: db.index,
      keys,
      tryServe: (key) => serveBlocked(db, args, reply, key, count),
      timedOut: () => reply.nullArray(),
      failed: (message) => reply.error(message),
    }, args.timeout);
  };
}

/** XREAD and XREADGROUP. */
export const streamReadCommands: readonly KvCommand[] = [
  {
    name: "xread",
    arity: -4,
    flags: ["readonly", "blocking"],
    acl: ["stream"],
    keys: [{
      flags: ["RO", "access"],
      begin: { keyword: "STREAMS", startFrom: 1 },
      find: { lastKey: -1, step: 1, limit: 2 },
    }],
    group: "stream",
    since: "5.0.0",
    complexity:
      "For each stream mentioned: O(N) with N being the number of elements being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) time in order to serve the M clients blocked on the stream getting new data.",
    summary:
      "Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.",
    handler: xread(false),
  },
  {
    name: "xreadgroup",
    arity: -7,
    flags: ["write", "blocking"],
    acl: ["stream"],
    keys: [{
      flags: ["RO", "access"],
      begin: { keyword: "STREAMS", startFrom: 4 },
      find: { lastKey: -1, step: 1, limit: 2 },
    }],
    group: "stream",
    since: "5.0.0",
    complexity:
      "For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data.",
    summary:
      "Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block.",
    handler: xread(true),
  },
];
