/**
 * Long scripts (script.c's busy-reply-threshold): the `busy-reply-threshold` parameter (alias
 * `lua-time-limit`, 5000 ms), and the gate that answers other clients `-BUSY` while a script
 * that ran past it is suspended between its slices, except the commands Redis flags
 * `allow_busy` (SCRIPT KILL, FUNCTION KILL, FUNCTION STATS, MULTI, WATCH, AUTH, ...).
 *
 * @module
 */

import { parseLong } from "../../server/args.ts";
import type { Server } from "../../server/server.ts";
import { BUSY_FUNCTION, BUSY_SCRIPT } from "./kill.ts";
import { type Scripting, scriptingOf } from "./state.ts";

const attached = new WeakSet<Server>();

/**
 * Adds `busy-reply-threshold` / `lua-time-limit` to CONFIG and the BUSY gate to `server`
 * (once).
 *
 * @example
 * ```ts
 * import { Server } from "../../server/server.ts";
 * import { attachScripting } from "./busy.ts";
 *
 * attachScripting(new Server());
 * ```
 */
export function attachScripting(server: Server): void {
  if (attached.has(server)) return;
  attached.add(server);
  const runner = () => scriptingOf(server).runner;
  for (const name of ["busy-reply-threshold", "lua-time-limit"]) {
    server.addConfigParameter({
      name,
      get: () => String(runner().busyThreshold),
      set: (value) => {
        const ms = parseLong(value);
        if (ms === undefined || ms < 0 || !Number.isSafeInteger(ms)) return false;
        runner().busyThreshold = ms;
        return true;
      },
    });
  }
  // The gate runs before every command: the state is looked up once (its entry in
  // scriptingOf's WeakMap is never replaced), not per command.
  let scripting: Scripting | undefined;
  server.addCommandGate((_connection, entry) => {
    const ctx = (scripting ??= scriptingOf(server)).runner.current;
    if (ctx === undefined || !ctx.timedOut) return undefined;
    if (entry.spec.flags?.includes("allow_busy")) return undefined;
    return ctx.evalMode ? BUSY_SCRIPT : BUSY_FUNCTION;
  });
}
