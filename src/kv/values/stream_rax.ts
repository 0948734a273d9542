/**
 * How many nodes Redis's radix tree (rax.c) has for a set of stream IDs, each a 16-byte
 * big-endian key: XINFO STREAM's `radix-tree-nodes` and MEMORY USAGE's estimate of a
 * stream's and a PEL's tree depend on it. The tree is the compressed trie of the keys: the
 * root, every key, every branching point, and the head of every run of single-child
 * prefixes after a branching point.
 *
 * @module
 */

import type { StreamId, U64 } from "./stream_id.ts";

/** The 16 bytes of `id` as rax stores it (ms then seq, big-endian). */
function keyOf(id: StreamId): Uint8Array {
  const key = new Uint8Array(16);
  const put = (value: U64, at: number) => {
    let big = BigInt(value);
    for (let i = at + 7; i >= at; i--) {
      key[i] = Number(big & 255n);
      big >>= 8n;
    }
  };
  put(id.ms, 0);
  put(id.seq, 8);
  return key;
}

function commonPrefix(a: Uint8Array, b: Uint8Array, from: number): number {
  let i = from;
  while (i < 16 && a[i] === b[i]) i++;
  return i;
}

/** Nodes under the prefix of length `depth` shared by keys[lo, hi), that prefix's node included. */
function countFrom(keys: readonly Uint8Array[], lo: number, hi: number, depth: number): number {
  if (depth === 16) return 1;
  if (hi - lo === 1) return 2; // a compressed run to the key's node
  const branch = commonPrefix(keys[lo], keys[hi - 1], depth);
  let nodes = (branch > depth ? 1 : 0) + 1;
  let start = lo;
  for (let i = lo + 1; i <= hi; i++) {
    if (i === hi || keys[i][branch] !== keys[start][branch]) {
      nodes += countFrom(keys, start, i, branch + 1);
      start = i;
    }
  }
  return nodes;
}

/**
 * The node count of the radix tree holding `ids` (sorted, distinct).
 *
 * @example
 * ```ts
 * import { raxNodes } from "./stream_rax.ts";
 *
 * raxNodes([]); // 1: the root
 * raxNodes([{ ms: 1, seq: 0 }]); // 2: the root's compressed run and the key
 * ```
 */
export function raxNodes(ids: readonly StreamId[]): number {
  if (ids.length === 0) return 1;
  return countFrom(ids.map(keyOf), 0, ids.length, 0);
}
