/**
 * Runs a Lua 5.1 file the way `lua5.1 FILE` does, on the engine of `src/lua`:
 *
 * ```sh
 * npm run lua -- FILE [ARGS...]     # Node
 * deno task lua FILE [ARGS...]      # Deno
 * bun run lua FILE [ARGS...]        # Bun
 * ```
 *
 * The chunk is named by the path as given (`FILE:3: attempt to ...`); `print` and
 * `io.write` write to standard output; an uncaught error prints `lua: MESSAGE` on standard
 * error and exits with status 1. `arg` holds the script name and its arguments.
 *
 * @module
 */

import { readFileSync, writeSync } from "node:fs";
import process from "node:process";
import { fromText, LuaError, LuaState, LuaTable, toBytes } from "./src/lua/mod.ts";

let pending: string[] = [];
let pendingSize = 0;

function flush(): void {
  const text = pending.join("");
  pending = [];
  pendingSize = 0;
  const bytes = toBytes(text);
  let off = 0;
  while (off < bytes.length) {
    try {
      off += writeSync(1, bytes, off, bytes.length - off);
    } catch (e) {
      // A non-blocking pipe that is full: try again until the reader catches up.
      if ((e as { code?: string }).code !== "EAGAIN") throw e;
    }
  }
}

function write(bytes: string): void {
  pending.push(bytes);
  pendingSize += bytes.length;
  if (pendingSize > 65536) flush();
}

function fail(message: string): never {
  flush();
  writeSync(2, toBytes(`lua: ${message}\n`));
  process.exit(1);
}

/**
 * A state as the runner sets it up: every library (os included), `io.write`, and `print`
 * and `io.write` writing byte strings to `write`.
 */
export function createRunnerState(write: (bytes: string) => void): LuaState {
  const lua = new LuaState({
    stdout: write,
    libs: ["base", "string", "table", "math", "coroutine", "os"],
  });
  const tostring = lua.globals.get("tostring");
  const io = new LuaTable();
  io.set("write", (...args: unknown[]) => {
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (typeof a === "string") write(a);
      else if (typeof a === "number") write(lua.call(tostring, a)[0] as string);
      else {
        const type = a === undefined ? "nil" : lua.call(lua.globals.get("type"), a)[0];
        throw new LuaError(`bad argument #${i + 1} to 'write' (string expected, got ${type})`);
      }
    }
    return io;
  });
  lua.globals.set("io", io);
  return lua;
}

/**
 * Runs a file's bytes as `lua5.1 FILE` would; returns the message of an uncaught error
 * (what follows `lua: `), or undefined on success.
 */
export function runFile(
  lua: LuaState,
  file: string,
  source: Uint8Array,
  args: readonly string[] = [],
): string | undefined {
  if (source[0] === 35) {
    // As luaL_loadfile: a first line starting with '#' is skipped (its newline is kept).
    const nl = source.indexOf(10);
    source = nl < 0 ? new Uint8Array(0) : source.subarray(nl);
  }
  const argTable = LuaTable.from(args.map(fromText), {});
  argTable.set(0, fromText(file));
  lua.globals.set("arg", argTable);
  try {
    lua.call(lua.load(source, "@" + file), ...args.map(fromText));
    return undefined;
  } catch (e) {
    if (!(e instanceof LuaError)) throw e;
    const v = e.value;
    if (typeof v === "string") return v;
    if (typeof v === "number") return String(lua.call(lua.globals.get("tostring"), v)[0]);
    return "(error object is not a string)";
  }
}

/** Runs `lua.ts FILE ARGS...`; returns the exit status. */
export function main(argv: readonly string[]): number {
  const [file, ...rest] = argv;
  if (file === undefined) {
    writeSync(2, "usage: lua FILE [ARGS...]\n");
    return 1;
  }
  let source: Uint8Array;
  try {
    source = readFileSync(file);
  } catch {
    return fail(`cannot open ${file}`);
  }
  const error = runFile(createRunnerState(write), file, source, rest);
  if (error !== undefined) fail(error);
  flush();
  return 0;
}

if (import.meta.main ?? process.argv[1]?.endsWith("lua.ts")) {
  process.exitCode = main(process.argv.slice(2));
}
