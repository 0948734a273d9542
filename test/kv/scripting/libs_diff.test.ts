/**
 * Differential tests of the Lua libraries Redis bundles (cjson, cmsgpack, bit, struct)
 * against a real redis-server 7.0, through EVAL, in RESP2 and RESP3.
 */
import { after, before, describe, it } from "node:test";
import { type Differential, oracleFixture, oracleSkip } from "../../helpers/redis_oracle.ts";

describe("scripting libraries vs redis-server", { skip: oracleSkip }, () => {
  const fx = oracleFixture({ before, after });
  const evals = async (d: Differential, scripts: string[]) => {
    for (const script of scripts) await d.same("EVAL", script, "0");
  };

  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol}`, () => {
      const run = (name: string, body: (d: Differential) => Promise<void>) =>
        it(name, () => fx.check(protocol, body));

      run("cjson.encode", async (d) => {
        await evals(d, [
          "return cjson.encode({1, 2, 3})",
          "return cjson.encode({})",
          "return cjson.encode({a = 1})",
          "return cjson.encode({a = {b = {c = 'd'}}})",
          "return cjson.encode('str\"with\\\\quotes/and\\n\\t\\1\\127')",
          "return cjson.encode(1/3)",
          "return cjson.encode(1e300)",
          "return cjson.encode(-0.0)",
          "return cjson.encode(123456789012345)",
          "return cjson.encode(true)",
          "return cjson.encode(cjson.null)",
          "return cjson.encode({1, cjson.null, 3})",
          "return cjson.encode({[1] = 'a', [2] = 'b', [4] = 'd'})",
          "return cjson.encode({[1] = 'a', [20] = 'b'})",
          "return cjson.encode({[1.5] = 'x'})",
          "return cjson.encode({[3] = 'x'})",
          "return cjson.encode(0/0)",
          "return cjson.encode(1/0)",
          "return cjson.encode(function() end)",
          "return cjson.encode({[true] = 1})",
          "return cjson.encode()",
          "return cjson.encode(1, 2)",
          "local t = {} local c = t for i = 1, 1001 do c[1] = {} c = c[1] end return cjson.encode(t)",
          "local t = {} local c = t for i = 1, 999 do c[1] = {} c = c[1] end return #cjson.encode(t)",
          "return cjson.encode('\\195\\169')",
          "return {cjson.encode_max_depth(), cjson.decode_max_depth(), cjson.encode_number_precision()}",
          "return {cjson.encode_sparse_array()}",
        ]);
      });

      run("cjson.decode", async (d) => {
        await evals(d, [
          "return cjson.decode('[1,2,3]')",
          'return cjson.decode(\'{"a":[1,{"b":"c"}]}\').a[2].b',
          "return cjson.decode('\"\\\\u00e9\\\\ud83d\\\\ude00\"')",
          "return cjson.decode('\"a\\\\/b\\\\n\"')",
          "return tostring(cjson.decode('3.25'))",
          "return tostring(cjson.decode('-1e3'))",
          "return tostring(cjson.decode('1E+2'))",
          "return cjson.decode('true')",
          "return cjson.decode('null') == cjson.null",
          "return type(cjson.decode('null'))",
          "return cjson.decode('[1,null,3]')",
          "return #cjson.decode('[1,null,3]')",
          "return cjson.decode('  [ ]  ')",
          "return cjson.decode('{}')",
          "return cjson.decode('')",
          "return cjson.decode('[1,2')",
          "return cjson.decode('[1,2,]')",
          "return cjson.decode('{\"a\" 1}')",
          "return cjson.decode('{1:2}')",
          "return cjson.decode('{\"a\":1,}')",
          "return cjson.decode('[1] x')",
          "return cjson.decode('tru')",
          "return cjson.decode('\"abc')",
          "return cjson.decode('\"\\\\q\"')",
          "return cjson.decode('\"\\\\u12\"')",
          "return cjson.decode('\"\\\\udc00\"')",
          "return cjson.decode('01')",
          "return tostring(cjson.decode('0x10'))",
          "return tostring(cjson.decode('-Infinity'))",
          "return tostring(cjson.decode('nan'))",
          "return cjson.decode('+1')",
          "return cjson.decode('\\0\\0')",
          "return cjson.decode()",
          "return cjson.decode({})",
          "return cjson.decode(12)",
          "return cjson.decode(string.rep('[', 1001) .. string.rep(']', 1001))",
          "return #cjson.decode(string.rep('[', 1000) .. string.rep(']', 1000))",
          'return cjson.encode(cjson.decode(\'{"k":[1,2,{"x":false}]}\'))',
        ]);
      });

      run("bit", async (d) => {
        await evals(d, [
          "return {bit.tobit(0xffffffff), bit.tobit(2^32 + 5), bit.tobit(-1), bit.tobit(1.5), bit.tobit(2.5), bit.tobit(-2.5)}",
          "return {bit.bnot(0), bit.band(0xff, 0x0f, 0x3), bit.bor(1, 2, 4), bit.bxor(5, 3)}",
          "return {bit.lshift(1, 31), bit.lshift(1, 32), bit.rshift(-1, 28), bit.arshift(-256, 4)}",
          "return {bit.rol(0x12345678, 8), bit.ror(0x12345678, 8), bit.bswap(0x12345678)}",
          "return {bit.tohex(255), bit.tohex(-1), bit.tohex(255, 2), bit.tohex(255, -4), bit.tohex(0x12345678, 12)}",
          "return bit.band()",
          "return bit.tobit('x')",
          "return bit.tobit('12')",
        ]);
      });
    });
  }
});
