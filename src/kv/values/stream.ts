/**
 * The stream value (Redis's t_stream.c `stream`): entries in {@link StreamNode}s kept in an
 * array sorted by master ID, so appends are O(1), a range read is a binary search over nodes
 * and one inside a node (O(log n + k)), and trimming drops whole nodes from the head. Beside
 * the entries: the last ID, first ID, largest deleted ID, entries-added counter and the
 * consumer groups.
 *
 * @module
 */

import type { RedisObject } from "../keyspace/values.ts";
import type { ConsumerGroup } from "./stream_group.ts";
import { compareIds, MAX_ID, type StreamId, ZERO_ID } from "./stream_id.ts";
import { StreamNode } from "./stream_node.ts";

/** How XADD and XTRIM trim (Redis's `streamAddTrimArgs`). */
export interface TrimOptions {
  /** MAXLEN or MINID. */
  readonly strategy: "maxlen" | "minid";
  /** MAXLEN's count. */
  readonly maxlen: number;
  /** MINID's ID. */
  readonly minid: StreamId;
  /** `~`: whole nodes only. */
  readonly approx: boolean;
  /** Most entries to delete (0: no limit). */
  readonly limit: number;
}

/** A visitor of entries: node and index; return false to stop. */
export type EntryVisitor = (node: StreamNode, index: number) => boolean;

/** A stream. */
export class RedisStream implements RedisObject {
  /** TYPE's name. */
  readonly type = "stream" as const;
  /** Nodes sorted by master ID. */
  nodes: StreamNode[] = [];
  /** Live entries. */
  length = 0;
  /** The largest ID ever added (or set by XSETID). */
  lastId: StreamId = ZERO_ID;
  /** The first live entry's ID (0-0 when empty). */
  firstId: StreamId = ZERO_ID;
  /** The largest ID deleted by XDEL. */
  maxDeletedId: StreamId = ZERO_ID;
  /** Entries ever added. */
  entriesAdded = 0;
  /** Consumer groups by name (binary string). */
  groups: Map<string, ConsumerGroup> = new Map();

  /**
   * Appends an entry with `id` (greater than {@link lastId}) and `parts[from...]` as its
   * [field, value, ...] (XADD passes its request's arguments as they are; the bytes are
   * copied).
   */
  append(id: StreamId, parts: readonly Uint8Array[], from = 0): void {
    const last: StreamNode | undefined = this.nodes[this.nodes.length - 1];
    let tail: StreamNode | undefined = last;
    if (tail !== undefined && !tail.fits(parts, from)) {
      tail.seal();
      tail = undefined;
    }
    if (tail === undefined) {
      // Consecutive nodes with the same fields share one copy of the field names.
      let fields = last?.sameFields(parts, from) ? last.fields : undefined;
      if (fields === undefined) {
        const copies: Uint8Array[] = [];
        for (let i = from; i < parts.length; i += 2) copies.push(parts[i].slice());
        fields = copies;
      }
      tail = new StreamNode(id, fields, last);
      this.nodes.push(tail);
    }
    tail.append(id, parts, from);
    this.length++;
    this.entriesAdded++;
    this.lastId = id;
    if (this.length === 1) this.firstId = id;
  }

