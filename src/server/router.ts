/**
 * The command table: names (case-insensitive) to handlers with Redis arity, flags and
 * subcommands.
 *
 * @module
 */

import { CommandStats } from "./command_stats.ts";
import { bytesToString } from "../resp/bytes.ts";
import type { CommandDefinition, CommandSpec, Handler } from "./command_spec.ts";

export type { CommandDefinition, CommandSpec, Handler, KeySpec } from "./command_spec.ts";

/**
 * A registered command, resolved for fast dispatch.
 *
 * @example
 * ```ts
 * import { Router } from "./router.ts";
 *
 * const entry = new Router().register("hi", { arity: 1, handler: () => "hi" }).lookup("HI");
 * entry?.fullName; // "hi"
 * ```
 */
export interface CommandEntry {
  /** Lower-cased name ("get", or "client|setname" for a subcommand). */
  readonly fullName: string;
  /** Lower-cased name of the command itself ("setname"). */
  readonly name: string;
  /** What a handler sees as `command.name`: the name, or the parent's for a subcommand. */
  readonly commandName: string;
  /** The spec as registered. */
  readonly spec: CommandSpec;
  /** Arity, flags and handler copied out of the spec. */
  readonly arity: number;
  /** The handler. */
  readonly handler: Handler;
  /** "noauth" flag. */
  readonly noauth: boolean;
  /** "subscribed" flag (allowed in the RESP2 subscribed context). */
  readonly subscribed: boolean;
  /** "noqueue" flag (executed immediately inside MULTI). */
  readonly noqueue: boolean;
  /** "blocking" flag: while it waits, the connection runs none of its later commands. */
  readonly blocking: boolean;
  /**
   * While its handler answers asynchronously, the connection runs none of its later
   * commands: "noauth" and "blocking" commands, and specs with `inOrder`.
   */
  readonly inOrder: boolean;
  /**
   * "fast" flag (O(1) or O(log N)): timed in runs of fast commands (see `dispatch.ts`);
   * absent is not fast.
   */
  readonly fast?: boolean;
  /** Subcommands, lower-cased, or undefined. */
  readonly subcommands: Map<string, CommandEntry> | undefined;
  /** Calls, time, rejections, failures and latencies (INFO commandstats, latencystats). */
  readonly stats: CommandStats;
}

/** Slots of the command-name cache (a power of two). */
const CACHE_SIZE = 128;
/** Longest name the cache keeps. */
const CACHE_NAME_MAX = 32;

function entryOf(
  name: string,
  fullName: string,
  spec: CommandSpec,
  commandName = name,
): CommandEntry {
  const flags = spec.flags ?? [];
  let subcommands: Map<string, CommandEntry> | undefined;
  if (spec.subcommands) {
    subcommands = new Map();
    for (const [sub, subSpec] of Object.entries(spec.subcommands)) {
      const lower = sub.toLowerCase();
      subcommands.set(lower, entryOf(lower, `${fullName}|${lower}`, subSpec, name));
    }
  }
  return {
    fullName,
    name,
    commandName,
    spec,
    arity: spec.arity,
    handler: spec.handler,
    noauth: flags.includes("noauth"),
    subscribed: flags.includes("subscribed"),
    noqueue: flags.includes("noqueue"),
    blocking: flags.includes("blocking"),
    inOrder: flags.includes("noauth") || flags.includes("blocking") || spec.inOrder === true,
    fast: flags.includes("fast"),
    subcommands,
    stats: new CommandStats(),
  };
}

/**
 * The command table. Names are case-insensitive; registering a name again replaces it, so
 * built-ins can be overridden or removed.
 *
 * @example
 * ```ts
 * import { Router } from "./router.ts";
 *
 * const router = new Router();
 * router.register("hello-world", { arity: 1, handler: () => "hello" });
 * router.register("client", {
 *   arity: -2,
 *   handler: () => {},
 *   subcommands: { id: { arity: 2, handler: (_c, _r, connection) => connection.id } },
 * });
 * router.remove("hello-world");
 * ```
 */
export class Router {
  #entries = new Map<string, CommandEntry>();
  /** The same entries under their upper-case names: "GET" resolves without lower-casing. */
  #upper = new Map<string, CommandEntry>();
  /**
   * Recently dispatched names as sent (bytes) and what they resolved to (null: not
   * registered), direct-mapped by length and first/last byte: a hit costs a short byte
   * comparison instead of a string conversion and a hash lookup. Cleared on every change.
   */
  #cacheNames: Array<Uint8Array | undefined> = new Array(CACHE_SIZE).fill(undefined);
  #cacheEntries: Array<CommandEntry | null> = new Array(CACHE_SIZE).fill(null);

  /** Registers (or replaces) a command. */
  register(name: string, spec: CommandSpec): this {
    const lower = name.toLowerCase();
    const entry = entryOf(lower, lower, spec);
    this.#entries.set(lower, entry);
    this.#upper.set(lower.toUpperCase(), entry);
    this.#clearCache();
    return this;
  }

  /** Registers (or replaces) every command of a table. */
  define(definitions: readonly CommandDefinition[]): this {
    for (const definition of definitions) this.register(definition.name, definition);
    return this;
  }

  /** Removes a command; false if it was not registered. */
  remove(name: string): boolean {
    const lower = name.toLowerCase();
    this.#upper.delete(lower.toUpperCase());
    this.#clearCache();
    return this.#entries.delete(lower);
  }

  #clearCache(): void {
    this.#cacheNames.fill(undefined);
    this.#cacheEntries.fill(null);
  }

  /** The spec registered under `name`. */
  get(name: string): CommandSpec | undefined {
    return this.#entries.get(name.toLowerCase())?.spec;
  }

  /** Whether `name` is registered. */
  has(name: string): boolean {
    return this.#entries.has(name.toLowerCase());
  }

  /** The registered names, lower-cased. */
  names(): string[] {
    return [...this.#entries.keys()];
  }

  /** The resolved entry for `name` (any case), for dispatch. */
  lookup(name: string): CommandEntry | undefined {
    return this.#entries.get(name) ?? this.#upper.get(name) ??
      this.#entries.get(name.toLowerCase());
  }

  /**
   * The resolved entry for a command name as sent (UTF-8 bytes, any case), for dispatch:
   * like `lookup(bytesToString(name))`, with a cache of recent names.
   */
  lookupBytes(name: Uint8Array): CommandEntry | undefined {
    const n = name.length;
    if (n === 0 || n > CACHE_NAME_MAX) return this.lookup(bytesToString(name));
    const slot = (n * 17 + name[0] * 5 + name[n - 1]) & (CACHE_SIZE - 1);
    const cached = this.#cacheNames[slot];
    if (cached !== undefined && cached.length === n) {
      let i = 0;
      while (i < n && cached[i] === name[i]) i++;
      if (i === n) return this.#cacheEntries[slot] ?? undefined;
    }
    const entry = this.lookup(bytesToString(name));
    this.#cacheNames[slot] = new Uint8Array(name); // a copy, whatever kind of view `name` is
    this.#cacheEntries[slot] = entry ?? null;
    return entry;
  }

  /** All resolved entries. */
  entries(): IterableIterator<CommandEntry> {
    return this.#entries.values();
  }
}
