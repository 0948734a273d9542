/** The `cjson` library (stub). @module */
import { LuaTable } from "../../../lua/mod.ts";

/** Builds the `cjson` table. */
export function cjsonLib(): LuaTable {
  return new LuaTable();
}
