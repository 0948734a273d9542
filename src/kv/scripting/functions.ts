/**
 * FUNCTION libraries (functions.c, function_lua.c): one Lua state for every library; a
 * library's code runs once at FUNCTION LOAD with only `redis.register_function`, `redis.log`
 * and the version fields visible, and its registered functions run later (FCALL) with the
 * whole scripting environment.
 *
 * @module
 */

import { LuaError, type LuaFunction, LuaTable } from "../../lua/mod.ts";
import { ScriptEnvironment } from "./environment.ts";
import { latin1 } from "./resp_to_lua.ts";
import type { ScriptRunner } from "./runner.ts";
import { FLAG_NAMES, flagsFromNames, type ScriptFlags } from "./shebang.ts";

/** A registered function. */
export interface LibraryFunction {
  readonly name: string;
  readonly description: string | undefined;
  readonly flags: ScriptFlags;
  /** Flag names in Redis's order (FUNCTION LIST). */
  readonly flagNames: readonly string[];
  readonly fn: LuaFunction;
  readonly library: Library;
}

/** A loaded library. */
export interface Library {
  readonly name: string;
  readonly engine: string;
  /** The whole code as loaded (with its shebang). */
  readonly code: Uint8Array;
  readonly functions: Map<string, LibraryFunction>;
}

const NAME_RULE =
  "ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long";

/** How long library code may run at FUNCTION LOAD (functions.c's LOAD_TIMEOUT_MS). */
const LOAD_TIMEOUT_MS = 500;

function validName(name: string): boolean {
  return /^[A-Za-z0-9_]+$/.test(name);
}

/** `#!<engine> name=<lib>` first line (functionExtractLibMetaData), or the error text. */
export function libraryMetadata(
  code: string,
): { engine: string; name: string; body: number } | { error: string } {
  if (!code.startsWith("#!")) return { error: "ERR Missing library metadata" };
  const end = code.indexOf("\n");
  if (end < 0) return { error: "ERR Invalid library metadata" };
  const parts = code.slice(0, end).split(/[ \t\r\v\f]+/).filter((p) => p !== "");
  if (parts.length === 0) return { error: "ERR Invalid library metadata" };
  let name: string | undefined;
  for (const part of parts.slice(1)) {
    if (part.slice(0, 5).toLowerCase() === "name=") {
      if (name !== undefined) {
        return { error: "ERR Invalid metadata value, name argument was given multiple times" };
      }
      name = part.slice(5);
      continue;
    }
    return { error: `ERR Invalid metadata value given: ${part}` };
  }
  if (name === undefined) return { error: "ERR Library name was not given" };
  return { engine: parts[0].slice(2), name, body: end };
}

/** The libraries and functions of one server. */
export class FunctionLibraries {
  /** Libraries by name, in load order. */
  libraries: Map<string, Library> = new Map();
  /** Every library's functions by name. */
  functions: Map<string, LibraryFunction> = new Map();
  readonly #environment: ScriptEnvironment;
  /** The globals library code sees: `__index` is the load API or the real globals. */
  readonly #scriptGlobals = new LuaTable();
  readonly #globalsMeta = new LuaTable();
  readonly #loadApi = new LuaTable();
  #loading: { functions: Map<string, LibraryFunction>; library: Library } | undefined;

