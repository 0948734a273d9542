/**
 * Keyspace notifications (Redis's notify.c): the `notify-keyspace-events` flags and the one
 * place events are published from. Events are not published command by command: the
 * keyspace's mutation points report what happened to a key (added, modified, TTL set or
 * cleared, deleted, expired) and {@link KeyspaceEvents} turns that into Redis's events using
 * the running command's declaration ({@link KeyEventSpec}, from its table entry or
 * `notify_events.ts`). With no flag set (the default) the mutation points test one number.
 *
 * @module
 */

import { latin1ToBytes } from "../../resp/bytes.ts";

/** Redis's NOTIFY_* bits. */
const K = 1, E = 2, G = 4, STR = 8, L = 16, S = 32, H = 64, Z = 128, X = 256, EV = 512;
const T = 1024, M = 2048, D = 8192, N = 16384;
/** `A`: every class but `m` and `n`. */
const ALL = G | STR | L | S | H | Z | X | EV | T | D;
const CLASS_BITS: Readonly<Record<string, number>> = {
  g: G,
  $: STR,
  l: L,
  s: S,
  h: H,
  z: Z,
  x: X,
  e: EV,
  t: T,
  m: M,
  d: D,
  n: N,
  K,
  E,
  A: ALL,
};

/**
 * The flags of a `notify-keyspace-events` value, or undefined when it holds a character
 * Redis refuses.
 *
 * @example
 * ```ts
 * import { parseNotifyFlags } from "./notify.ts";
 *
 * parseNotifyFlags("KEA"); // 9995
 * parseNotifyFlags("Q"); // undefined
 * ```
 */
export function parseNotifyFlags(text: string): number | undefined {
  let flags = 0;
  for (const c of text) {
    const bit = CLASS_BITS[c];
    if (bit === undefined) return undefined;
    flags |= bit;
  }
  return flags;
}

/**
 * Redis's canonical text of notification flags (CONFIG GET): `A` or the class letters,
 * then `K`, `E`, `m`.
 *
 * @example
 * ```ts
 * import { formatNotifyFlags, parseNotifyFlags } from "./notify.ts";
 *
 * formatNotifyFlags(parseNotifyFlags("Emn")!); // "nEm"
 * ```
 */
export function formatNotifyFlags(flags: number): string {
  let out = "";
  if ((flags & ALL) === ALL) out = "A";
  else {
    for (const c of "g$lshzxetdn") if (flags & CLASS_BITS[c]) out += c;
  }
  if (flags & K) out += "K";
  if (flags & E) out += "E";
  if (flags & M) out += "m";
  return out;
}

/**
 * The event a command publishes for one of its keys when it changes it.
 *
 * @example
 * ```ts
 * import type { KeyEventSpec } from "./notify.ts";
 *
 * const lpop: KeyEventSpec = { type: "l", event: "lpop", onDelete: "event+del" };
 * ```
 */
export interface KeyEventSpec {
  /** The class letter: `g`, `$`, `l`, `s`, `h`, `z`, `t` (or `x`, `e`, `d`, `n`). */
  readonly type: string;
  /** The event name (the keyevent channel's suffix). */
  readonly event: string;
  /**
   * What the command deleting the key publishes: `del` alone (the default: DEL, a store
   * command with an empty result), the event then `del` (a pop that emptied the key), the
   * event alone (RENAME's source), or nothing.
   */
  readonly onDelete?: "del" | "event+del" | "event" | "none";
  /** Published when the command ends, after its other events (RENAME's `rename_to`). */
  readonly last?: boolean;
}

/**
 * What a command declares: one event for every key it changes, or a function of its
 * arguments, the key and its database (undefined: no event of its own; the keyspace still
 * reports `del`, TTLs, `new` and `expired`).
 */
export type NotifyDeclaration =
  | KeyEventSpec
  | ((
    argv: readonly Uint8Array[],
    key: string,
    db: number,
  ) => KeyEventSpec | readonly KeyEventSpec[] | undefined);

/**
 * Per-command options beside the declaration: `ttl: false` keeps TTLs a command moves with a
 * key (RENAME, MOVE, COPY) from publishing `expire`.
 */
export interface NotifyContext {
  /** The declaration of the running command, if any. */
  readonly declaration: NotifyDeclaration | undefined;
  /** Whether TTLs set by the command publish `expire` / `persist` (default true). */
  readonly ttl: boolean;
}

/** The publisher given by the server: channel and message as bytes. */
export type Publish = (channel: Uint8Array, message: Uint8Array) => void;

