/**
 * Error replies: the texts Redis uses in many commands (one definition each), the error a
 * handler throws to answer one, and the rule that turns any message into Redis's wire form.
 *
 * @module
 */

/** `-ERR syntax error`. */
export const SYNTAX = "ERR syntax error";
/** `-ERR value is not an integer or out of range` (string2ll / getLongLongFromObject). */
export const NOT_INTEGER = "ERR value is not an integer or out of range";
/** `-ERR value is not a valid float` (getDoubleFromObject). */
export const NOT_FLOAT = "ERR value is not a valid float";
/** `-ERR value is out of range, must be positive` (getPositiveLongFromObjectOrReply). */
export const NOT_POSITIVE = "ERR value is out of range, must be positive";
/** `-ERR value is out of range, value must between ...` for a C int (getIntFromObject). */
export const NOT_INT32 = "ERR value is out of range, value must between -2147483648 and 2147483647";
/** `-ERR increment or decrement would overflow` (INCRBY, DECRBY, HINCRBY...). */
export const OVERFLOW = "ERR increment or decrement would overflow";
/** `-WRONGTYPE ...`: a key holds another kind of value. */
export const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
/** `-ERR DB index is out of range` (SELECT, MOVE, SWAPDB, COPY DB). */
export const DB_INDEX_RANGE = "ERR DB index is out of range";

/**
 * A user argument as C's `%s` prints it into an error text: up to its first NUL byte (Redis's
 * arguments are C strings there) and at most `max` bytes (`%.<max>s`), decoded as UTF-8; ""
 * when missing.
 *
 * @example
 * ```ts
 * import { cText } from "./errors.ts";
 *
 * cText(new Uint8Array([102, 0, 120])); // "f"
 * ```
 */
export function cText(bytes: Uint8Array | undefined, max: number = Infinity): string {
  if (bytes === undefined) return "";
  let end = bytes.indexOf(0);
  if (end < 0) end = bytes.length;
  return decoder.decode(bytes.subarray(0, Math.min(end, max)));
}

const decoder = new TextDecoder();

/** The largest int64 (LLONG_MAX) as a bigint. */
export const LLONG_MAX = 9223372036854775807n;
/** The smallest int64 (LLONG_MIN) as a bigint. */
export const LLONG_MIN = -9223372036854775808n;

/**
 * An error whose message is sent to the client as is (it starts with a Redis code word such as
 * `ERR` or `WRONGTYPE`). Throw it from a handler to answer an error.
 *
 * @example
 * ```ts
 * import { CommandError } from "./errors.ts";
 *
 * function check(n: number): void {
 *   if (n < 0) throw new CommandError("ERR value is out of range, must be positive");
 * }
 * ```
 */
export class CommandError extends Error {
  /** Creates the error; `message` should start with a code word (`ERR ...`). */
  constructor(message: string) {
    super(message);
    this.name = "CommandError";
  }
}

/**
 * Throws a {@link CommandError}: answers the running command with `message`, which starts
 * with its code word ("ERR ...").
 *
 * @example
 * ```ts
 * import { fail, SYNTAX } from "./errors.ts";
 *
 * try {
 *   fail(SYNTAX);
 * } catch (error) {
 *   console.log((error as Error).message); // "ERR syntax error"
 * }
 * ```
 */
export function fail(message: string): never {
  throw new CommandError(message);
}

/**
 * True when `message` starts with an upper-case code word ("WRONGTYPE ...", "ERR ...").
 *
 * @example
 * ```ts
 * import { hasErrorCode } from "./errors.ts";
 *
 * hasErrorCode("NOAUTH Authentication required."); // true
 * hasErrorCode("no such key"); // false
 * ```
 */
export function hasErrorCode(message: string): boolean {
  let i = 0;
  const n = message.length;
  while (i < n) {
    const c = message.charCodeAt(i);
    if ((c >= 65 && c <= 90) || (i > 0 && (c === 95 || (c >= 48 && c <= 57)))) i++;
    else break;
  }
  return i >= 2 && (i === n || message.charCodeAt(i) === 32);
}

/**
 * Turns an error message into Redis's wire form: "ERR " is prefixed unless the message
 * already starts with a code word, and CR/LF become spaces (they would break the protocol).
 *
 * @example
 * ```ts
 * import { errorText } from "./errors.ts";
 *
 * errorText("no such key"); // "ERR no such key"
 * errorText("WRONGTYPE Operation against a key holding the wrong kind of value"); // as is
 * ```
 */
export function errorText(message: string): string {
  if (message.indexOf("\r") !== -1 || message.indexOf("\n") !== -1) {
    message = message.replace(/[\r\n]+/g, " ");
  }
  return hasErrorCode(message) ? message : "ERR " + message;
}

/**
 * The text of whatever a handler threw; never throws itself (hostile values included).
 *
 * @example
 * ```ts
 * import { errorMessage } from "./errors.ts";
 *
 * errorMessage(new Error("boom")); // "boom"
 * errorMessage(42); // "42"
 * ```
 */
export function errorMessage(error: unknown): string {
  try {
    if (error instanceof Error) {
      const message: unknown = error.message;
      return typeof message === "string" ? message : String(message);
    }
    return String(error);
  } catch {
    return "unknown error";
  }
}
