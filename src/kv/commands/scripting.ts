/**
 * Scripting (Redis 7.0's eval.c and functions.c): EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, SCRIPT,
 * FCALL, FCALL_RO and FUNCTION. The machinery is in `../scripting/`.
 *
 * @module
 */

import type { Command } from "../../server/command.ts";
import type { Connection } from "../../server/connection.ts";
import type { Reply } from "../../server/reply.ts";
import type { KvCommand } from "../command.ts";
import { helpReply, keyCount, scriptKeys } from "../scripting/command_args.ts";
import { functionCommands } from "../scripting/function_commands.ts";
import { scriptKill } from "../scripting/kill.ts";
import { scriptingOf } from "../scripting/state.ts";

function evalGeneric(
  command: Command,
  reply: Reply,
  connection: Connection,
  sha: boolean,
  ro: boolean,
): void | Promise<void> {
  const scripting = scriptingOf(connection.server);
  const bodyOrSha = command.argv[1];
  if (sha && bodyOrSha.length !== 40) {
    return reply.error("NOSCRIPT No matching script. Please use EVAL.");
  }
  const numkeys = keyCount(command);
  let script;
  if (sha) {
    script = scripting.scripts.getBytes(bodyOrSha);
    if (script === undefined) return reply.error("NOSCRIPT No matching script. Please use EVAL.");
  } else {
    const created = scripting.scripts.create(bodyOrSha);
    if ("error" in created) return reply.error(created.error);
    script = created;
  }
  return scripting.runner.run(
    {
      environment: scripting.scripts.environment,
      fn: script.fn,
      name: script.sha,
      flags: script.flags,
      evalMode: true,
      ro,
      numkeys,
      argv: command.argv,
      source: "@user_script",
    },
    connection,
    reply,
  );
}

const EVAL_FLAGS = ["noscript", "stale", "skip_monitor", "no_mandatory_keys"];
const RO_FLAGS = ["readonly", ...EVAL_FLAGS];

function evalEntry(name: string, sha: boolean, ro: boolean): KvCommand {
  return {
    name,
    arity: -3,
    flags: ro ? RO_FLAGS : EVAL_FLAGS,
    acl: ["scripting"],
    keys: scriptKeys(ro, !sha),
    group: "scripting",
    since: ro ? "7.0.0" : "2.6.0",
    complexity: "Depends on the script that is executed.",
    summary: ro ? "Execute a read-only Lua script server side" : "Execute a Lua script server side",
    inOrder: true,
    handler: (_db, _key, command, reply, connection) =>
      evalGeneric(command, reply, connection, sha, ro),
  };
}

const SCRIPT_HELP = [
  "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "DEBUG (YES|SYNC|NO)",
  "    Set the debug mode for subsequent scripts executed.",
  "EXISTS <sha1> [<sha1> ...]",
  "    Return information about the existence of the scripts in the script cache.",
  "FLUSH [ASYNC|SYNC]",
  "    Flush the Lua scripts cache. Very dangerous on replicas.",
  "    When called without the optional mode argument, the behavior is determined by the",
  "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
  "    * ASYNC: Asynchronously flush the scripts cache.",
  "    * SYNC: Synchronously flush the scripts cache.",
  "KILL",
  "    Kill the currently executing Lua script.",
  "LOAD <script>",
  "    Load a script into the scripts cache without executing it.",
  "HELP",
  "    Prints this help.",
];

const SHARDS = ["request_policy:all_shards"];
const NODES = ["request_policy:all_nodes", "response_policy:all_succeeded"];

/** The scripting commands. */
export const scriptingCommands: readonly KvCommand[] = [
  evalEntry("eval", false, false),
  evalEntry("evalsha", true, false),
  evalEntry("eval_ro", false, true),
  evalEntry("evalsha_ro", true, true),
  {
    name: "script",
    arity: -2,
    group: "scripting",
    since: "2.6.0",
    complexity: "Depends on subcommand.",
    summary: "A container for Lua scripts management commands",
    handler: (_db, _key, _command, reply) => reply.error("ERR syntax error"),
    subcommands: {
      help: {
        arity: 2,
        flags: ["loading", "stale"],
        acl: ["scripting"],
        group: "scripting",
        since: "5.0.0",
        complexity: "O(1)",
        summary: "Show helpful text about the different subcommands",
        handler: (_db, _key, _command, reply) => helpReply(reply, SCRIPT_HELP),
      },
      exists: {
        arity: -3,
        flags: ["noscript"],
        acl: ["scripting"],
        tips: [...SHARDS, "response_policy:agg_logical_and"],
        group: "scripting",
        since: "2.6.0",
        complexity:
          "O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation).",
        summary: "Check existence of scripts in the script cache.",
        handler: (_db, _key, command, reply, connection) => {
          const scripts = scriptingOf(connection.server).scripts;
          reply.arrayHeader(command.length - 1);
          for (let i = 1; i < command.length; i++) {
            reply.integer(scripts.get(command.string(i)) === undefined ? 0 : 1);
          }
        },
      },
      flush: {
        arity: -2,
        flags: ["noscript"],
        acl: ["scripting"],
        tips: NODES,
        group: "scripting",
        since: "2.6.0",
        complexity: "O(N) with N being the number of scripts in cache",
        summary: "Remove all the scripts from the script cache.",
        history: [["6.2.0", "Added the `ASYNC` and `SYNC` flushing mode modifiers."]],
        handler: (_db, _key, command, reply, connection) => {
          const mode = command.string(1).toLowerCase();
          if (command.length > 2 || (command.length === 2 && mode !== "sync" && mode !== "async")) {
            return reply.error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
          }
          scriptingOf(connection.server).scripts.flush();
          reply.status("OK");
        },
      },
      load: {
        arity: 3,
        flags: ["noscript", "stale"],
        acl: ["scripting"],
        tips: NODES,
        group: "scripting",
        since: "2.6.0",
        complexity: "O(N) with N being the length in bytes of the script body.",
        summary: "Load the specified Lua script into the script cache.",
        handler: (_db, _key, command, reply, connection) => {
          const created = scriptingOf(connection.server).scripts.create(command.argv[2]);
          if ("error" in created) return reply.error(created.error);
          reply.bulk(created.sha);
        },
      },
      debug: {
        arity: 3,
        flags: ["noscript"],
        acl: ["scripting"],
        group: "scripting",
        since: "3.2.0",
        complexity: "O(1)",
        summary: "Set the debug mode for executed scripts.",
        handler: (_db, _key, _command, reply) =>
          reply.error("ERR SCRIPT DEBUG is not supported by this server"),
      },
      kill: {
        arity: 2,
        flags: ["noscript", "allow_busy"],
        acl: ["scripting"],
        tips: [...SHARDS, "response_policy:one_succeeded"],
        group: "scripting",
        since: "2.6.0",
        complexity: "O(1)",
        summary: "Kill the script currently in execution.",
        handler: (_db, _key, _command, reply, connection) =>
          scriptKill(scriptingOf(connection.server).runner, reply, true),
      },
    },
  },
  ...functionCommands,
];
