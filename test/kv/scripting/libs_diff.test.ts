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
          // Array part and hash part together: objects list the array part first.
          "local t = {1, 2, x = 'y'} return cjson.encode(t)",
          "local t = {x = 1} t[1] = 'a' t[2] = 'b' return cjson.encode(t)",
          "local t = {1, 2, 3} t[2] = nil return cjson.encode(t)",
          "local t = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12} for i = 1, 11 do t[i] = nil end return cjson.encode(t)",
          "local t = {} t[1] = 1 t[3] = 3 t[2] = 2 return cjson.encode(t)",
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
          // Numbers and strings the decoder reads without the full strtod pattern, and next
          // to them those it leaves to it.
          "local t = {} for _, s in ipairs({'-0', '1.', '1.e2', '12.5e-1', '1e', '1e+', '7E3', '-01', '00', '9007199254740993', '1e999', '-1e999', '0.1', '-.5', '.5', '-', '0X1f', '2x'}) do local ok, v = pcall(cjson.decode, s) t[#t + 1] = s .. '=' .. tostring(v) end return t",
          "return tostring(cjson.decode('1' .. string.rep('0', 450)))",
          'return cjson.decode(\'["plain","esc\\\\"aped","tail\\\\n","\\\\u0041bc",""]\')',
          "return cjson.decode('\"abc\\0def\"')",
          "return cjson.decode('\"unterminated')",
          'return cjson.decode(\'{"a":1,"b":[true,false,null],"c":{"d":"e"}}\').c.d',
        ]);
      });

      run("cmsgpack", async (d) => {
        await evals(d, [
          "return cmsgpack.pack(1, -1, 127, 128, 255, 256, 65535, 65536, -32, -33, -128, -129, -32768, -32769)",
          "return cmsgpack.pack(2^32, -2^31, -2^31 - 1, 2^53, -2^53, 2^63, 1.5, 0.1, 1/0, -1/0, 0/0)",
          "return cmsgpack.pack(-0.0)",
          "return cmsgpack.pack('', 'short', string.rep('x', 31), string.rep('y', 32), string.rep('z', 256))",
          "return cmsgpack.pack({}, {1, 2, 3}, {a = 1}, {[1] = 1, [3] = 3}, {true, false})",
          "local t = {1, 2, a = 'x'} return cmsgpack.pack(t)",
          "local t = {1, 2, 3} t[2] = nil return cmsgpack.pack(t)",
          "local t = {a = 1} t[1] = 'x' t[2] = 'y' return cmsgpack.pack(t)",
          "return cmsgpack.pack(string.rep('a', 70000)):sub(1, 8)",
          "local t = {} for i = 1, 20 do t[i] = i end return cmsgpack.pack(t)",
          "local t = {} for i = 1, 70000 do t[i] = 1 end return cmsgpack.pack(t):sub(1, 8)",
          "local t = {} local c = t for i = 1, 20 do c[1] = {} c = c[1] end return cmsgpack.pack(t)",
          "return cmsgpack.pack(nil, function() end)",
          "return cmsgpack.pack()",
          "return {cmsgpack.unpack(cmsgpack.pack(1, 'two', {3, {4}}, true))}",
          "local t = cmsgpack.unpack(cmsgpack.pack({a = 'x'})) return t.a",
          "return {cmsgpack.unpack(cmsgpack.pack(2^40, -2^40, 1.5, 0.1, 300, -300, 70000, -70000))}",
          "return tostring(cmsgpack.unpack(cmsgpack.pack(0.1)))",
          "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3))}",
          "local s = cmsgpack.pack(1, 2, 3) return {cmsgpack.unpack_one(s, 1)}",
          "local s = cmsgpack.pack(1, 2, 3) return {cmsgpack.unpack_one(s, 2)}",
          "local s = cmsgpack.pack(1, 2, 3) return {cmsgpack.unpack_limit(s, 2)}",
          "local s = cmsgpack.pack(1, 2, 3) return {cmsgpack.unpack_limit(s, 5, 1)}",
          "return {cmsgpack.unpack_one('', 0)}",
          "return cmsgpack.unpack_one('abc', 10)",
          "return cmsgpack.unpack_one('abc', -1)",
          "return cmsgpack.unpack('\\205\\1')",
          "return cmsgpack.unpack('\\196\\1x')",
          "return cmsgpack.unpack('\\193')",
          "return cmsgpack.unpack('\\146\\1')",
          "return cmsgpack.unpack()",
          "return {cmsgpack.unpack('\\192\\1')}",
          "return {cmsgpack.unpack('\\203\\64\\9\\33\\251\\84\\68\\45\\24')}",
          "return {cmsgpack.unpack('\\207\\0\\0\\0\\1\\0\\0\\0\\0', '\\211\\255\\255\\255\\255\\255\\255\\255\\254')}",
          "return {cmsgpack.unpack('\\208\\200\\209\\255\\0\\210\\255\\255\\255\\0')}",
        ]);
      });

      run("struct", async (d) => {
        await evals(d, [
          "return struct.pack('>I2', 258)",
          "return struct.pack('<I2', 258)",
          "return struct.pack('bBhHlLiI', -1, 255, -2, 65535, -3, 3, -4, 4)",
          "return struct.pack('>i3', -2)",
          "return struct.pack('!4 b i', 1, 2)",
          "return struct.pack('d', 1.5)",
          "return struct.pack('>f', 0.5)",
          "return struct.pack('c3', 'abcdef')",
          "return struct.pack('c0', 'abcdef')",
          "return struct.pack('s', 'nul')",
          "return struct.pack('x')",
          "return struct.pack('c5', 'ab')",
          "return struct.pack('q', 1)",
          "return struct.pack('i33', 1)",
          "return struct.pack('!3', 1)",
          "return struct.pack('>I2', nil)",
          "return {struct.unpack('>I2', '\\1\\2')}",
          "return {struct.unpack('<i2', '\\254\\255')}",
          "return {struct.unpack('bB', '\\255\\255')}",
          "return {struct.unpack('s', 'abc\\0def')}",
          "return {struct.unpack('c2 c1', 'abc')}",
          "return {struct.unpack('B c0', '\\3abcd')}",
          "return {struct.unpack('>I2', '\\1\\2\\3\\4', 3)}",
          "return {struct.unpack('>I4', '\\1\\2')}",
          "return {struct.unpack('>I2', '\\1\\2', 0)}",
          "return {struct.unpack('s', 'abc')}",
          "return tostring(struct.unpack('d', struct.pack('d', 0.1)))",
          "return {struct.size('bhi'), struct.size('!8 bd'), struct.size('c7'), struct.size('>I3')}",
          "return struct.size('s')",
          "return struct.size('c0')",
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
