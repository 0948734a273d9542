/**
 * XINFO STREAM [FULL [COUNT n]], XINFO GROUPS, XINFO CONSUMERS and XINFO HELP (Redis's
 * `xinfoCommand`). Groups and consumers are listed in name order (Redis keeps them in radix
 * trees); `radix-tree-nodes` is the node count Redis's radix tree would have.
 *
 * @module
 */

import { longArg } from "../../server/args.ts";
import type { Reply } from "../../server/reply.ts";
import { keyAt, type KvCommand, type KvHandler } from "../command.ts";
import { keyBytes, keyOf, keyText } from "../keyspace/encoding.ts";
import type { Database } from "../keyspace/keyspace.ts";
import { fail } from "../../server/errors.ts";
import type { RedisStream } from "../values/stream.ts";
import type { ConsumerGroup } from "../values/stream_group.ts";
import { raxNodes } from "../values/stream_rax.ts";
import { formatId, MAX_ID, ZERO_ID } from "../values/stream_id.ts";
import { collect, streamAt, writeEntries, writeEntry } from "./streams.ts";
import { helpReply, subcommandError } from "./streams_groups.ts";

/** Orders [name, value] pairs by name (byte order, as a radix tree iterates). */
function byName<T>(map: Map<string, T>): Array<[string, T]> {
  return [...map].sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
}

/** The stream at `key`, or `ERR no such key`. */
function existing(db: Database, key: string): RedisStream {
  const stream = streamAt(db, key);
  if (stream === undefined) fail("ERR no such key");
  return stream;
}

function field(reply: Reply, name: string): void {
  reply.bulk(name);
}

function entriesReadOrNull(reply: Reply, group: ConsumerGroup): void {
  if (group.entriesRead !== -1) reply.integer(group.entriesRead);
  else reply.null();
}

function lagOrNull(reply: Reply, stream: RedisStream, group: ConsumerGroup): void {
  const lag = stream.lag(group);
  if (lag === undefined) reply.null();
  else reply.integer(lag);
}

/** The fields XINFO STREAM and XINFO STREAM FULL share. */
function streamHead(reply: Reply, stream: RedisStream, full: boolean): void {
  reply.mapHeader(full ? 9 : 10);
  field(reply, "length");
  reply.integer(stream.length);
  field(reply, "radix-tree-keys");
  reply.integer(stream.nodes.length);
  field(reply, "radix-tree-nodes");
  reply.integer(raxNodes(stream.nodes.map((node) => node.master)));
  field(reply, "last-generated-id");
  reply.bulk(formatId(stream.lastId));
  field(reply, "max-deleted-entry-id");
  reply.bulk(formatId(stream.maxDeletedId));
  field(reply, "entries-added");
  reply.integer(stream.entriesAdded);
  field(reply, "recorded-first-entry-id");
  reply.bulk(formatId(stream.firstId));
}

function streamFull(reply: Reply, stream: RedisStream, count: number): void {
  field(reply, "entries");
  writeEntries(reply, collect(stream, ZERO_ID, MAX_ID, false, count));
  field(reply, "groups");
  reply.arrayHeader(stream.groups.size);
  for (const [name, group] of byName(stream.groups)) {
    reply.mapHeader(7);
    field(reply, "name");
    reply.bulk(keyBytes(name));
    field(reply, "last-delivered-id");
    reply.bulk(formatId(group.lastId));
    field(reply, "entries-read");
    entriesReadOrNull(reply, group);
    field(reply, "lag");
    lagOrNull(reply, stream, group);
    field(reply, "pel-count");
    reply.integer(group.pending.size);
    field(reply, "pending");
    const pending = group.pending.values();
    const shown = count === 0 ? pending.length : Math.min(count, pending.length);
    reply.arrayHeader(shown);
    for (let i = 0; i < shown; i++) {
      const nack = pending[i];
      reply.arrayHeader(4);
      reply.bulk(formatId(nack.id));
      reply.bulk(keyBytes(nack.consumer.name));
      reply.integer(nack.deliveryTime);
      reply.integer(nack.deliveryCount);
    }
    field(reply, "consumers");
    reply.arrayHeader(group.consumers.size);
    for (const [consumerName, consumer] of byName(group.consumers)) {
      reply.mapHeader(4);
      field(reply, "name");
      reply.bulk(keyBytes(consumerName));
      field(reply, "seen-time");
      reply.integer(consumer.seenTime);
      field(reply, "pel-count");
      reply.integer(consumer.pending.size);
      field(reply, "pending");
      const own = consumer.pending.values();
      const listed = count === 0 ? own.length : Math.min(count, own.length);
      reply.arrayHeader(listed);
      for (let i = 0; i < listed; i++) {
        reply.arrayHeader(3);
        reply.bulk(formatId(own[i].id));
        reply.integer(own[i].deliveryTime);
        reply.integer(own[i].deliveryCount);
      }
    }
  }
}

