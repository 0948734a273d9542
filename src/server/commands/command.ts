/**
 * COMMAND and its subcommands (COUNT, LIST, INFO, DOCS, GETKEYS, GETKEYSANDFLAGS, HELP),
 * derived from the command table in Redis 7.0's reply shapes (server.c `addReplyCommandInfo`,
 * `addReplyCommandDocs`, `getKeysSubcommandImpl`). COMMAND DOCS leaves out `arguments`.
 *
 * @module
 */

import { bytesToString } from "../../resp/bytes.ts";
import type { CommandDefinition, CommandSpec, KeyReference, KeySpec } from "../command_spec.ts";
import { cText, fail, SYNTAX } from "../errors.ts";
import { globMatch } from "../glob.ts";
import { findKeys, legacyRange } from "../key_specs.ts";
import type { Reply } from "../reply.ts";
import type { CommandEntry, Router } from "../router.ts";
import { container } from "./help.ts";

/** Command flags in the order Redis prints them (`addReplyFlagsForCommand`). */
const FLAG_ORDER = [
  "write",
  "readonly",
  "denyoom",
  "module",
  "admin",
  "pubsub",
  "noscript",
  "blocking",
  "loading",
  "stale",
  "skip_monitor",
  "skip_slowlog",
  "asking",
  "fast",
  "noauth",
  "no_mandatory_keys",
  "no_async_loading",
  "no_multi",
  "movablekeys",
  "allow_busy",
];
/** The wire names that differ from the table's. */
const FLAG_NAMES: Record<string, string> = { noauth: "no_auth" };

/** ACL categories in Redis's order (acl.c `ACLCommandCategories`). */
const CATEGORY_ORDER = [
  "keyspace",
  "read",
  "write",
  "set",
  "sortedset",
  "list",
  "hash",
  "string",
  "bitmap",
  "hyperloglog",
  "geo",
  "stream",
  "pubsub",
  "admin",
  "fast",
  "slow",
  "blocking",
  "dangerous",
  "connection",
  "transaction",
  "scripting",
];

/** Key spec flags in Redis's order (`addReplyFlagsForKeyArgs`). */
const KEY_FLAG_ORDER = [
  "RO",
  "RW",
  "OW",
  "RM",
  "access",
  "update",
  "insert",
  "delete",
  "not_key",
  "incomplete",
  "variable_flags",
];

function ordered(words: ReadonlySet<string>, order: readonly string[]): string[] {
  return order.filter((word) => words.has(word));
}

/**
 * The flags COMMAND INFO reports for a command, in Redis's order, "movablekeys" derived from
 * its key specs (the core's own words, such as "noqueue", are not reported).
 *
 * @example
 * ```ts
 * import { reportedFlags } from "./command.ts";
 *
 * reportedFlags({ arity: 1, flags: ["fast", "noauth", "noqueue"], handler: () => {} });
 * // ["fast", "no_auth"]
 * ```
 */
export function reportedFlags(spec: CommandSpec): string[] {
  const flags = new Set(spec.flags);
  // As Redis's populateCommandLegacyRangeSpec: a native command's getkeys proc (SET,
  // BITFIELD) does not make its keys movable; only its key specs do.
  if (legacyRange(spec.keys ?? []).movable) flags.add("movablekeys");
  return ordered(flags, FLAG_ORDER).map((flag) => FLAG_NAMES[flag] ?? flag);
}

/**
 * A command's ACL categories, in Redis's order: the table's plus those Redis derives from
 * the flags (`setImplicitACLCategories`: write, read, admin + dangerous, pubsub, fast,
 * blocking, and slow for whatever is not fast).
 *
 * @example
 * ```ts
 * import { categories } from "./command.ts";
 *
 * categories({ flags: ["readonly", "fast"], acl: ["string"] });
 * // ["read", "string", "fast"]
 * ```
 */
