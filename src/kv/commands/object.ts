/**
 * OBJECT ENCODING | FREQ | IDLETIME | REFCOUNT | HELP (Redis's object.c). Encodings come from
 * the state the values track ({@link encodingOf}) and the string encoding the keyspace keeps;
 * IDLETIME from the access stamp the keyspace keeps per key (Redis's LRU clock, seconds).
 * `maxmemory-policy` is fixed to `noeviction` here (no LFU policy can be selected), so FREQ
 * answers Redis's error for a non-LFU policy. OBJECT looks keys up without touching them.
 *
 * @module
 */

import { SYNTAX } from "../../server/errors.ts";
import type { Reply } from "../../server/reply.ts";
import { keyAt, type KvCommand } from "../command.ts";
import type { Database } from "../keyspace/keyspace.ts";
import type { KeyValue } from "../keyspace/values.ts";
import { encodingOf, refcountOf } from "../values/encoding.ts";

const HELP = [
  "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "ENCODING <key>",
  "    Return the kind of internal representation used in order to store the value",
  "    associated with a <key>.",
  "FREQ <key>",
  "    Return the access frequency index of the <key>. The returned integer is",
  "    proportional to the logarithm of the recent access frequency of the key.",
  "IDLETIME <key>",
  "    Return the idle time of the <key>, that is the approximated number of",
  "    seconds elapsed since the last access to the key.",
  "REFCOUNT <key>",
  "    Return the number of references of the value associated with the specified",
  "    <key>.",
  "HELP",
  "    Prints this help.",
];

const NO_LFU = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. " +
  "Please note that when switching between policies at runtime LRU and LFU data will take " +
  "some time to adjust.";

/** A key subcommand of OBJECT: null when the key is missing. */
function keySubcommand(
  since: string,
  summary: string,
  answer: (value: KeyValue, reply: Reply, db: Database, key: string) => void,
): Omit<KvCommand, "name"> {
  return {
    arity: 3,
    flags: ["readonly"],
    acl: ["keyspace"],
    tips: ["nondeterministic_output"],
    keys: [keyAt(2, "RO")],
    group: "generic",
    since,
    complexity: "O(1)",
    summary,
    handler: (db: Database, key: string, _command, reply) => {
      const value = db.find(key);
      if (value === undefined) return reply.null();
      answer(value, reply, db, key);
    },
  };
}

/** OBJECT and its subcommands. */
export const objectCommands: readonly KvCommand[] = [
  {
    name: "object",
    arity: -2,
    group: "generic",
    since: "2.2.3",
    complexity: "Depends on subcommand.",
    summary: "A container for object introspection commands",
    // Unknown subcommands are answered by the core ("Try OBJECT HELP.").
    handler: (_db, _key, _command, reply) => reply.error(SYNTAX),
    subcommands: {
      encoding: keySubcommand(
        "2.2.3",
        "Inspect the internal encoding of a Redis object",
        (value, reply, db, key) =>
          reply.bulk(
            encodingOf(value, value instanceof Uint8Array ? db.stringEncoding(key) : undefined),
          ),
      ),
      freq: keySubcommand(
        "4.0.0",
        "Get the logarithmic access frequency counter of a Redis object",
        (_value, reply) => reply.error(NO_LFU),
      ),
      help: {
        arity: 2,
        flags: ["loading", "stale"],
        acl: ["keyspace"],
        group: "generic",
        since: "6.2.0",
        complexity: "O(1)",
        summary: "Show helpful text about the different subcommands",
        handler: (_db, _key, _command, reply) => {
          reply.arrayHeader(HELP.length);
          for (const line of HELP) reply.status(line);
        },
      },
      idletime: keySubcommand(
        "2.2.3",
        "Get the time since a Redis object was last accessed",
        (_value, reply, db, key) => reply.integer(db.idleTime(key)!),
      ),
      refcount: keySubcommand(
        "2.2.3",
        "Get the number of references to the value of the key",
        (value, reply) => reply.integer(refcountOf(value)),
      ),
    },
  },
];
