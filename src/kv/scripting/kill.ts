/**
 * SCRIPT KILL and FUNCTION KILL (script.c's scriptKill).
 *
 * @module
 */

import type { Reply } from "../../server/reply.ts";
import type { ScriptRunner } from "./runner.ts";

/** `-BUSY` while a script runs, for the commands other clients send meanwhile. */
export const BUSY_SCRIPT =
  "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
/** `-BUSY` while a function runs. */
export const BUSY_FUNCTION =
  "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";

/**
 * Asks the running script to stop (it raises "Script killed by user with SCRIPT KILL..." at
 * its next step check). `evalKill`: SCRIPT KILL (true) or FUNCTION KILL (false).
 */
export function scriptKill(runner: ScriptRunner, reply: Reply, evalKill: boolean): void {
  const ctx = runner.current;
  if (ctx === undefined) return reply.error("NOTBUSY No scripts in execution right now.");
  if (ctx.dirty) {
    return reply.error(
      "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.",
    );
  }
  if (evalKill && !ctx.evalMode) return reply.error(BUSY_FUNCTION);
  if (!evalKill && ctx.evalMode) return reply.error(BUSY_SCRIPT);
  ctx.killed = true;
  reply.status("OK");
}