export function categories(spec: Pick<CommandSpec, "acl" | "flags">): string[] {
  const set = new Set(spec.acl);
  const flags = spec.flags ?? [];
  if (flags.includes("write")) set.add("write");
  if (flags.includes("readonly") && !set.has("scripting")) set.add("read");
  if (flags.includes("admin")) set.add("admin").add("dangerous");
  if (flags.includes("pubsub")) set.add("pubsub");
  if (flags.includes("fast")) set.add("fast");
  if (flags.includes("blocking")) set.add("blocking");
  if (!set.has("fast")) set.add("slow");
  return ordered(set, CATEGORY_ORDER);
}

function statusSet(reply: Reply, words: readonly string[]): void {
  reply.setHeader(words.length);
  for (const word of words) reply.status(word);
}

/** `type` and `spec` of a key spec part: `{type, spec: {name: value, ...}}`. */
function writePart(
  reply: Reply,
  type: string,
  fields: ReadonlyArray<readonly [string, string | number]>,
): void {
  reply.mapHeader(2);
  reply.bulk("type");
  reply.bulk(type);
  reply.bulk("spec");
  reply.mapHeader(fields.length);
  for (const [name, value] of fields) {
    reply.bulk(name);
    if (typeof value === "number") reply.integer(value);
    else reply.bulk(value);
  }
}

function writeKeySpec(spec: KeySpec, reply: Reply): void {
  reply.mapHeader(spec.notes === undefined ? 3 : 4);
  if (spec.notes !== undefined) {
    reply.bulk("notes");
    reply.bulk(spec.notes);
  }
  reply.bulk("flags");
  statusSet(reply, ordered(new Set(spec.flags), KEY_FLAG_ORDER));
  reply.bulk("begin_search");
  const begin = spec.begin;
  if (begin === "unknown") writePart(reply, "unknown", []);
  else if ("index" in begin) writePart(reply, "index", [["index", begin.index]]);
  else {
    writePart(reply, "keyword", [["keyword", begin.keyword], ["startfrom", begin.startFrom]]);
  }
  reply.bulk("find_keys");
  const find = spec.find;
  if (find === "unknown") writePart(reply, "unknown", []);
  else if ("lastKey" in find) {
    writePart(reply, "range", [["lastkey", find.lastKey], ["keystep", find.step], [
      "limit",
      find.limit,
    ]]);
  } else {
    writePart(reply, "keynum", [["keynumidx", find.keyNumIndex], ["firstkey", find.firstKey], [
      "keystep",
      find.step,
    ]]);
  }
}

/** One command's COMMAND INFO reply (an array of 10), its subcommands nested. */
function writeCommandInfo(entry: CommandEntry, reply: Reply): void {
  const spec = entry.spec;
  const keys = spec.keys ?? [];
  const range = legacyRange(keys);
  reply.arrayHeader(10);
  reply.bulk(entry.fullName);
  reply.integer(entry.arity);
  statusSet(reply, reportedFlags(spec));
  reply.integer(range.firstKey);
  reply.integer(range.lastKey);
  reply.integer(range.step);
  statusSet(reply, categories(spec).map((category) => "@" + category));
  const tips = spec.tips ?? [];
  reply.setHeader(tips.length);
  for (const tip of tips) reply.bulk(tip);
  reply.setHeader(keys.length);
  for (const key of keys) writeKeySpec(key, reply);
  if (entry.subcommands === undefined) {
    reply.setHeader(0);
    return;
  }
  reply.arrayHeader(entry.subcommands.size);
  for (const sub of entry.subcommands.values()) writeCommandInfo(sub, reply);
}

