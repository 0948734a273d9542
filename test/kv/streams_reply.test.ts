/**
 * XADD's ID reply (commands/streams_encode.ts `writeId`): written as bytes without building
 * the ID's text, it must equal the bulk string of `formatId` for every ID shape: short and
 * long (the length header's width changes at 10), the largest safe integers, 64-bit halves
 * (bigints), and milliseconds that change and come back (the digits of the last ones are
 * cached), in RESP2 and RESP3.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Writer } from "../../src/resp/writer.ts";
import { Reply } from "../../src/server/reply.ts";
import { writeId } from "../../src/kv/commands/streams_encode.ts";
import { formatId, type StreamId, U64_MAX } from "../../src/kv/values/stream_id.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

function written(id: StreamId, protocol: 2 | 3): string {
  const writer = new Writer();
  writer.protocol = protocol;
  writeId(new Reply(writer), id);
  return text(writer.take());
}

const ids: StreamId[] = [
  { ms: 0, seq: 0 },
  { ms: 1, seq: 1 },
  { ms: 12345678, seq: 0 }, // "12345678-0": length 10
  { ms: 1234567, seq: 9 }, // length 9
  { ms: 1733462400000, seq: 0 },
  { ms: 1733462400000, seq: 1 },
  { ms: 1733462400001, seq: 999999 },
  { ms: 1733462400000, seq: 10 },
  { ms: 5, seq: Number.MAX_SAFE_INTEGER },
  { ms: Number.MAX_SAFE_INTEGER, seq: Number.MAX_SAFE_INTEGER },
  { ms: 9007199254740992n, seq: 0 },
  { ms: 7, seq: U64_MAX },
  { ms: U64_MAX, seq: U64_MAX },
  { ms: 1733462400000, seq: 2 },
  { ms: 0, seq: 3 },
];

describe("XADD's ID reply", () => {
  for (const protocol of [2, 3] as const) {
    it(`equals the bulk string of formatId (RESP${protocol})`, () => {
      for (const id of ids) {
        const expected = formatId(id);
        assert.equal(
          written(id, protocol),
          `$${expected.length}\r\n${expected}\r\n`,
          `${id.ms}-${id.seq}`,
        );
      }
    });
  }

  it("appends to what the reply already holds", () => {
    const writer = new Writer();
    const reply = new Reply(writer);
    reply.integer(1);
    writeId(reply, { ms: 42, seq: 7 });
    writeId(reply, { ms: 42, seq: 8 });
    assert.equal(text(writer.take()), ":1\r\n$4\r\n42-7\r\n$4\r\n42-8\r\n");
    assert.equal(reply.wrote, true);
  });
});
