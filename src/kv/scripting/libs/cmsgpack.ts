/** The `cmsgpack` library (stub). @module */
import { LuaTable } from "../../../lua/mod.ts";

/** Builds the `cmsgpack` table. */
export function cmsgpackLib(): LuaTable {
  return new LuaTable();
}