  /** The index of the last node whose master ID is <= `id` (-1 when none). */
  #nodeAtOrBefore(id: StreamId): number {
    const nodes = this.nodes;
    let lo = 0, hi = nodes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareIds(nodes[mid].master, id) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /**
   * Visits the live entries with IDs in [start, end], in order (reverse order when `rev`),
   * until `visit` returns false.
   */
  range(start: StreamId, end: StreamId, rev: boolean, visit: EntryVisitor): void {
    if (compareIds(start, end) > 0) return;
    const nodes = this.nodes;
    if (!rev) {
      let n = Math.max(0, this.#nodeAtOrBefore(start));
      for (; n < nodes.length; n++) {
        const node = nodes[n];
        if (compareIds(node.master, end) > 0) return;
        for (let i = node.lowerBound(start); i < node.count; i++) {
          if (node.deleted(i)) continue;
          if (node.compareAt(i, end) > 0) return;
          if (!visit(node, i)) return;
        }
      }
      return;
    }
    for (let n = this.#nodeAtOrBefore(end); n >= 0; n--) {
      const node = nodes[n];
      let i = node.lowerBound(end);
      if (i === node.count || node.compareAt(i, end) > 0) i--;
      for (; i >= 0; i--) {
        if (node.deleted(i)) continue;
        if (node.compareAt(i, start) < 0) return;
        if (!visit(node, i)) return;
      }
    }
  }

  /** The first or last entry's ID; with `skipDeleted` false, deleted ones count too. */
  edgeId(first: boolean, skipDeleted = true): StreamId | undefined {
    const nodes = this.nodes;
    if (first) {
      for (const node of nodes) {
        for (let i = 0; i < node.count; i++) {
          if (!skipDeleted || !node.deleted(i)) return node.id(i);
        }
      }
      return undefined;
    }
    for (let n = nodes.length - 1; n >= 0; n--) {
      const node = nodes[n];
      for (let i = node.count - 1; i >= 0; i--) {
        if (!skipDeleted || !node.deleted(i)) return node.id(i);
      }
    }
    return undefined;
  }

  /** The last live entry's ID (Redis `streamLastValidID`), 0-0 when empty. */
  lastValidId(): StreamId {
    return this.edgeId(false) ?? ZERO_ID;
  }

  /** Whether a live entry has this ID. */
  has(id: StreamId): boolean {
    let found = false;
    this.range(id, id, false, () => {
      found = true;
      return false;
    });
    return found;
  }

  /** Deletes the entry with `id` (XDEL); true if it was there. A node left empty goes. */
  delete(id: StreamId): boolean {
    const n = this.#nodeAtOrBefore(id);
    if (n < 0) return false;
    const node = this.nodes[n];
    const i = node.lowerBound(id);
    if (i === node.count || node.deleted(i) || compareIds(node.id(i), id) !== 0) return false;
    node.delete(i);
    if (node.live === 0) this.nodes.splice(n, 1);
    this.length--;
    return true;
  }

  /** XDEL's bookkeeping after deleting `ids` (first ID, largest deleted ID). */
  afterDelete(deleted: readonly StreamId[]): void {
    if (deleted.length === 0) return;
    let first = false;
    for (const id of deleted) {
      if (compareIds(id, this.firstId) === 0) first = true;
      if (compareIds(id, this.maxDeletedId) > 0) this.maxDeletedId = id;
    }
    if (this.length === 0) this.firstId = ZERO_ID;
    else if (first) this.firstId = this.edgeId(true) ?? MAX_ID;
  }

  /** Redis `streamTrim`: returns the number of entries deleted. */
  trim(options: TrimOptions): number {
    const { strategy, maxlen, minid, approx, limit } = options;
    let deleted = 0;
    while (this.nodes.length > 0) {
      if (strategy === "maxlen" && this.length <= maxlen) break;
      const node = this.nodes[0];
      const entries = node.live;
      if (limit && deleted + entries > limit) break;
      const removeNode = strategy === "maxlen"
        ? this.length - entries >= maxlen
        : compareIds(node.id(node.count - 1), minid) < 0;
      if (removeNode) {
        this.nodes.shift();
        this.length -= entries;
        deleted += entries;
        continue;
      }
      if (approx) break;
      for (let i = 0; i < node.count; i++) {
        const stop = strategy === "maxlen"
          ? this.length <= maxlen
          : compareIds(node.id(i), minid) >= 0;
        if (stop) break;
        if (node.delete(i)) {
          this.length--;
          deleted++;
        }
      }
      break;
    }
    if (this.length === 0) this.firstId = ZERO_ID;
    else if (deleted > 0) this.firstId = this.edgeId(true) ?? MAX_ID;
    return deleted;
  }

  /** Redis `streamRangeHasTombstones` from `start` to the end. */
  hasTombstonesFrom(start: StreamId): boolean {
    const maxDeleted = this.maxDeletedId;
    if (this.length === 0 || compareIds(maxDeleted, ZERO_ID) === 0) return false;
    if (compareIds(this.firstId, maxDeleted) > 0) return false;
    return compareIds(start, maxDeleted) <= 0;
  }

  /** Redis `streamEstimateDistanceFromFirstEverEntry`; -1 when unknown. */
  entriesBefore(id: StreamId): number {
    if (this.entriesAdded === 0) return 0;
    if (this.length === 0 && compareIds(id, this.lastId) < 1) return this.entriesAdded;
    const cmpLast = compareIds(id, this.lastId);
    if (cmpLast === 0) return this.entriesAdded;
    if (cmpLast > 0) return -1;
    const cmpFirst = compareIds(id, this.firstId);
    const maxDeleted = this.maxDeletedId;
    if (
      compareIds(maxDeleted, ZERO_ID) === 0 || compareIds(maxDeleted, this.firstId) < 0
    ) {
      if (cmpFirst < 0) return this.entriesAdded - this.length;
      if (cmpFirst === 0) return this.entriesAdded - this.length + 1;
    }
    return -1;
  }

  /** A group's lag (XINFO GROUPS), undefined when it cannot be known (Redis replies null). */
  lag(group: ConsumerGroup): number | undefined {
    if (this.entriesAdded === 0) return 0;
    if (group.entriesRead !== -1 && !this.hasTombstonesFrom(group.lastId)) {
      return this.entriesAdded - group.entriesRead;
    }
    const read = this.entriesBefore(group.lastId);
    return read === -1 ? undefined : this.entriesAdded - read;
  }

  /** Approximate bytes held (MEMORY USAGE). */
  get memory(): number {
    let bytes = 200;
    for (const node of this.nodes) bytes += node.memory;
    for (const group of this.groups.values()) bytes += group.memory;
    return bytes;
  }

  /** An independent copy (COPY). */
  clone(): RedisStream {
    const copy = new RedisStream();
    copy.nodes = this.nodes.map((node) => node.clone());
    copy.length = this.length;
    copy.lastId = this.lastId;
    copy.firstId = this.firstId;
    copy.maxDeletedId = this.maxDeletedId;
    copy.entriesAdded = this.entriesAdded;
    for (const [name, group] of this.groups) copy.groups.set(name, group.clone());
    return copy;
  }
}
