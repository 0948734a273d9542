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
  while (off < bytes.length) off += writeSync(1, bytes, off, bytes.length - off);
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

/** Runs `lua.ts FILE ARGS...`; returns the exit status. */
export function main(argv: readonly string[]): number {
  const [file, ...rest] = argv;
  if (file === undefined) {
    writeSync(2, "usage: lua FILE [ARGS...]\n");
    return 1;
  }
  const lua = new LuaState({
    stdout: write,
    libs: ["base", "string", "table", "math", "coroutine", "os"],
  });
  const io = new LuaTable();
  io.set("write", (...args: unknown[]) => {
    for (const a of args) {
      if (typeof a === "string") write(a);
      else if (typeof a === "number") write(lua.call(lua.globals.get("tostring"), a)[0] as string);
      else {
        const type = a === undefined ? "nil" : lua.call(lua.globals.get("type"), a)[0];
        throw new LuaError(`bad argument #1 to 'write' (string expected, got ${type})`);
      }
    }
    return io;
  });
  lua.globals.set("io", io);
  lua.globals.set("arg", LuaTable.from(rest.map(fromText), {}));
  (lua.globals.get("arg") as LuaTable).set(0, fromText(file));
  let source: Uint8Array;
  try {
    source = readFileSync(file);
  } catch {
    return fail(`cannot open ${file}`);
  }
  try {
    const chunk = lua.load(source, "@" + file);
    lua.call(chunk, ...rest.map(fromText));
  } catch (e) {
    if (!(e instanceof LuaError)) throw e;
    const v = e.value;
    const msg = typeof v === "string"
      ? v
      : typeof v === "number"
      ? String(lua.call(lua.globals.get("tostring"), v)[0])
      : "(error object is not a string)";
    fail(msg);
  }
  flush();
  return 0;
}

if (import.meta.main ?? process.argv[1]?.endsWith("lua.ts")) {
  process.exitCode = main(process.argv.slice(2));
}
