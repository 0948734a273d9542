/**
 * Property test of the stream structure (values/stream.ts) against a naive model: a sorted
 * array of live entries. Seeded random sequences of appends (same and different fields,
 * values of every listpack size class), deletions, exact and approximate trims and range
 * reads in both directions must agree on every read, length, first ID and node invariants.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { RedisStream } from "../../src/kv/values/stream.ts";
import {
  compareIds,
  formatId,
  MAX_ID,
  type StreamId,
  U64_MAX,
  ZERO_ID,
} from "../../src/kv/values/stream_id.ts";
import { streamNodeLimits } from "../../src/kv/values/stream_node.ts";

/** A small deterministic PRNG (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

interface ModelEntry {
  id: StreamId;
  pairs: string[];
}

function read(stream: RedisStream, start: StreamId, end: StreamId, rev: boolean, count: number) {
  const out: ModelEntry[] = [];
  stream.range(start, end, rev, (node, i) => {
    const pairs: string[] = [];
    for (let k = 0; k < node.fieldCount(i); k++) {
      pairs.push(text(node.field(i, k)), text(node.value(i, k)));
    }
    out.push({ id: node.id(i), pairs });
    return count === 0 || out.length < count;
  });
  return out;
}

function modelRead(model: ModelEntry[], start: StreamId, end: StreamId, rev: boolean, n: number) {
  const inRange = model.filter((e) => compareIds(e.id, start) >= 0 && compareIds(e.id, end) <= 0);
  if (rev) inRange.reverse();
  return n === 0 ? inRange : inRange.slice(0, n);
}

const show = (entries: ModelEntry[]) => entries.map((e) => `${formatId(e.id)}:${e.pairs}`);

function runSeed(seed: number, steps: number): void {
  const rand = random(seed);
  const stream = new RedisStream();
  let model: ModelEntry[] = [];
  let ms = 1;
  const pick = (n: number) => Math.floor(rand() * n);
  const value = () => {
    const kind = pick(5);
    if (kind === 0) return String(pick(200) - 100);
    if (kind === 1) return String(pick(1e9));
    if (kind === 2) return "v".repeat(pick(80));
    if (kind === 3) return "w".repeat(100 + pick(600));
    return "x" + pick(10);
  };
  const randomId = (): StreamId => {
    const last = model.length > 0 ? model[model.length - 1].id : { ms: ms + 5, seq: 0 };
    return { ms: pick(Number(last.ms) + 3), seq: pick(4) };
  };
  for (let step = 0; step < steps; step++) {
    const op = pick(20);
    if (op < 11) {
      if (rand() < 0.5) ms += 1 + pick(3);
      const last = stream.lastId;
      const id = last.ms === ms
        ? { ms, seq: (last.seq as number) + 1 }
        : { ms: Math.max(ms, last.ms as number), seq: last.ms === ms ? 0 : pick(3) };
      if (compareIds(id, last) <= 0) continue;
      const pairs = rand() < 0.7 ? ["a", value(), "b", value()] : ["c", value()];
      if (rand() < 0.5) stream.append(id, pairs.map(bytes));
      else {
        // As XADD appends: the request's own arguments from the first field on, which the
        // connection may reuse afterwards (here: zeroed), so the node must have copied them.
        const argv = ["XADD", "key", formatId(id), ...pairs].map(bytes);
        stream.append(id, argv, 3);
        for (const arg of argv) arg.fill(0);
      }
      model.push({ id, pairs });
    } else if (op < 14) {
      const ids = [randomId(), randomId()];
      if (model.length > 0) ids.push(model[pick(model.length)].id);
      const deleted: StreamId[] = [];
      for (const id of ids) {
        const had = model.findIndex((e) => compareIds(e.id, id) === 0);
        assert.equal(stream.delete(id), had !== -1, `seed ${seed} step ${step} XDEL`);
        if (had !== -1) {
          model.splice(had, 1);
          deleted.push(id);
        }
      }
      stream.afterDelete(deleted);
    } else if (op < 16) {
      const approx = rand() < 0.5;
      if (rand() < 0.5) {
        const maxlen = pick(model.length + 5);
        const before = model.length;
        const removed = stream.trim({
          strategy: "maxlen",
          maxlen,
          minid: ZERO_ID,
          approx,
          limit: 0,
        });
        model = model.slice(before - stream.length);
        assert.equal(removed, before - stream.length, `seed ${seed} step ${step} trim count`);
        if (!approx) assert.equal(stream.length, Math.min(before, maxlen));
        else assert.ok(stream.length >= Math.min(before, maxlen));
      } else {
        const minid = randomId();
        stream.trim({ strategy: "minid", maxlen: 0, minid, approx, limit: 0 });
        const kept = model.filter((e) => compareIds(e.id, minid) >= 0);
        if (!approx) model = kept;
        else {
          assert.ok(stream.length >= kept.length);
          model = model.slice(model.length - stream.length);
        }
      }
    } else {
      let start = randomId(), end = randomId();
      if (rand() < 0.2) start = ZERO_ID;
      if (rand() < 0.2) end = MAX_ID;
      const rev = rand() < 0.5;
      const count = pick(3) === 0 ? 0 : 1 + pick(8);
      assert.deepEqual(
        show(read(stream, start, end, rev, count)),
        show(modelRead(model, start, end, rev, count)),
        `seed ${seed} step ${step} range ${formatId(start)} ${formatId(end)} rev=${rev}`,
      );
    }
    assert.equal(stream.length, model.length, `seed ${seed} step ${step} length`);
    const first = model.length > 0 ? model[0].id : ZERO_ID;
    assert.equal(formatId(stream.firstId), formatId(first), `seed ${seed} step ${step} first`);
    let live = 0;
    for (const node of stream.nodes) {
      assert.ok(
        node.count <= streamNodeLimits.maxEntries && node.live > 0 && node.live <= node.count,
      );
      live += node.live;
    }
    assert.equal(live, model.length);
  }
  assert.deepEqual(show(read(stream, ZERO_ID, MAX_ID, false, 0)), show(model));
}

describe("stream structure vs a naive model", () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`seed ${seed}: random XADD/XDEL/XTRIM/XRANGE`, () => runSeed(seed, 1500));
  }

  it("IDs at the top of the 64-bit range stay exact", () => {
    const stream = new RedisStream();
    const big: StreamId = { ms: U64_MAX, seq: 18446744073709551614n };
    stream.append({ ms: 9007199254740993n, seq: 0 }, [bytes("f"), bytes("v")]);
    stream.append(big, [bytes("f"), bytes("v")]);
    const ids = read(stream, ZERO_ID, MAX_ID, false, 0).map((e) => formatId(e.id));
    assert.deepEqual(ids, ["9007199254740993-0", "18446744073709551615-18446744073709551614"]);
    assert.equal(stream.delete(big), true);
    assert.equal(stream.length, 1);
  });
});
