/**
 * The decoders' fast paths for large payloads that arrive in small pieces: the pieces go
 * straight into a coalescing buffer of the payload's size (when at most 64 KiB), which is then
 * handed out as the payload without a second copy and never written again. Checked at every
 * piece size and split offset around the buffer's edges, with the bytes buffered counted
 * (within the header lines already read), and with the next payload (which must not reuse the handed-out buffer) decoded
 * after it.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { RequestDecoder } from "../../src/resp/request_decoder.ts";
import { ReplyDecoder } from "../../src/resp/reply_decoder.ts";

const latin1 = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** `*2\r\n$4\r\nECHO\r\n$<size>\r\n<size bytes from seed>\r\n` */
function echo(size: number, seed: number): { input: Uint8Array; value: Uint8Array } {
  const header = latin1(`*2\r\n$4\r\nECHO\r\n$${size}\r\n`);
  const input = new Uint8Array(header.length + size + 2);
  input.set(header);
  for (let i = 0; i < size; i++) input[header.length + i] = 33 + ((i * 7 + seed) % 90);
  input.set(latin1("\r\n"), header.length + size);
  return { input, value: input.slice(header.length, header.length + size) };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Feeds `input` cut at `cuts` (each piece a buffer of its own), draining after every piece;
 * checks `bufferedBytes` after each (every byte held, less header lines already read). */
function decodeRequests(input: Uint8Array, cuts: number[]): Uint8Array[][] {
  const decoder = new RequestDecoder();
  const out: Uint8Array[][] = [];
  let fed = 0;
  let consumed = 0;
  for (const cut of [...cuts, input.length]) {
    if (cut <= fed) continue;
    decoder.feed(input.slice(fed, cut));
    fed = cut;
    for (let argv = decoder.next(); argv !== undefined; argv = decoder.next()) {
      out.push(argv);
      consumed += 4 + 10 + argv[1].length + String(argv[1].length).length + 5;
    }
    const held = fed - consumed;
    assert.ok(decoder.bufferedBytes <= held && decoder.bufferedBytes >= held - 32);
  }
  return out;
}

function pieces(length: number, size: number, from = 0): number[] {
  const cuts: number[] = [];
  if (from > 0) cuts.push(from);
  for (let at = from + size; at < length; at += size) cuts.push(at);
  return cuts;
}

describe("decoders: large payloads in small pieces", () => {
  it("requests: every piece size, first offset and payload size around the edges", () => {
    for (const size of [32768, 40000, 65534, 65535, 65536, 70000]) {
      const a = echo(size, 1);
      const b = echo(size, 2);
      const input = concat([a.input, b.input]);
      for (const piece of [1, 2, 7, 16, 17, 100, 1023, 1024, 5000]) {
        for (const from of piece === 1 ? [0] : [0, 1, 3, piece - 1]) {
          const got = decodeRequests(input, pieces(input.length, piece, from));
          assert.equal(got.length, 2, `size ${size} piece ${piece} from ${from}`);
          assert.deepEqual(got[0][1], a.value, `size ${size} piece ${piece} from ${from}`);
          assert.deepEqual(got[1][1], b.value, `size ${size} piece ${piece} from ${from}`);
          // The first payload was not overwritten by the second.
          assert.deepEqual(got[0][1], a.value);
        }
      }
    }
  });

  it("requests: a split at every offset around the header and the payload's ends", () => {
    const size = 40000;
    const a = echo(size, 3);
    const b = echo(size, 4);
    const input = concat([a.input, b.input]);
    const header = a.input.length - size - 2;
    const offsets: number[] = [];
    for (let at = 1; at < header + 40; at++) offsets.push(at);
    for (let at = a.input.length - 40; at < a.input.length + header + 40; at++) offsets.push(at);
    for (let at = input.length - 40; at < input.length; at++) offsets.push(at);
    for (const split of offsets) {
      // One split, then the rest in 7-byte pieces (small pieces after the split).
      for (const rest of [7, input.length]) {
        const cuts = [split, ...pieces(input.length, rest, split).filter((c) => c > split)];
        const got = decodeRequests(input, cuts);
        assert.equal(got.length, 2, `split ${split} rest ${rest}`);
        assert.deepEqual(got[0][1], a.value, `split ${split} rest ${rest}`);
        assert.deepEqual(got[1][1], b.value, `split ${split} rest ${rest}`);
      }
    }
  });

  it("requests: a kept payload is never written again by later payloads", () => {
    const decoder = new RequestDecoder();
    const kept: Uint8Array[] = [];
    const values: Uint8Array[] = [];
    for (let n = 0; n < 6; n++) {
      const { input, value } = echo(n % 2 === 0 ? 40000 : 50000, n);
      values.push(value);
      for (let i = 0; i < input.length; i += 7) {
        decoder.feed(input.slice(i, i + 7));
        for (let argv = decoder.next(); argv !== undefined; argv = decoder.next()) {
          kept.push(argv[1]);
        }
      }
    }
    assert.equal(kept.length, 6);
    for (let n = 0; n < 6; n++) assert.deepEqual(kept[n], values[n]);
    // Each payload that arrived in small pieces is one buffer of its size (no larger
    // buffer is kept alive by it), and no two share a buffer.
    for (const arg of kept) assert.ok(arg.buffer.byteLength <= arg.length + 2);
    assert.equal(new Set(kept.map((arg) => arg.buffer)).size, 6);
  });

  it("requests: a payload whose first bytes came with the header is whole", () => {
    const a = echo(33000, 5);
    const header = a.input.length - 33000 - 2;
    // The header and 1500 payload bytes in one piece (kept as a piece of its own), the rest
    // in small pieces.
    const got = decodeRequests(a.input, pieces(a.input.length, 9, header + 1500));
    assert.deepEqual(got[0][1], a.value);
  });

  it("replies: bulks in small pieces, kept across later bulks", () => {
    for (const strings of [false, true]) {
      const decoder = new ReplyDecoder({ bulkAsString: strings });
      const sizes = [32768, 40000, 65534, 65536, 70000, 40000];
      const values = sizes.map((size, n) => {
        const value = new Uint8Array(size);
        for (let i = 0; i < size; i++) value[i] = 97 + ((i + n) % 26);
        return value;
      });
      const input = concat(
        values.flatMap((v) => [latin1(`$${v.length}\r\n`), v, latin1("\r\n:7\r\n")]),
      );
      const got: unknown[] = [];
      for (const piece of [7, 16]) {
        got.length = 0;
        for (let i = 0; i < input.length; i += piece) {
          decoder.feed(input.slice(i, i + piece));
          for (let v = decoder.next(); v !== undefined; v = decoder.next()) got.push(v);
        }
        assert.equal(decoder.bufferedBytes, 0);
        assert.equal(got.length, 2 * values.length);
        for (let n = 0; n < values.length; n++) {
          const expected = strings ? new TextDecoder().decode(values[n]) : values[n];
          assert.deepEqual(got[2 * n], expected, `piece ${piece} value ${n}`);
          assert.equal(got[2 * n + 1], 7);
        }
      }
    }
  });

  it("reset() while a payload is collected drops it; the next one decodes", () => {
    const decoder = new RequestDecoder();
    const a = echo(40000, 6);
    for (let i = 0; i < 20000; i += 7) {
      decoder.feed(a.input.slice(i, i + 7));
      assert.equal(decoder.next(), undefined);
    }
    decoder.reset();
    assert.equal(decoder.bufferedBytes, 0);
    const b = echo(40000, 7);
    let argv: Uint8Array[] | undefined;
    for (let i = 0; i < b.input.length; i += 7) {
      decoder.feed(b.input.slice(i, i + 7));
      argv = decoder.next() ?? argv;
    }
    assert.ok(argv !== undefined);
    assert.deepEqual(argv[1], b.value);
  });
});
