/**
 * Pub/sub: channel and pattern subscriptions, PUBLISH fan-out with messages encoded once per
 * protocol, and the confirmation replies of (P)SUBSCRIBE / (P)UNSUBSCRIBE.
 *
 * @module
 */

import { Writer } from "../resp/writer.ts";
import type { Connection } from "./connection.ts";
import { globMatch } from "./glob.ts";
import { SINK } from "./output.ts";
import type { Reply } from "./reply.ts";

/**
 * A map key for a byte string: one UTF-16 code unit per byte (exact for any bytes).
 *
 * @example
 * ```ts
 * import { bytesKey } from "./pubsub.ts";
 *
 * bytesKey(new Uint8Array([104, 105])); // "hi"
 * ```
 */
export function bytesKey(bytes: Uint8Array): string {
  if (bytes.length <= 1024) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let out = "";
  for (let i = 0; i < bytes.length; i += 1024) {
    out += String.fromCharCode.apply(null, bytes.subarray(i, i + 1024) as unknown as number[]);
  }
  return out;
}

interface Subscription {
  name: Uint8Array;
  subscribers: Set<Connection>;
}

const MESSAGE = "message";
const PMESSAGE = "pmessage";

/**
 * The server's pub/sub registry. Reached through `Server.pubsub`; `Server.publish()` is the
 * usual entry point for application code.
 *
 * @example
 * ```ts
 * import { Server } from "./server.ts";
 *
 * const server = new Server();
 * server.pubsub.channelCount(); // 0
 * server.publish("news", "hello"); // 0 receivers
 * ```
 */
export class PubSub {
  #channels = new Map<string, Subscription>();
  #patterns = new Map<string, Subscription>();
  #writer = new Writer(256);

  /** Number of channels with at least one subscriber. */
  channelCount(): number {
    return this.#channels.size;
  }

  /** Number of patterns with at least one subscriber (PUBSUB NUMPAT). */
  patternCount(): number {
    return this.#patterns.size;
  }

