/**
 * Cursor-based iteration over a `Map` with Redis's SCAN guarantee, for the values that keep
 * their members in a Map (hashes, sorted sets).
 *
 * @module
 */

/** A SCAN in progress over a Map: its live iterator and how many items it has passed. */
interface MapScanState<K> {
  iterator: Iterator<K>;
  position: number;
}

const SCAN_STATES_MAX = 16;

/**
 * Cursor-based iteration over a Map's keys with Redis's SCAN guarantee (every key present
 * for the whole iteration is returned; live Map iterators see deletions and insertions).
 * The cursor is the number of keys passed; each object keeps a few live iterators keyed by
 * cursor, and an unknown cursor restarts by skipping that many keys.
 *
 * @example
 * ```ts
 * import { MapScanner } from "./map_scanner.ts";
 *
 * const map = new Map([["a", 1], ["b", 2], ["c", 3]]);
 * const scanner = new MapScanner<string>();
 * const page = scanner.scan(map, 0, 2); // { cursor: 2, keys: ["a", "b"] }
 * scanner.scan(map, page.cursor, 2); // { cursor: 0, keys: ["c"] }
 * ```
 */
export class MapScanner<K> {
  private states = new Map<number, MapScanState<K>>();

  /** One step: up to `count` keys from `cursor`; cursor 0 in the result means done. */
  scan(map: { keys(): Iterator<K> }, cursor: number, count: number): { cursor: number; keys: K[] } {
    let state = cursor === 0 ? undefined : this.states.get(cursor);
    if (state !== undefined) this.states.delete(cursor);
    else {
      state = { iterator: map.keys(), position: 0 };
      for (let i = 0; i < cursor; i++) {
        if (state.iterator.next().done) return { cursor: 0, keys: [] };
        state.position++;
      }
    }
    const keys: K[] = [];
    while (keys.length < count) {
      const r = state.iterator.next();
      if (r.done) return { cursor: 0, keys };
      keys.push(r.value);
      state.position++;
    }
    if (this.states.size >= SCAN_STATES_MAX) {
      this.states.delete(this.states.keys().next().value as number);
    }
    // A distinct position can collide with another scanner's: the later one wins.
    this.states.set(state.position, state);
    return { cursor: state.position, keys };
  }
}
