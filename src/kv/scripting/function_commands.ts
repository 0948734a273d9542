/**
 * FCALL, FCALL_RO and FUNCTION (functions.c) as key-value command table entries.
 *
 * @module
 */

import type { Command } from "../../server/command.ts";
import type { Connection } from "../../server/connection.ts";
import { globMatch } from "../../server/glob.ts";
import type { Reply } from "../../server/reply.ts";
import type { KvCommand } from "../command.ts";
import { helpReply, keyCount, scriptKeys } from "./command_args.ts";
import { dumpPayload, readPayload } from "./dump.ts";
import type { FunctionLibraries, Library } from "./functions.ts";
import { scriptKill } from "./kill.ts";
import { scriptingOf } from "./state.ts";

function fcall(
  command: Command,
  reply: Reply,
  connection: Connection,
  ro: boolean,
): void | Promise<void> {
  const scripting = scriptingOf(connection.server);
  const fn = scripting.functions.functions.get(command.string(0));
  if (fn === undefined) return reply.error("ERR Function not found");
  const numkeys = keyCount(command, "ERR Bad number of keys provided");
  return scripting.runner.run(
    {
      environment: scripting.functions.environment,
      fn: fn.fn,
      name: fn.name,
      flags: fn.flags,
      evalMode: false,
      ro,
      numkeys,
      argv: command.argv,
      source: "@user_function",
    },
    connection,
    reply,
  );
}

function fcallEntry(name: string, ro: boolean): KvCommand {
  return {
    name,
    arity: -3,
    flags: [...(ro ? ["readonly"] : []), "noscript", "stale", "skip_monitor", "no_mandatory_keys"],
    acl: ["scripting"],
    keys: scriptKeys(ro, true),
    group: "scripting",
    since: "7.0.0",
    complexity: "Depends on the function that is executed.",
    summary: ro ? "Invoke a read-only function" : "Invoke a function",
    inOrder: true,
    handler: (_db, _key, command, reply, connection) => fcall(command, reply, connection, ro),
  };
}

function writeLibrary(reply: Reply, library: Library, withCode: boolean): void {
  reply.mapHeader(withCode ? 4 : 3);
  reply.bulk("library_name");
  reply.bulk(library.name);
  reply.bulk("engine");
  reply.bulk(library.engine);
  reply.bulk("functions");
  reply.arrayHeader(library.functions.size);
  for (const fn of library.functions.values()) {
    reply.mapHeader(3);
    reply.bulk("name");
    reply.bulk(fn.name);
    reply.bulk("description");
    if (fn.description === undefined) reply.null();
    else reply.bulk(fn.description);
    reply.bulk("flags");
    reply.setHeader(fn.flagNames.length);
    for (const flag of fn.flagNames) reply.status(flag);
  }
  if (withCode) {
    reply.bulk("library_code");
    reply.bulk(library.code);
  }
}

function functionList(command: Command, reply: Reply, libraries: FunctionLibraries): void {
  let withCode = false;
  let pattern: Uint8Array | undefined;
  for (let i = 1; i < command.length; i++) {
    const arg = command.string(i).toLowerCase();
    if (!withCode && arg === "withcode") {
      withCode = true;
      continue;
    }
    if (pattern === undefined && arg === "libraryname") {
      if (i >= command.length - 1) return reply.error("ERR library name argument was not given");
      pattern = command.arg(++i)!;
      continue;
    }
    return reply.error(`ERR Unknown argument ${command.string(i)}`);
  }
  const encoder = new TextEncoder();
  const chosen = [...libraries.libraries.values()].filter((l) =>
    pattern === undefined || globMatch(pattern, encoder.encode(l.name), true)
  );
  reply.arrayHeader(chosen.length);
  for (const library of chosen) writeLibrary(reply, library, withCode);
}