/** One command's COMMAND DOCS map (without `arguments`), its subcommands nested. */
function writeCommandDocs(entry: CommandEntry, reply: Reply): void {
  const spec = entry.spec;
  const subs = entry.subcommands;
  let fields = 1;
  for (
    const field of [
      spec.summary,
      spec.since,
      spec.complexity,
      spec.docFlags,
      spec.deprecatedSince,
      spec.replacedBy,
      spec.history,
      subs,
    ]
  ) {
    if (field !== undefined) fields++;
  }
  reply.mapHeader(fields);
  const text = (name: string, value: string | undefined): void => {
    if (value === undefined) return;
    reply.bulk(name);
    reply.bulk(value);
  };
  text("summary", spec.summary);
  text("since", spec.since);
  text("group", spec.group ?? "generic");
  text("complexity", spec.complexity);
  if (spec.docFlags !== undefined) {
    reply.bulk("doc_flags");
    statusSet(reply, spec.docFlags);
  }
  text("deprecated_since", spec.deprecatedSince);
  text("replaced_by", spec.replacedBy);
  if (spec.history !== undefined) {
    reply.bulk("history");
    reply.setHeader(spec.history.length);
    for (const [version, change] of spec.history) {
      reply.arrayHeader(2);
      reply.bulk(version);
      reply.bulk(change);
    }
  }
  if (subs !== undefined) {
    reply.bulk("subcommands");
    reply.mapHeader(subs.size);
    for (const sub of subs.values()) {
      reply.bulk(sub.fullName);
      writeCommandDocs(sub, reply);
    }
  }
}

/** A command by full name ("get", "client|list"), as Redis's `lookupCommandBySds`. */
function lookupFullName(router: Router, name: string): CommandEntry | undefined {
  const parts = name.split("|");
  if (parts.length > 2) return undefined;
  const base = router.lookup(parts[0]);
  if (parts.length === 1) return base;
  return base?.subcommands?.get(parts[1].toLowerCase());
}

/** Every command and subcommand, parents first (COMMAND LIST's order). */
function* allEntries(entries: Iterable<CommandEntry>): Generator<CommandEntry> {
  for (const entry of entries) {
    yield entry;
    if (entry.subcommands !== undefined) yield* allEntries(entry.subcommands.values());
  }
}

function commandList(router: Router, args: readonly Uint8Array[]): string[] {
  let filter: ((entry: CommandEntry) => boolean) | undefined;
  for (let i = 1; i < args.length; i++) {
    if (bytesToString(args[i]).toLowerCase() !== "filterby" || args.length - 1 - i !== 2) {
      fail(SYNTAX);
    }
    const type = bytesToString(args[i + 1]).toLowerCase();
    const value = args[i + 2];
    if (type === "module") filter = () => false;
    else if (type === "aclcat") {
      const category = bytesToString(value).toLowerCase();
      filter = (entry) =>
        CATEGORY_ORDER.includes(category) &&
        categories(entry.spec).includes(category);
    } else if (type === "pattern") {
      filter = (entry) => globMatch(value, new TextEncoder().encode(entry.fullName), true);
    } else fail(SYNTAX);
    i += 2;
  }
  const names: string[] = [];
  for (const entry of allEntries(router.entries())) {
    if (filter === undefined || filter(entry)) names.push(entry.fullName);
  }
  return names;
}

/** The keys COMMAND GETKEYS reports, or the reason it reports none (Redis's order of checks). */
function commandKeys(router: Router, argv: readonly Uint8Array[]): KeyReference[] {
  let entry = router.lookup(bytesToString(argv[0]));
  if (entry?.subcommands !== undefined && argv.length > 1) {
    entry = entry.subcommands.get(bytesToString(argv[1]).toLowerCase());
  }
  if (entry === undefined) fail("ERR Invalid command specified");
  const spec = entry.spec;
  const specs = spec.keys ?? [];
  if (spec.getKeys === undefined && specs.every((key) => key.flags.includes("not_key"))) {
    fail("ERR The command has no key arguments");
  }
  const arity = entry.arity;
  if (arity > 0 ? arity !== argv.length : argv.length < -arity) {
    fail("ERR Invalid number of arguments specified for command");
  }
  let keys: readonly KeyReference[] | undefined;
  const variable = specs.some((key) => key.flags.includes("variable_flags"));
  if (!variable || spec.getKeys === undefined) keys = findKeys(specs, arity, argv);
  if (keys === undefined && spec.getKeys !== undefined) keys = spec.getKeys(argv);
  if (keys === undefined || keys.length === 0) {
    if (spec.flags?.includes("no_mandatory_keys")) return [];
    fail("ERR Invalid arguments specified for command");
  }
  return [...keys];
}

const META = {
  flags: ["loading", "stale"],
  acl: ["connection"],
  group: "server",
} as const;

