/**
 * The scripting state of one server: the runner (fake client, running script), the EVAL
 * script cache and the FUNCTION libraries, created on first use.
 *
 * @module
 */

import type { Server } from "../../server/server.ts";
import { ScriptCache } from "./eval.ts";
import { FunctionLibraries } from "./functions.ts";
import { ScriptRunner } from "./runner.ts";

/** Everything scripting keeps per server. */
export interface Scripting {
  readonly runner: ScriptRunner;
  readonly scripts: ScriptCache;
  readonly functions: FunctionLibraries;
}

const states = new WeakMap<Server, Scripting>();

/**
 * The scripting state of `server` (created on first use).
 *
 * @example
 * ```ts
 * import { Server } from "../../server/server.ts";
 * import { scriptingOf } from "./state.ts";
 *
 * scriptingOf(new Server()).scripts.size; // 0
 * ```
 */
export function scriptingOf(server: Server): Scripting {
  let state = states.get(server);
  if (state === undefined) {
    const runner = new ScriptRunner(server);
    state = { runner, scripts: new ScriptCache(runner), functions: new FunctionLibraries(runner) };
    states.set(server, state);
  }
  return state;
}
