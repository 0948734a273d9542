/** The `struct` library (stub). @module */
import { LuaTable } from "../../../lua/mod.ts";

/** Builds the `struct` table. */
export function structLib(): LuaTable {
  return new LuaTable();
}
