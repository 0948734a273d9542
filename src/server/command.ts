/**
 * The command a handler receives: the request's arguments as owned byte arrays plus cheap
 * accessors.
 *
 * @module
 */

import { bytesToString, parseInteger } from "../resp/bytes.ts";
import { CommandError, NOT_INTEGER } from "./errors.ts";

export { CommandError } from "./errors.ts";

const EMPTY: Uint8Array[] = [];

/**
 * One request as a handler sees it. `args` are the arguments after the command name (and,
 * for a subcommand, `args[0]` is the subcommand name). Every byte array is safe to keep: no
 * later input overwrites it; a kept one keeps the bytes of its socket read alive (see
 * RequestDecoder), so copy small ones you keep for long. A handler that returns a Promise may
 * keep using its Command after awaiting; the connection then hands out a new one for later
 * requests.
 *
 * @example
 * ```ts
 * import type { Command } from "./command.ts";
 *
 * function describe(command: Command): string {
 *   return `${command.name} with ${command.length} args, first: ${command.string(0)}`;
 * }
 * ```
 */
export class Command {
  #name = "";
  #argv: Uint8Array[] = EMPTY;
  #args: Uint8Array[] | undefined = EMPTY;

  /** @internal Points this (reused) object at the next request. */
  load(name: string, argv: Uint8Array[]): void {
    this.#name = name;
    this.#argv = argv;
    this.#args = undefined;
  }

  /** The lower-cased command name ("get"); for a subcommand, the parent's name. */
  get name(): string {
    return this.#name;
  }

  /** The whole request: `argv[0]` is the name as sent. */
  get argv(): Uint8Array[] {
    return this.#argv;
  }

  /** The arguments after the name (allocated on first use; prefer {@link Command.arg}). */
  get args(): Uint8Array[] {
    return this.#args ??= this.argv.slice(1);
  }

  /** The number of arguments after the name. */
  get length(): number {
    return this.argv.length - 1;
  }

  /** Argument `index` (0 = first after the name) as bytes, or undefined. */
  arg(index: number): Uint8Array | undefined {
    return this.argv[index + 1];
  }

  /** Argument `index` as a UTF-8 string ("" when missing). */
  string(index: number): string {
    const bytes = this.argv[index + 1];
    return bytes === undefined ? "" : bytesToString(bytes);
  }

  /**
   * Argument `index` as a strict integer (Redis `string2ll` rules); throws
   * "ERR value is not an integer or out of range" otherwise.
   */
  integer(index: number): number {
    const bytes = this.argv[index + 1];
    const value = bytes === undefined ? undefined : parseInteger(bytes);
    if (value === undefined) throw new CommandError(NOT_INTEGER);
    return value;
  }

  /**
   * Whether argument `index` is the option word `word` (lower case, no NUL), compared as
   * Redis's `strcasecmp` compares it: ignoring ASCII case, and with the argument read as a C
   * string, so it ends at its first NUL byte (`NX\0` is NX). Subcommand names, which Redis
   * finds by a dictionary lookup of the whole argument, are matched elsewhere.
   */
  is(index: number, word: string): boolean {
    const bytes = this.argv[index + 1];
    if (bytes === undefined) return false;
    const length = word.length;
    if (bytes.length !== length && (bytes.length < length || bytes[length] !== 0)) return false;
    for (let i = 0; i < length; i++) {
      let c = bytes[i];
      if (c >= 65 && c <= 90) c += 32;
      if (c !== word.charCodeAt(i)) return false;
    }
    return true;
  }

  /**
   * Argument `index` lower-cased (ASCII) and read as a C string (up to its first NUL byte),
   * for option words that Redis compares with `strcasecmp`.
   */
  lower(index: number): string {
    const bytes = this.argv[index + 1];
    const end = bytes === undefined ? -1 : bytes.indexOf(0);
    return (end === -1 ? this.string(index) : bytesToString(bytes!.subarray(0, end)))
      .toLowerCase();
  }
}
