/**
 * The request decoders hand consecutive commands of the same name one array for `argv[0]`
 * (a pipeline repeats its command), an array of its own that keeps no chunk alive.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { bytesToString, RequestDecoder } from "../../src/resp/mod.ts";

const encoder = new TextEncoder();

function decodeAll(decoder: RequestDecoder, text: string): Uint8Array[][] {
  const chunk = encoder.encode(text);
  decoder.feed(chunk);
  const out: Uint8Array[][] = [];
  for (let argv = decoder.next(); argv !== undefined; argv = decoder.next()) out.push(argv);
  return out;
}

describe("command names of a pipeline", () => {
  it("repeat one array while the name repeats, a new one when it changes", () => {
    const decoder = new RequestDecoder();
    const all = decodeAll(
      decoder,
      "*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$4\r\nPING\r\n" +
        "*1\r\n$4\r\nPINg\r\n*1\r\n$4\r\nPINg\r\n",
    );
    assert.deepEqual(all.map((argv) => argv.map(bytesToString)), [
      ["PING"],
      ["PING"],
      ["ECHO", "PING"],
      ["PINg"],
      ["PINg"],
    ]);
    assert.equal(all[0][0], all[1][0]);
    assert.notEqual(all[2][0], all[1][0]);
    // An argument with the name's bytes is not the name's array.
    assert.notEqual(all[2][1], all[1][0]);
    assert.notEqual(all[3][0], all[1][0]);
    assert.equal(all[3][0], all[4][0]);
    // The next read's commands reuse it too.
    const next = decodeAll(decoder, "*2\r\n$4\r\nPINg\r\n$1\r\nx\r\n");
    assert.equal(next[0][0], all[4][0]);
    // So do other decoders' (one name for every client of a workload).
    const other = decodeAll(new RequestDecoder(), "*1\r\n$4\r\nPINg\r\n");
    assert.equal(other[0][0], all[4][0]);
  });

  it("is a copy: it keeps no chunk alive", () => {
    const decoder = new RequestDecoder();
    const chunk = encoder.encode("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
    decoder.feed(chunk);
    const argv = decoder.next()!;
    assert.equal(bytesToString(argv[0]), "GET");
    assert.notEqual(argv[0].buffer, chunk.buffer);
    assert.equal(argv[0].byteLength, argv[0].buffer.byteLength);
  });
});
