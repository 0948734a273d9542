/** Test helper: RESP values as plain trees that `assert.deepEqual` compares exactly. */
import {
  Attributed,
  Push,
  ReplyError,
  type RespValue,
  VerbatimString,
} from "../../src/resp/mod.ts";

/** A plain, comparable tree for a RespValue (Map/Set/classes/-0/NaN/bigint made explicit). */
export function normalize(value: RespValue): unknown {
  if (value === null) return ["null"];
  switch (typeof value) {
    case "string":
      return ["str", value];
    case "number":
      return ["num", Object.is(value, -0) ? "-0" : String(value)];
    case "bigint":
      return ["big", value.toString()];
    case "boolean":
      return ["bool", value];
  }
  if (value instanceof Uint8Array) return ["bytes", Array.from(value).join(",")];
  if (Array.isArray(value)) return ["array", value.map(normalize)];
  if (value instanceof Map) {
    return ["map", [...value].map(([k, v]) => [normalize(k), normalize(v)])];
  }
  if (value instanceof Set) return ["set", [...value].map(normalize)];
  if (value instanceof ReplyError) return ["error", value.message, value.code, value.bulk];
  if (value instanceof VerbatimString) return ["verbatim", value.format, value.text];
  if (value instanceof Push) return ["push", value.items.map(normalize)];
  if (value instanceof Attributed) {
    return ["attributed", normalize(value.attributes), normalize(value.value)];
  }
  throw new Error(`Not a RespValue: ${String(value)}`);
}