/**
 * The keyspace's notification state: the flags, the publisher and the running command. The
 * keyspace calls the `on*` methods at its mutation points when {@link KeyspaceEvents.flags}
 * is not 0.
 *
 * @example
 * ```ts
 * import { KeyspaceEvents } from "./notify.ts";
 *
 * const events = new KeyspaceEvents();
 * events.flags; // 0: nothing is published
 * ```
 */
export class KeyspaceEvents {
  /** The `notify-keyspace-events` bits; 0 publishes nothing. */
  flags = 0;
  /** Where events go (the server's PUBLISH). */
  publish: Publish | undefined;
  #context: NotifyContext | undefined;
  #argv: readonly Uint8Array[] = [];
  #done = new Set<string>();
  #last: Array<[KeyEventSpec, string, number]> | undefined;

  /** Runs `body` as the command `argv` with `context` (events of its changes use it). */
  run<R>(context: NotifyContext, argv: readonly Uint8Array[], body: () => R): R {
    const outer = this.#context, outerArgv = this.#argv, outerDone = this.#done;
    const outerLast = this.#last;
    this.#context = context;
    this.#argv = argv;
    this.#done = new Set();
    this.#last = undefined;
    try {
      return body();
    } finally {
      // Read back: the body may have queued events (narrowing does not see it).
      const last = this.#last as Array<[KeyEventSpec, string, number]> | undefined;
      this.#context = outer;
      this.#argv = outerArgv;
      this.#done = outerDone;
      this.#last = outerLast;
      if (last !== undefined) {
        for (const [spec, key, db] of last) this.notify(spec.type, spec.event, key, db);
      }
    }
  }

  /** Redis's notifyKeyspaceEvent: publishes `event` about `key` if its class is enabled. */
  notify(type: string, event: string, key: string, db: number): void {
    const flags = this.flags;
    const publish = this.publish;
    if ((flags & CLASS_BITS[type]) === 0 || publish === undefined) return;
    if (flags & K) {
      publish(latin1ToBytes(`__keyspace@${db}__:${key}`), latin1ToBytes(event));
    }
    if (flags & E) publish(latin1ToBytes(`__keyevent@${db}__:${event}`), latin1ToBytes(key));
  }

  #spec(key: string, db: number): KeyEventSpec | readonly KeyEventSpec[] | undefined {
    const declaration = this.#context?.declaration;
    if (declaration === undefined) return undefined;
    return typeof declaration === "function" ? declaration(this.#argv, key, db) : declaration;
  }

  #emit(spec: KeyEventSpec | readonly KeyEventSpec[], key: string, db: number): void {
    if (Array.isArray(spec)) {
      for (const one of spec as readonly KeyEventSpec[]) this.#emit(one, key, db);
      return;
    }
    const one = spec as KeyEventSpec;
    if (one.last) (this.#last ??= []).push([one, key, db]);
    else this.notify(one.type, one.event, key, db);
  }

  /** A key was changed by the running command: its event, once per key and command. */
  onModified(db: number, key: string): void {
    if (this.#context === undefined) return;
    const id = `${db}:${key}`;
    if (this.#done.has(id)) return;
    this.#done.add(id);
    const spec = this.#spec(key, db);
    if (spec !== undefined) this.#emit(spec, key, db);
  }

  /** A key was deleted by the running command (see {@link KeyEventSpec.onDelete}). */
  onDeleted(db: number, key: string): void {
    if (this.#context === undefined) return;
    const id = `${db}:${key}`;
    const found = this.#spec(key, db);
    // A list of events is for a key both read from and written to: its first says.
    const spec = Array.isArray(found) ? (found as readonly KeyEventSpec[])[0] : found as
      | KeyEventSpec
      | undefined;
    const mode = spec === undefined ? "del" : spec.onDelete ?? "del";
    if (mode === "none") return;
    const first = !this.#done.has(id);
    this.#done.add(id);
    if (first && found !== undefined && (mode === "event" || mode === "event+del")) {
      this.#emit(found, key, db);
    }
    if (mode === "del" || mode === "event+del") this.notify("g", "del", key, db);
  }

  /** A TTL was set (`ms` defined) or an existing TTL cleared by the running command. */
  onTtl(db: number, key: string, set: boolean): void {
    const context = this.#context;
    if (context === undefined || !context.ttl) return;
    this.notify("g", set ? "expire" : "persist", key, db);
  }

  /** Redis's dbAdd: a new key (`n`). */
  onAdded(db: number, key: string): void {
    this.notify("n", "new", key, db);
  }

  /** A key removed because its TTL passed (lazy or active expiry). */
  onExpired(db: number, key: string): void {
    this.notify("x", "expired", key, db);
  }
}
