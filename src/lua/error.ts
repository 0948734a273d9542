/**
 * The error a Lua program raises, as it travels through TypeScript.
 *
 * `value` is the Lua value given to `error` (any value, not only strings). Library code
 * raises `new LuaError(message)` with the bare message, as `luaL_error` formats it; the
 * interpreter adds the `chunk:line:` position of the calling Lua function where Lua 5.1
 * would (`luaL_where(L, 1)`).
 *
 * @module
 */

/** A Lua error: `value` is the raised Lua value (a byte string for messages). */
export class LuaError extends Error {
  /** The raised Lua value. */
  value: unknown;
  /**
   * The stack level whose position (`chunk:line: `) a string value still has to receive
   * when the error is caught: 1 (the default) is the Lua code that called the raising native
   * function, as luaL_error does; 0 means the value is final.
   */
  level: number;
  /**
   * Where the Lua code was when it raised (an engine site, decoded by `LuaState.raisedAt`),
   * recorded when the error is first caught; 0 while unknown.
   */
  site = 0;

  /** Makes an error carrying `value`; a string value is also the JavaScript message. */
  constructor(value: unknown, level = 1) {
    super(typeof value === "string" ? value : "(error object is not a string)");
    this.name = "LuaError";
    this.value = value;
    this.level = level;
  }

  /** Replaces the carried value (and the JavaScript message with it). */
  setValue(value: unknown): void {
    this.value = value;
    this.message = typeof value === "string" ? value : "(error object is not a string)";
  }
}
