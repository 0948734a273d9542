/**
 * EVAL's script cache (eval.c): scripts compiled once into the eval Lua state under the SHA-1
 * of their body, with their shebang flags; SCRIPT FLUSH starts a fresh state.
 *
 * @module
 */

import { LuaError } from "../../lua/mod.ts";
import type { LuaFunction } from "../../lua/mod.ts";
import { ScriptEnvironment } from "./environment.ts";
import { latin1 } from "./resp_to_lua.ts";
import type { ScriptRunner } from "./runner.ts";
import { parseShebang, type ScriptFlags } from "./shebang.ts";
import { sha1Hex } from "./sha1.ts";

/** A cached script. */
export interface CachedScript {
  readonly sha: string;
  readonly fn: LuaFunction;
  readonly flags: ScriptFlags;
  readonly body: Uint8Array;
}

/** The EVAL scripts of one server. */
export class ScriptCache {
  #environment: ScriptEnvironment;
  readonly #scripts = new Map<string, CachedScript>();
  /** The same scripts by a hash of their SHA's bytes: EVALSHA finds them without a string. */
  readonly #byHash = new Map<number, CachedScript>();
  /** And by a hash of their body: EVAL of a known body compares bytes instead of hashing. */
  readonly #byBody = new Map<number, CachedScript>();
  readonly #runner: ScriptRunner;

  /** A cache whose scripts call back into `runner`. */
  constructor(runner: ScriptRunner) {
    this.#runner = runner;
    this.#environment = new ScriptEnvironment(runner);
  }

  /** The Lua state scripts run in. */
  get environment(): ScriptEnvironment {
    return this.#environment;
  }

  /** Number of cached scripts. */
  get size(): number {
    return this.#scripts.size;
  }

  /** A cached script by SHA (any case). */
  get(sha: string): CachedScript | undefined {
    return this.#scripts.get(sha) ?? this.#scripts.get(sha.toLowerCase());
  }

  /** A cached script by the SHA bytes EVALSHA received (any case). */
  getBytes(sha: Uint8Array): CachedScript | undefined {
    const found = this.#byHash.get(shaHash(sha));
    if (found !== undefined) {
      const known = found.sha;
      let i = 0;
      while (i < 40 && (sha[i] | 0x20) === known.charCodeAt(i)) i++;
      if (i === 40) return found;
    }
    // A hash collision (or no such script): the string map decides.
    return this.get(latin1(sha, 0, sha.length));
  }

  /** Compiles and caches `body` (luaCreateFunction); an error text when it cannot. */
  create(body: Uint8Array): CachedScript | { error: string } {
    const bodyHash = fnv1a(body);
    const seen = this.#byBody.get(bodyHash);
    if (seen !== undefined && sameBytes(seen.body, body)) return seen;
    const sha = sha1Hex(body);
    const known = this.#scripts.get(sha);
    if (known !== undefined) return known;
    const text = latin1(body, 0, body.length);
    const shebang = parseShebang(text);
    if (shebang.error !== undefined) return { error: shebang.error };
    let fn: LuaFunction;
    try {
      fn = this.#environment.lua.load(body.subarray(shebang.skip), "@user_script");
    } catch (error) {
      const message = error instanceof LuaError ? String(error.value) : String(error);
      return { error: `ERR Error compiling script (new function): ${message}` };
    }
    const script = { sha, fn, flags: shebang.flags, body: body.slice() };
    this.#scripts.set(sha, script);
    this.#byHash.set(shaHash(new TextEncoder().encode(sha)), script);
    this.#byBody.set(bodyHash, script);
    return script;
  }

  /** SCRIPT FLUSH: forgets every script and starts a fresh Lua state. */
  flush(): void {
    this.#scripts.clear();
    this.#byHash.clear();
    this.#byBody.clear();
    this.#environment = new ScriptEnvironment(this.#runner);
  }
}

/**
 * A hash of 40 hex digits, case-insensitive (OR 0x20 lower-cases them). Colliding SHAs are
 * told apart by {@link ScriptCache.getBytes}'s comparison, which then falls back on the SHA
 * string.
 */
function shaHash(sha: Uint8Array): number {
  let h = 0;
  for (let i = 0; i < 40; i++) h = (Math.imul(h, 31) + (sha[i] | 0x20)) | 0;
  return h;
}

/** FNV-1a over bytes (32 bits). */
function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