function writeAllInfo(router: Router, reply: Reply): void {
  const entries = [...router.entries()];
  reply.arrayHeader(entries.length);
  for (const entry of entries) writeCommandInfo(entry, reply);
}

function getKeysHandler(withFlags: boolean): CommandSpec["handler"] {
  return (command, reply, connection) => {
    const argv = command.argv.slice(2);
    const keys = commandKeys(connection.server.router, argv);
    reply.arrayHeader(keys.length);
    for (const key of keys) {
      if (!withFlags) {
        reply.bulk(argv[key.index]);
        continue;
      }
      reply.arrayHeader(2);
      reply.bulk(argv[key.index]);
      statusSet(reply, ordered(new Set(key.flags), KEY_FLAG_ORDER));
    }
  };
}

/** COMMAND and its subcommands. */
export const commandCommands: readonly CommandDefinition[] = [
  container("command", {
    ...META,
    arity: -1,
    since: "2.8.13",
    complexity: "O(N) where N is the total number of Redis commands",
    summary: "Get array of Redis command details",
    tips: ["nondeterministic_output_order"],
    help: { ...META, since: "5.0.0" },
    // COMMAND without a subcommand: the whole table.
    handler: (command, reply, connection) => {
      if (command.length > 0) {
        fail(`ERR unknown subcommand '${cText(command.arg(0))}'. Try COMMAND HELP.`);
      }
      writeAllInfo(connection.server.router, reply);
    },
    subcommands: {
      count: {
        ...META,
        arity: 2,
        since: "2.8.13",
        complexity: "O(1)",
        summary: "Get total number of Redis commands",
        handler: (_c, reply, connection) => reply.integer(connection.server.router.names().length),
      },
      docs: {
        ...META,
        arity: -2,
        since: "7.0.0",
        complexity: "O(N) where N is the number of commands to look up",
        summary: "Get array of specific Redis command documentation",
        tips: ["nondeterministic_output_order"],
        handler: (command, reply, connection) => {
          const router = connection.server.router;
          const entries: CommandEntry[] = [];
          if (command.length === 1) entries.push(...router.entries());
          for (let i = 1; i < command.length; i++) {
            const entry = lookupFullName(router, command.string(i));
            if (entry !== undefined) entries.push(entry);
          }
          reply.mapHeader(entries.length);
          for (const entry of entries) {
            reply.bulk(entry.fullName);
            writeCommandDocs(entry, reply);
          }
        },
      },
      getkeys: {
        ...META,
        arity: -4,
        since: "2.8.13",
        complexity: "O(N) where N is the number of arguments to the command",
        summary: "Extract keys given a full Redis command",
        handler: getKeysHandler(false),
      },
      getkeysandflags: {
        ...META,
        arity: -4,
        since: "7.0.0",
        complexity: "O(N) where N is the number of arguments to the command",
        summary: "Extract keys and access flags given a full Redis command",
        handler: getKeysHandler(true),
      },
      info: {
        ...META,
        arity: -2,
        since: "2.8.13",
        complexity: "O(N) where N is the number of commands to look up",
        summary: "Get array of specific Redis command details, or all when no argument is given.",
        history: [["7.0.0", "Allowed to be called with no argument to get info on all commands."]],
        tips: ["nondeterministic_output_order"],
        handler: (command, reply, connection) => {
          const router = connection.server.router;
          if (command.length === 1) return writeAllInfo(router, reply);
          reply.arrayHeader(command.length - 1);
          for (let i = 1; i < command.length; i++) {
            const entry = lookupFullName(router, command.string(i));
            if (entry !== undefined) writeCommandInfo(entry, reply);
            else reply.null();
          }
        },
      },
      list: {
        ...META,
        arity: -2,
        since: "7.0.0",
        complexity: "O(N) where N is the total number of Redis commands",
        summary: "Get an array of Redis command names",
        tips: ["nondeterministic_output_order"],
        handler: (command, reply, connection) =>
          reply.array(commandList(connection.server.router, command.argv.slice(1))),
      },
    },
  }),
];
