/**
 * Consumer groups of a stream (Redis's `streamCG`, `streamConsumer`, `streamNACK`): the
 * group's last delivered ID and entries-read counter, its pending entries list (PEL) and its
 * consumers, each with its own PEL sharing the group's NACKs.
 *
 * @module
 */

import { compareIds, formatId, type StreamId } from "./stream_id.ts";

/** A pending entry: delivered, not acknowledged yet. */
export interface Nack {
  /** The entry ID. */
  readonly id: StreamId;
  /** The consumer it was last delivered to. */
  consumer: Consumer;
  /** Last delivery time (ms). */
  deliveryTime: number;
  /** Times delivered. */
  deliveryCount: number;
}

/**
 * A pending entries list: NACKs by ID, iterable in ID order.
 *
 * @example
 * ```ts
 * import { PendingList } from "./stream_group.ts";
 *
 * const pel = new PendingList();
 * pel.size; // 0
 * ```
 */
export class PendingList {
  #byId = new Map<string, Nack>();
  #sorted: Nack[] = [];

  /** NACKs stored. */
  get size(): number {
    return this.#byId.size;
  }

  /** The NACK of `id`. */
  get(id: StreamId): Nack | undefined {
    return this.#byId.get(formatId(id));
  }

  /** The index of the first NACK with an ID >= `id`. */
  #lowerBound(id: StreamId): number {
    const sorted = this.#sorted;
    let lo = 0, hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareIds(sorted[mid].id, id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Adds a NACK (its ID not already there). */
  add(nack: Nack): void {
    this.#byId.set(formatId(nack.id), nack);
    const sorted = this.#sorted;
    const last = sorted[sorted.length - 1];
    if (last === undefined || compareIds(last.id, nack.id) < 0) sorted.push(nack);
    else sorted.splice(this.#lowerBound(nack.id), 0, nack);
  }

  /** Removes the NACK of `id`; true if it was there. */
  delete(id: StreamId): boolean {
    const key = formatId(id);
    if (!this.#byId.delete(key)) return false;
    this.#sorted.splice(this.#lowerBound(id), 1);
    return true;
  }

  /** NACKs with IDs in [start, end], in order. */
  *range(start: StreamId, end: StreamId): Generator<Nack> {
    const sorted = this.#sorted;
    for (let i = this.#lowerBound(start); i < sorted.length; i++) {
      const nack = sorted[i];
      if (compareIds(nack.id, end) > 0) return;
      yield nack;
    }
  }

  /** The first and last NACK. */
  edges(): [Nack, Nack] | undefined {
    const sorted = this.#sorted;
    if (sorted.length === 0) return undefined;
    return [sorted[0], sorted[sorted.length - 1]];
  }

  /** Every NACK in order. */
  values(): readonly Nack[] {
    return this.#sorted;
  }
}

/** A consumer of a group. */
export class Consumer {
  /** Name (binary string). */
  readonly name: string;
  /** Last time it was seen (ms). */
  seenTime: number;
  /** Its pending entries. */
  readonly pending: PendingList = new PendingList();

  /** A consumer seen at `now`. */
  constructor(name: string, now: number) {
    this.name = name;
    this.seenTime = now;
  }
}

/** A consumer group. */
export class ConsumerGroup {
  /** Last ID delivered to a consumer. */
  lastId: StreamId;
  /** Entries read, -1 when unknown (Redis's SCG_INVALID_ENTRIES_READ). */
  entriesRead: number;
  /** Pending entries of every consumer. */
  readonly pending: PendingList = new PendingList();
  /** Consumers by name. */
  readonly consumers: Map<string, Consumer> = new Map();

  /** A group at `lastId`. */
  constructor(lastId: StreamId, entriesRead: number) {
    this.lastId = lastId;
    this.entriesRead = entriesRead;
  }

  /** The consumer `name`, created at `now` when missing; `created` tells which. */
  consumer(name: string, now: number): { consumer: Consumer; created: boolean } {
    const known = this.consumers.get(name);
    if (known !== undefined) return { consumer: known, created: false };
    const consumer = new Consumer(name, now);
    this.consumers.set(name, consumer);
    return { consumer, created: true };
  }

  /** Deletes a consumer and its pending entries; returns how many were pending. */
  deleteConsumer(name: string): number {
    const consumer = this.consumers.get(name);
    if (consumer === undefined) return 0;
    const pending = consumer.pending.size;
    for (const nack of [...consumer.pending.values()]) this.pending.delete(nack.id);
    this.consumers.delete(name);
    return pending;
  }

  /** Approximate bytes held (MEMORY USAGE). */
  get memory(): number {
    return 100 + this.pending.size * 80 + this.consumers.size * 100;
  }

  /** An independent copy (COPY): consumers and NACKs rebuilt. */
  clone(): ConsumerGroup {
    const copy = new ConsumerGroup(this.lastId, this.entriesRead);
    for (const [name, consumer] of this.consumers) {
      const twin = new Consumer(name, consumer.seenTime);
      copy.consumers.set(name, twin);
      for (const nack of consumer.pending.values()) {
        const nackCopy: Nack = { ...nack, consumer: twin };
        twin.pending.add(nackCopy);
        copy.pending.add(nackCopy);
      }
    }
    return copy;
  }
}
