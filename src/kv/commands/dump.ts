/**
 * DUMP and RESTORE (Redis's cluster.c dumpCommand / restoreCommand): values serialised in
 * Redis 7.0's RDB format (src/kv/persistence), so payloads move both ways between this
 * server and redis-server.
 *
 * @module
 */

import { int64Arg } from "../../server/args.ts";
import { fail, SYNTAX } from "../../server/errors.ts";
import { isWord } from "../args.ts";
import { keyAt, type KvCommand } from "../command.ts";
import { decodeValue, verifyPayload } from "../persistence/rdb_decode.ts";
import { dumpValue } from "../persistence/rdb_encode.ts";

const BUSYKEY = "BUSYKEY Target key name already exists.";

/** The options of one RESTORE call. */
interface RestoreOptions {
  replace: boolean;
  absTtl: boolean;
  /** IDLETIME's seconds (the last one given), or undefined. */
  idle: bigint | undefined;
}

function parseRestoreOptions(
  argv: readonly Uint8Array[],
  command: Parameters<KvCommand["handler"]>[2],
): RestoreOptions {
  const o: RestoreOptions = { replace: false, absTtl: false, idle: undefined };
  let freq = false;
  for (let j = 4; j < argv.length; j++) {
    const more = argv.length - j - 1;
    if (isWord(argv[j], "replace")) o.replace = true;
    else if (isWord(argv[j], "absttl")) o.absTtl = true;
    else if (isWord(argv[j], "idletime") && more >= 1 && !freq) {
      const n = int64Arg(command, j);
      if (n < 0) fail("ERR Invalid IDLETIME value, must be >= 0");
      o.idle = BigInt(n);
      j++;
    } else if (isWord(argv[j], "freq") && more >= 1 && o.idle === undefined) {
      const n = int64Arg(command, j);
      if (n < 0 || n > 255) fail("ERR Invalid FREQ value, must be >= 0 and <= 255");
      freq = true;
      j++;
    } else fail(SYNTAX);
  }
  return o;
}

/** DUMP and RESTORE. */
export const dumpCommands: readonly KvCommand[] = [
  {
    name: "dump",
    arity: 2,
    flags: ["readonly"],
    acl: ["keyspace"],
    tips: ["nondeterministic_output"],
    keys: [keyAt(1, "RO", "access")],
    group: "generic",
    since: "2.6.0",
    complexity: "O(1) to access the key and additional O(N*M) to serialize it, where N is " +
      "the number of Redis objects composing the value and M their average size. For small " +
      "string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1).",
    summary: "Return a serialized version of the value stored at the specified key.",
    handler: (db, key, _command, reply) => {
      const value = db.get(key);
      if (value === undefined) return reply.null();
      reply.bulk(dumpValue(value));
    },
  },
  {
    name: "restore",
    arity: -4,
    flags: ["write", "denyoom"],
    acl: ["keyspace", "dangerous"],
    keys: [keyAt(1, "OW", "update")],
    group: "generic",
    since: "2.6.0",
    complexity: "O(1) to create the new key and additional O(N*M) to reconstruct the " +
      "serialized value, where N is the number of Redis objects composing the value and M " +
      "their average size. For small string values the time complexity is thus O(1)+O(1*M) " +
      "where M is small, so simply O(1). However for sorted set values the complexity is " +
      "O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).",
    summary: "Create a key using the provided serialized value, previously obtained using DUMP.",
    history: [
      ["3.0.0", "Added the `REPLACE` modifier."],
      ["5.0.0", "Added the `ABSTTL` modifier."],
      ["5.0.0", "Added the `IDLETIME` and `FREQ` options."],
    ],
    handler: (db, key, command, reply) => {
      const argv = command.argv;
      const o = parseRestoreOptions(argv, command);
      if (!o.replace && db.get(key) !== undefined) fail(BUSYKEY);
      const ttlArg = int64Arg(command, 1);
      if (ttlArg < 0) fail("ERR Invalid TTL value, must be >= 0");
      const body = verifyPayload(argv[3]);
      if (typeof body === "string") fail(body);
      const value = decodeValue(body);
      if (value === undefined) fail("ERR Bad data format");
      if (o.replace) db.delete(key);
      let ttl = Number(ttlArg);
      const now = db.keyspace.now();
      if (ttl !== 0 && !o.absTtl) ttl += now;
      // Already expired: nothing is created (REPLACE has deleted the old value).
      if (ttl !== 0 && ttl <= now) return reply.status("OK");
      db.set(key, value);
      if (ttl !== 0) db.setExpireAt(key, ttl);
      // FREQ is checked but kept nowhere: without an LFU policy Redis ignores it too.
      if (o.idle !== undefined) db.setIdleTime(key, o.idle);
      reply.status("OK");
    },
  },
];
