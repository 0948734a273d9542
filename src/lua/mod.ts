/**
 * A Lua 5.1 engine in TypeScript, with no dependencies: Lua chunks are compiled to
 * JavaScript functions. Strings are byte strings (JavaScript strings whose char codes are
 * 0..255); {@link toBytes} and {@link fromBytes} convert them to and from `Uint8Array`.
 *
 * @example
 * ```ts
 * import { LuaState } from "./mod.ts";
 * const lua = new LuaState();
 * console.log(lua.run("return ('x'):rep(3), 2^10")); // [ "xxx", 1024 ]
 * ```
 *
 * @module
 */

export { LuaError } from "./error.ts";
export {
  fromBytes,
  fromText,
  type LuaLibName,
  type LuaNative,
  type LuaRun,
  LuaState,
  type LuaStateOptions,
  toBytes,
  toText,
} from "./state.ts";
export { LuaTable, LuaUserdata } from "./table.ts";
export { type LuaFunction, LuaThread } from "./runtime.ts";