function functionLoad(command: Command, reply: Reply, libraries: FunctionLibraries): void {
  let replace = false;
  let at = 1;
  while (at < command.length - 1) {
    const arg = command.string(at++);
    if (arg.toLowerCase() === "replace") {
      replace = true;
      continue;
    }
    return reply.error(`ERR Unknown option given: ${arg}`);
  }
  if (at >= command.length) return reply.error("ERR Function code is missing");
  const created = libraries.create(command.argv[at + 1]);
  if ("error" in created) return reply.error(created.error);
  const error = libraries.add(created, replace);
  if (error !== undefined) return reply.error(error);
  reply.bulk(created.name);
}

function functionRestore(command: Command, reply: Reply, libraries: FunctionLibraries): void {
  if (command.length > 3) {
    return reply.error(
      `ERR unknown subcommand or wrong number of arguments for '${
        command.string(0)
      }'. Try FUNCTION HELP.`,
    );
  }
  const policy = command.length === 3 ? command.string(2).toLowerCase() : "append";
  if (policy !== "append" && policy !== "replace" && policy !== "flush") {
    return reply.error(
      "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.",
    );
  }
  const codes = readPayload(command.argv[2]);
  if (typeof codes === "string") return reply.error(codes);
  const restored: Library[] = [];
  for (const code of codes) {
    const created = libraries.create(code);
    if ("error" in created) return reply.error(created.error);
    if (restored.some((l) => l.name === created.name)) {
      return reply.error(`ERR Library ${created.name} already exists`);
    }
    restored.push(created);
  }
  if (policy === "flush") libraries.flush();
  else {
    for (const library of restored) {
      const old = libraries.libraries.get(library.name);
      if (old !== undefined && policy === "append") {
        return reply.error(`ERR Library ${library.name} already exists`);
      }
      for (const name of library.functions.keys()) {
        const other = libraries.functions.get(name);
        if (other !== undefined && (policy === "append" || other.library.name !== library.name)) {
          return reply.error(`ERR Function ${name} already exists`);
        }
      }
    }
  }
  for (const library of restored) libraries.add(library, true);
  reply.status("OK");
}

const FUNCTION_HELP = [
  "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "LOAD [REPLACE] <FUNCTION CODE>",
  "    Create a new library with the given library name and code.",
  "DELETE <LIBRARY NAME>",
  "    Delete the given library.",
  "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
  "    Return general information on all the libraries:",
  "    * Library name",
  "    * The engine used to run the Library",
  "    * Library description",
  "    * Functions list",
  "    * Library code (if WITHCODE is given)",
  "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
  "STATS",
  "    Return information about the current function running:",
  "    * Function name",
  "    * Command used to run the function",
  "    * Duration in MS that the function is running",
  "    If no function is running, return nil",
  "    In addition, returns a list of available engines.",
  "KILL",
  "    Kill the current running function.",
  "FLUSH [ASYNC|SYNC]",
  "    Delete all the libraries.",
  "    When called without the optional mode argument, the behavior is determined by the",
  "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
  "    * ASYNC: Asynchronously flush the libraries.",
  "    * SYNC: Synchronously flush the libraries.",
  "DUMP",
  "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
  "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
  "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
  "    control how to handle existing libraries (default APPEND):",
  "    * FLUSH: delete all existing libraries.",
  "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
  "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
  "      libraries with the new libraries (notice that even on this option there is a chance of failure",
  "      in case of functions name collision with another library).",
  "HELP",
  "    Prints this help.",
];

const WRITE_TIPS = ["request_policy:all_shards", "response_policy:all_succeeded"];

function sub(
  arity: number,
  flags: string[],
  summary: string,
  complexity: string,
  handler: KvCommand["handler"],
  tips?: string[],
): Omit<KvCommand, "name"> {
  return {
    arity,
    flags,
    acl: ["scripting"],
    ...(tips === undefined ? {} : { tips }),
    group: "scripting",
    since: "7.0.0",
    complexity,
    summary,
    handler,
  };
}

const libs = (connection: Connection) => scriptingOf(connection.server).functions;