  /** Libraries whose functions call back into `runner`. */
  constructor(runner: ScriptRunner) {
    const env = new ScriptEnvironment(runner);
    this.#environment = env;
    const redis = new LuaTable();
    redis.set("register_function", (...a: unknown[]) => this.#register(a));
    for (const key of ["log", "LOG_DEBUG", "LOG_VERBOSE", "LOG_NOTICE", "LOG_WARNING"]) {
      redis.set(key, env.redis.get(key));
    }
    redis.set("REDIS_VERSION", env.redis.get("REDIS_VERSION"));
    redis.set("REDIS_VERSION_NUM", env.redis.get("REDIS_VERSION_NUM"));
    redis.mt = env.lua.globals.mt;
    this.#loadApi.set("redis", redis);
    this.#loadApi.mt = env.lua.globals.mt;
    this.#globalsMeta.set("__index", env.lua.globals);
    this.#globalsMeta.set("__newindex", env.lua.globals.mt!.get("__newindex"));
    this.#scriptGlobals.mt = this.#globalsMeta;
  }

  /** The Lua environment functions run in. */
  get environment(): ScriptEnvironment {
    return this.#environment;
  }

  /** `redis.register_function` (only while a library loads). */
  #register(a: unknown[]): unknown {
    const env: ScriptEnvironment = this.#environment;
    const loading = this.#loading;
    if (loading === undefined) {
      env.raise("redis.register_function can only be called on FUNCTION LOAD command");
    }
    if (a.length < 1 || a.length > 2) {
      env.raise("wrong number of arguments to redis.register_function");
    }
    let name: string | undefined;
    let description: string | undefined;
    let fn: LuaFunction | undefined;
    let flagNames: string[] = [];
    if (a.length === 1) {
      const t = a[0];
      if (!(t instanceof LuaTable)) {
        env.raise(
          "calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).",
        );
      }
      for (let e = t.next(undefined); e !== undefined; e = t.next(e[0])) {
        const [k, v] = e;
        if (typeof k !== "string" && typeof k !== "number") {
          env.raise("named argument key given to redis.register_function is not a string");
        }
        const key = String(k).toLowerCase();
        if (key === "function_name") {
          if (typeof v !== "string" && typeof v !== "number") {
            env.raise("function_name argument given to redis.register_function must be a string");
          }
          name = String(v);
        } else if (key === "description") {
          if (typeof v !== "string" && typeof v !== "number") {
            env.raise("description argument given to redis.register_function must be a string");
          }
          description = String(v);
        } else if (key === "callback") {
          if (typeof v !== "function") {
            env.raise("callback argument given to redis.register_function must be a function");
          }
          fn = v as LuaFunction;
        } else if (key === "flags") {
          if (!(v instanceof LuaTable)) {
            env.raise(
              "flags argument to redis.register_function must be a table representing function flags",
            );
          }
          flagNames = [];
          for (let i = 1; v.get(i) !== undefined; i++) {
            const f = v.get(i);
            if (typeof f !== "string" && typeof f !== "number") break;
            const lower = String(f).toLowerCase();
            if (!Object.hasOwn(FLAG_NAMES, lower)) env.raise("unknown flag given");
            flagNames.push(lower);
          }
        } else env.raise("unknown argument given to redis.register_function");
      }
      if (name === undefined) {
        env.raise("redis.register_function must get a function name argument");
      }
      if (fn === undefined) env.raise("redis.register_function must get a callback argument");
    } else {
      if (typeof a[0] !== "string" && typeof a[0] !== "number") {
        env.raise("first argument to redis.register_function must be a string");
      }
      name = String(a[0]);
      if (typeof a[1] !== "function") {
        env.raise("second argument to redis.register_function must be a function");
      }
      fn = a[1] as LuaFunction;
    }
    if (!validName(name)) env.raise(NAME_RULE.slice(4));
    if (loading.functions.has(name)) env.raise("Function already exists in the library");
    const parsed = flagsFromNames(flagNames);
    if (parsed.unknown !== undefined) env.raise("unknown flag given");
    const flags = parsed.flags;
    const ordered = Object.keys(FLAG_NAMES).filter((f) => flagNames.includes(f));
    loading.functions.set(name, {
      name,
      description,
      flags,
      flagNames: ordered,
      fn,
      library: loading.library,
    });
    return [];
  }

  /** Compiles and runs library code (engine create); the new library, or an error text. */
  create(code: Uint8Array): Library | { error: string } {
    const text = latin1(code, 0, code.length);
    const meta = libraryMetadata(text);
    if ("error" in meta) return meta;
    if (!validName(meta.name)) return { error: NAME_RULE };
    if (meta.engine !== "lua" && meta.engine.toUpperCase() !== "LUA") {
      return { error: `ERR Engine '${meta.engine}' not found` };
    }
    const env = this.#environment;
    const functions = new Map<string, LibraryFunction>();
    const library: Library = { name: meta.name, engine: "LUA", code: code.slice(), functions };
    let chunk: LuaFunction;
    try {
      chunk = env.lua.load(code.subarray(meta.body), "@user_function");
    } catch (error) {
      const message = error instanceof LuaError ? String(error.value) : String(error);
      return { error: `ERR Error compiling function: ${message}` };
    }
    env.lua.call(env.setfenv, chunk, this.#scriptGlobals);
    this.#globalsMeta.set("__index", this.#loadApi);
    this.#loading = { functions, library };
    // Library code only registers functions: Redis stops it after 500 ms.
    const started = Date.now();
    env.lua.setHook(100_000, () => {
      if (Date.now() - started > LOAD_TIMEOUT_MS) env.raise("FUNCTION LOAD timeout");
    });
    try {
      env.lua.call(chunk);
    } catch (error) {
      const value = error instanceof LuaError ? error.value : String(error);
      const message = value instanceof LuaTable
        ? String(value.get("err") ?? "")
        : "ERR " + (typeof value === "string" ? value : String(value));
      return { error: `ERR Error registering functions: ${message}` };
    } finally {
      env.resetHook();
      this.#loading = undefined;
      this.#globalsMeta.set("__index", env.lua.globals);
    }
    if (functions.size === 0) return { error: "ERR No functions registered" };
    return library;
  }

  /**
   * Adds a library (FUNCTION LOAD): with `replace` an existing library of that name is
   * replaced. Returns an error text, or undefined.
   */
  add(library: Library, replace: boolean): string | undefined {
    const old = this.libraries.get(library.name);
    if (old !== undefined && !replace) return `ERR Library '${library.name}' already exists`;
    for (const name of library.functions.keys()) {
      const other = this.functions.get(name);
      if (other !== undefined && other.library !== old) {
        return `ERR Function ${name} already exists`;
      }
    }
    if (old !== undefined) this.delete(old.name);
    this.libraries.set(library.name, library);
    for (const [name, fn] of library.functions) this.functions.set(name, fn);
    return undefined;
  }

  /** Removes a library; false when there is none of that name. */
  delete(name: string): boolean {
    const library = this.libraries.get(name);
    if (library === undefined) return false;
    this.libraries.delete(name);
    for (const fn of library.functions.keys()) this.functions.delete(fn);
    return true;
  }

  /** FUNCTION FLUSH. */
  flush(): void {
    this.libraries.clear();
    this.functions.clear();
  }
}
