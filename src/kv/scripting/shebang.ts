/**
 * Script flags from a `#!lua flags=...` first line (eval.c's evalExtractShebangFlags), and the
 * flag names shared with `redis.register_function`.
 *
 * @module
 */

/** Script flags (script.h's SCRIPT_FLAG_*). */
export interface ScriptFlags {
  /** No shebang: EVAL's compatibility mode (the flags below are ignored). */
  readonly compat: boolean;
  readonly noWrites: boolean;
  readonly allowOom: boolean;
  readonly allowStale: boolean;
  readonly noCluster: boolean;
  readonly allowCrossSlot: boolean;
}

/** The flags of a script without a shebang. */
export const COMPAT_FLAGS: ScriptFlags = {
  compat: true,
  noWrites: false,
  allowOom: false,
  allowStale: false,
  noCluster: false,
  allowCrossSlot: false,
};

/** Flag names as scripts write them, and the field each sets. */
export const FLAG_NAMES: Readonly<Record<string, keyof ScriptFlags>> = {
  "no-writes": "noWrites",
  "allow-oom": "allowOom",
  "allow-stale": "allowStale",
  "no-cluster": "noCluster",
  "allow-cross-slot-keys": "allowCrossSlot",
};

/** Flags from names; the first unknown name is returned as `unknown`. */
export function flagsFromNames(
  names: readonly string[],
): { flags: ScriptFlags; unknown?: undefined } | { unknown: string } {
  const flags: Record<string, boolean> = { ...COMPAT_FLAGS, compat: false };
  for (const name of names) {
    const field = Object.hasOwn(FLAG_NAMES, name) ? FLAG_NAMES[name] : undefined;
    if (field === undefined) return { unknown: name };
    flags[field] = true;
  }
  return { flags: flags as unknown as ScriptFlags };
}

/**
 * The flags of a script body (a byte string) and the length of its shebang line (kept out of
 * the compiled code, its newline kept so line numbers stay), or the error text.
 *
 * @example
 * ```ts
 * import { parseShebang } from "./shebang.ts";
 *
 * parseShebang("#!lua flags=no-writes\nreturn 1"); // { flags: {..., noWrites: true}, skip: 21 }
 * ```
 */
export function parseShebang(
  body: string,
): { flags: ScriptFlags; skip: number; error?: undefined } | { error: string } {
  if (!body.startsWith("#!")) return { flags: COMPAT_FLAGS, skip: 0 };
  const end = body.indexOf("\n");
  if (end < 0) return { error: "ERR Invalid script shebang" };
  const parts = body.slice(0, end).split(/[ \t\r\v\f]+/).filter((p) => p !== "");
  if (parts.length === 0) return { error: "ERR Invalid engine in script shebang" };
  if (parts[0] !== "#!lua") {
    return { error: `ERR Unexpected engine in script shebang: ${parts[0]}` };
  }
  let flags: ScriptFlags = { ...COMPAT_FLAGS, compat: false };
  for (const part of parts.slice(1)) {
    if (!part.startsWith("flags=")) return { error: `ERR Unknown lua shebang option: ${part}` };
    const list = part.slice(6);
    const parsed = flagsFromNames(list === "" ? [] : list.split(","));
    if (parsed.unknown !== undefined) {
      return { error: `ERR Unexpected flag in script shebang: ${parsed.unknown}` };
    }
    flags = mergeFlags(flags, parsed.flags);
  }
  return { flags, skip: end };
}

function mergeFlags(a: ScriptFlags, b: ScriptFlags): ScriptFlags {
  return {
    compat: false,
    noWrites: a.noWrites || b.noWrites,
    allowOom: a.allowOom || b.allowOom,
    allowStale: a.allowStale || b.allowStale,
    noCluster: a.noCluster || b.noCluster,
    allowCrossSlot: a.allowCrossSlot || b.allowCrossSlot,
  };
}