/** FCALL, FCALL_RO and FUNCTION. */
export const functionCommands: readonly KvCommand[] = [
  fcallEntry("fcall", false),
  fcallEntry("fcall_ro", true),
  {
    name: "function",
    arity: -2,
    group: "scripting",
    since: "7.0.0",
    complexity: "Depends on subcommand.",
    summary: "A container for function commands",
    handler: (_db, _key, _command, reply) => reply.error("ERR syntax error"),
    subcommands: {
      list: sub(
        -2,
        ["noscript"],
        "List information about all the functions",
        "O(N) where N is the number of functions",
        (_db, _key, command, reply, connection) => functionList(command, reply, libs(connection)),
        ["nondeterministic_output_order"],
      ),
      delete: sub(
        3,
        ["write", "noscript"],
        "Delete a function by name",
        "O(1)",
        (_db, _key, command, reply, connection) => {
          if (!libs(connection).delete(command.string(1))) {
            return reply.error("ERR Library not found");
          }
          reply.status("OK");
        },
        WRITE_TIPS,
      ),
      load: sub(
        -3,
        ["write", "denyoom", "noscript"],
        "Create a function with the given arguments (name, code, description)",
        "O(1) (considering compilation time is redundant)",
        (_db, _key, command, reply, connection) => functionLoad(command, reply, libs(connection)),
        WRITE_TIPS,
      ),
      kill: sub(
        2,
        ["noscript", "allow_busy"],
        "Kill the function currently in execution.",
        "O(1)",
        (_db, _key, _command, reply, connection) =>
          scriptKill(scriptingOf(connection.server).runner, reply, false),
        ["request_policy:all_shards", "response_policy:one_succeeded"],
      ),
      help: sub(
        2,
        ["loading", "stale"],
        "Show helpful text about the different subcommands",
        "O(1)",
        (_db, _key, _command, reply) => helpReply(reply, FUNCTION_HELP),
      ),
      restore: sub(
        -3,
        ["write", "denyoom", "noscript"],
        "Restore all the functions on the given payload",
        "O(N) where N is the number of functions on the payload",
        (_db, _key, command, reply, connection) =>
          functionRestore(command, reply, libs(connection)),
        WRITE_TIPS,
      ),
      dump: sub(
        2,
        ["noscript"],
        "Dump all functions into a serialized binary payload",
        "O(N) where N is the number of functions",
        (_db, _key, _command, reply, connection) =>
          reply.bulk(dumpPayload([...libs(connection).libraries.values()].map((l) => l.code))),
      ),
      flush: sub(
        -2,
        ["write", "noscript"],
        "Deleting all functions",
        "O(N) where N is the number of functions deleted",
        (_db, _key, command, reply, connection) => {
          if (command.length > 2) {
            return reply.error(
              `ERR unknown subcommand or wrong number of arguments for '${
                command.string(0)
              }'. Try FUNCTION HELP.`,
            );
          }
          const mode = command.string(1).toLowerCase();
          if (command.length === 2 && mode !== "sync" && mode !== "async") {
            return reply.error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
          }
          libs(connection).flush();
          reply.status("OK");
        },
        WRITE_TIPS,
      ),
      stats: sub(
        2,
        ["noscript", "allow_busy"],
        "Return information about the function currently running (name, description, duration)",
        "O(1)",
        (_db, _key, _command, reply, connection) => functionStats(reply, connection),
        ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
      ),
    },
  },
];

function functionStats(reply: Reply, connection: Connection): void {
  const scripting = scriptingOf(connection.server);
  const ctx = scripting.runner.current;
  if (ctx !== undefined && ctx.evalMode) {
    return reply.error(
      "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.",
    );
  }
  reply.mapHeader(2);
  reply.bulk("running_script");
  if (ctx === undefined) reply.null();
  else {
    reply.mapHeader(3);
    reply.bulk("name");
    reply.bulk(ctx.name);
    reply.bulk("command");
    reply.array(ctx.argv);
    reply.bulk("duration_ms");
    reply.integer(Date.now() - ctx.startedAt);
  }
  reply.bulk("engines");
  reply.mapHeader(1);
  reply.bulk("LUA");
  reply.mapHeader(2);
  reply.bulk("libraries_count");
  reply.integer(scripting.functions.libraries.size);
  reply.bulk("functions_count");
  reply.integer(scripting.functions.functions.size);
}
