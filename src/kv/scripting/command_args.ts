/**
 * What EVAL, FCALL and their families share: the key spec, `numkeys` and HELP replies.
 *
 * @module
 */

import { int64Arg } from "../../server/args.ts";
import type { Command } from "../../server/command.ts";
import type { KeySpec } from "../../server/command_spec.ts";
import { fail } from "../../server/errors.ts";
import type { Reply } from "../../server/reply.ts";

/** EVAL's and FCALL's key spec: `numkeys` at argument 2, keys after it. */
export function scriptKeys(ro: boolean, notes: boolean): KeySpec[] {
  const spec: KeySpec = {
    flags: ro ? ["RO", "access"] : ["RW", "access", "update"],
    begin: { index: 2 },
    find: { keyNumIndex: 0, firstKey: 1, step: 1 },
  };
  if (!notes) return [spec];
  const how = ro ? "RO and ACCESS" : "RW and UPDATE";
  return [{
    ...spec,
    notes: `We cannot tell how the keys will be used so we assume the worst, ${how}`,
  }];
}

/** `numkeys` checked against the arguments (EVAL's and FCALL's rules); throws its error. */
export function keyCount(command: Command, badNumber?: string): number {
  let n: number | bigint;
  try {
    n = int64Arg(command, 1);
  } catch (error) {
    if (badNumber === undefined) throw error;
    fail(badNumber);
  }
  if (n > command.length - 2) fail("ERR Number of keys can't be greater than number of args");
  if (n < 0) fail("ERR Number of keys can't be negative");
  return Number(n);
}

/** Writes a HELP reply (status lines). */
export function helpReply(reply: Reply, lines: readonly string[]): void {
  reply.arrayHeader(lines.length);
  for (const line of lines) reply.status(line);
}
