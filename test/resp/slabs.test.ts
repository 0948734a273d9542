/**
 * Short copies from shared append-only slabs: `Slab.copy` and `Writer.take` hand out bytes
 * that later copies and writes never change.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Slab } from "../../src/resp/slab.ts";
import { Writer } from "../../src/resp/writer.ts";

describe("slabs", () => {
  it("copies share a slab, are never rewritten, and long ones get their own buffer", () => {
    const slab = new Slab(64, 16);
    const source = new Uint8Array(100).map((_, i) => i);
    const a = slab.copy(source, 0, 10);
    const b = slab.copy(source, 10, 30); // longer than 16: its own buffer
    const c = slab.copy(source, 50, 60);
    assert.equal(a.buffer, c.buffer, "short copies share a slab");
    assert.equal(b.buffer.byteLength, 20);
    source.fill(0);
    assert.deepEqual([...a], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual([...c], [50, 51, 52, 53, 54, 55, 56, 57, 58, 59]);
    // Filling the slab starts a new one; earlier copies stay as they were.
    const copies = Array.from(
      { length: 20 },
      (_, i) => slab.copy(new Uint8Array(16).fill(i), 0, 16),
    );
    copies.forEach((copy, i) => assert.deepEqual(copy, new Uint8Array(16).fill(i)));
    assert.notEqual(copies[0].buffer, copies[19].buffer);
    assert.deepEqual([...a], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("Writer.take hands out copies that later writes never change", () => {
    const writer = new Writer();
    writer.simple("OK");
    const first = writer.take();
    writer.integer(12345);
    const second = writer.take();
    writer.bulk("x".repeat(100));
    writer.take();
    assert.equal(new TextDecoder().decode(first), "+OK\r\n");
    assert.equal(new TextDecoder().decode(second), ":12345\r\n");
  });
});