  /** Active channel names, optionally filtered by a glob (PUBSUB CHANNELS). */
  channels(pattern?: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const sub of this.#channels.values()) {
      if (pattern === undefined || globMatch(pattern, sub.name)) out.push(sub.name);
    }
    return out;
  }

  /** Subscribers of one channel (PUBSUB NUMSUB). */
  subscriberCount(channel: Uint8Array): number {
    return this.#channels.get(bytesKey(channel))?.subscribers.size ?? 0;
  }

  /** SUBSCRIBE: adds the channels and writes one confirmation per channel. */
  subscribe(connection: Connection, channels: Uint8Array[], reply: Reply): void {
    for (const name of channels) {
      const key = bytesKey(name);
      if (!connection.subscribedChannels.has(key)) {
        connection.subscribedChannels.set(key, name);
        let sub = this.#channels.get(key);
        if (sub === undefined) this.#channels.set(key, sub = { name, subscribers: new Set() });
        sub.subscribers.add(connection);
      }
      confirm(connection, reply, "subscribe", name);
    }
  }

  /** PSUBSCRIBE: adds the patterns and writes one confirmation per pattern. */
  psubscribe(connection: Connection, patterns: Uint8Array[], reply: Reply): void {
    for (const name of patterns) {
      const key = bytesKey(name);
      if (!connection.subscribedPatterns.has(key)) {
        connection.subscribedPatterns.set(key, name);
        let sub = this.#patterns.get(key);
        if (sub === undefined) this.#patterns.set(key, sub = { name, subscribers: new Set() });
        sub.subscribers.add(connection);
      }
      confirm(connection, reply, "psubscribe", name);
    }
  }

  /** UNSUBSCRIBE: removes the channels (all when none given), one confirmation each. */
  unsubscribe(connection: Connection, channels: Uint8Array[], reply: Reply | undefined): void {
    this.#remove(
      connection,
      channels,
      connection.subscribedChannels,
      this.#channels,
      "unsubscribe",
      reply,
    );
  }

  /** PUNSUBSCRIBE: removes the patterns (all when none given), one confirmation each. */
  punsubscribe(connection: Connection, patterns: Uint8Array[], reply: Reply | undefined): void {
    this.#remove(
      connection,
      patterns,
      connection.subscribedPatterns,
      this.#patterns,
      "punsubscribe",
      reply,
    );
  }

  /** Drops every subscription of a connection without replies (close, RESET). */
  unsubscribeAll(connection: Connection): void {
    if (connection.subscribedChannels.size > 0) this.unsubscribe(connection, [], undefined);
    if (connection.subscribedPatterns.size > 0) this.punsubscribe(connection, [], undefined);
  }

  #remove(
    connection: Connection,
    names: Uint8Array[],
    own: Map<string, Uint8Array>,
    registry: Map<string, Subscription>,
    kind: string,
    reply: Reply | undefined,
  ): void {
    const list = names.length > 0 ? names : [...own.values()];
    if (list.length === 0) {
      if (reply) confirm(connection, reply, kind, null);
      return;
    }
    for (const name of list) {
      const key = bytesKey(name);
      if (own.delete(key)) {
        const sub = registry.get(key);
        if (sub) {
          sub.subscribers.delete(connection);
          if (sub.subscribers.size === 0) registry.delete(key);
        }
      }
      if (reply) confirm(connection, reply, kind, name);
    }
  }

  /**
   * Delivers a message to the channel's subscribers and to every matching pattern's; returns
   * the number of deliveries (Redis counts a client once per matching subscription). Each
   * message is encoded once per protocol, then appended to each subscriber's output.
   */
  publish(channel: Uint8Array, message: Uint8Array): number {
    let receivers = 0;
    const sub = this.#channels.get(bytesKey(channel));
    if (sub !== undefined) {
      let resp2: Uint8Array | undefined;
      let resp3: Uint8Array | undefined;
      for (const connection of sub.subscribers) {
        if (connection.protocol === 3) {
          connection.deliver(resp3 ??= this.#encode(3, MESSAGE, undefined, channel, message));
        } else {
          connection.deliver(resp2 ??= this.#encode(2, MESSAGE, undefined, channel, message));
        }
        receivers++;
      }
    }
    if (this.#patterns.size > 0) {
      for (const pattern of this.#patterns.values()) {
        if (!globMatch(pattern.name, channel)) continue;
        let resp2: Uint8Array | undefined;
        let resp3: Uint8Array | undefined;
        for (const connection of pattern.subscribers) {
          if (connection.protocol === 3) {
            connection.deliver(resp3 ??= this.#encode(3, PMESSAGE, pattern.name, channel, message));
          } else {
            connection.deliver(resp2 ??= this.#encode(2, PMESSAGE, pattern.name, channel, message));
          }
          receivers++;
        }
      }
    }
    return receivers;
  }

  #encode(
    protocol: 2 | 3,
    kind: string,
    pattern: Uint8Array | undefined,
    channel: Uint8Array,
    message: Uint8Array,
  ): Uint8Array {
    const w = this.#writer;
    w.protocol = protocol;
    w.pushHeader(pattern === undefined ? 3 : 4);
    w.bulk(kind);
    if (pattern !== undefined) w.bulk(pattern);
    w.bulk(channel);
    w.bulk(message);
    return w.take();
  }
}

/**
 * A (un)subscribe confirmation (a push in RESP3). Like every pub/sub message it reaches the
 * client even under CLIENT REPLY OFF / SKIP (Redis's CLIENT_PUSHING), in RESP2 too: then it
 * goes around the muted reply.
 */
function confirm(
  connection: Connection,
  reply: Reply,
  kind: string,
  name: Uint8Array | null,
): void {
  const count = connection.subscriptions;
  if (reply.writer === SINK) {
    const w = CONFIRM_WRITER;
    w.protocol = connection.protocol;
    w.pushHeader(3);
    w.bulk(kind);
    if (name === null) w.null();
    else w.bulk(name);
    w.integer(count);
    connection.deliver(w.take());
    return;
  }
  reply.pushHeader(3);
  reply.bulk(kind);
  if (name === null) reply.null();
  else reply.bulk(name);
  reply.integer(count);
}

const CONFIRM_WRITER = new Writer(64);