const xinfoStream: KvHandler = (db, key, command, reply) => {
  const options = command.length - 2;
  let full = false, count = 10;
  if (options !== 0) {
    if (options !== 1 && options !== 3) subcommandError(command, "XINFO");
    if (!command.is(2, "full")) subcommandError(command, "XINFO");
    if (options === 3) {
      if (!command.is(3, "count")) subcommandError(command, "XINFO");
      count = longArg(command, 4);
      if (count < 0) count = 10;
    }
    full = true;
  }
  const stream = existing(db, key);
  streamHead(reply, stream, full);
  if (full) return streamFull(reply, stream, count);
  field(reply, "groups");
  reply.integer(stream.groups.size);
  for (const rev of [false, true]) {
    field(reply, rev ? "last-entry" : "first-entry");
    const edge = collect(stream, ZERO_ID, MAX_ID, rev, 1);
    if (edge.nodes.length === 0) reply.null();
    else writeEntry(reply, edge.nodes[0], edge.indexes[0]);
  }
};

const xinfoGroups: KvHandler = (db, key, _command, reply) => {
  const stream = existing(db, key);
  reply.arrayHeader(stream.groups.size);
  for (const [name, group] of byName(stream.groups)) {
    reply.mapHeader(6);
    field(reply, "name");
    reply.bulk(keyBytes(name));
    field(reply, "consumers");
    reply.integer(group.consumers.size);
    field(reply, "pending");
    reply.integer(group.pending.size);
    field(reply, "last-delivered-id");
    reply.bulk(formatId(group.lastId));
    field(reply, "entries-read");
    entriesReadOrNull(reply, group);
    field(reply, "lag");
    lagOrNull(reply, stream, group);
  }
};

const xinfoConsumers: KvHandler = (db, key, command, reply) => {
  const stream = existing(db, key);
  const name = keyOf(command.arg(2)!);
  const group = stream.groups.get(name);
  if (group === undefined) {
    fail(`NOGROUP No such consumer group '${keyText(name)}' for key name '${keyText(key)}'`);
  }
  const now = db.keyspace.now();
  reply.arrayHeader(group.consumers.size);
  for (const [consumerName, consumer] of byName(group.consumers)) {
    reply.mapHeader(3);
    field(reply, "name");
    reply.bulk(keyBytes(consumerName));
    field(reply, "pending");
    reply.integer(consumer.pending.size);
    field(reply, "idle");
    reply.integer(Math.max(0, now - consumer.seenTime));
  }
};

const XINFO_HELP = [
  "CONSUMERS <key> <groupname>",
  "    Show consumers of <groupname>.",
  "GROUPS <key>",
  "    Show the stream consumer groups.",
  "STREAM <key> [FULL [COUNT <count>]",
  "    Show information about the stream.",
];

const INFO_META = {
  acl: ["stream"],
  group: "stream",
  since: "5.0.0",
  flags: ["readonly"],
  keys: [keyAt(2, "RO", "access")],
} as const;

/** XINFO and its subcommands. */
export const streamInfoCommands: readonly KvCommand[] = [
  {
    name: "xinfo",
    arity: -2,
    flags: [],
    acl: [],
    group: "stream",
    since: "5.0.0",
    complexity: "Depends on subcommand.",
    summary: "A container for stream introspection commands",
    handler: () => undefined,
    subcommands: {
      stream: {
        ...INFO_META,
        arity: -3,
        complexity: "O(1)",
        summary: "Get information about a stream",
        history: [
          ["6.0.0", "Added the `FULL` modifier."],
          [
            "7.0.0",
            "Added the `max-deleted-entry-id`, `entries-added`, `recorded-first-entry-id`, `entries-read` and `lag` fields",
          ],
        ],
        handler: xinfoStream,
      },
      groups: {
        ...INFO_META,
        arity: 3,
        complexity: "O(1)",
        summary: "List the consumer groups of a stream",
        history: [["7.0.0", "Added the `entries-read` and `lag` fields"]],
        handler: xinfoGroups,
      },
      consumers: {
        ...INFO_META,
        arity: 4,
        complexity: "O(1)",
        summary: "List the consumers in a consumer group",
        tips: ["nondeterministic_output"],
        handler: xinfoConsumers,
      },
      help: {
        acl: ["stream"],
        group: "stream",
        since: "5.0.0",
        arity: 2,
        flags: ["loading", "stale"],
        complexity: "O(1)",
        summary: "Show helpful text about the different subcommands",
        handler: (_db, _key, _command, reply) => helpReply(reply, "XINFO", XINFO_HELP),
      },
    },
  },
];
