/**
 * One client connection: decodes requests, dispatches them through the router, keeps replies
 * in request order (async handlers reserve a slot), batches output into one write per read,
 * applies backpressure and limits, and cleans up on close.
 *
 * @module
 */

import { ProtocolError } from "../resp/errors.ts";
import { RequestDecoder } from "../resp/request_decoder.ts";
import { Writer } from "../resp/writer.ts";
import type { ProtocolVersion } from "../resp/writer.ts";
import { Command } from "./command.ts";
import { errorMessage, errorText } from "./errors.ts";
import { Reply } from "./reply.ts";
import {
  admit,
  answerFailure,
  commandName,
  runHandler,
  startClock,
  stopClock,
} from "./dispatch.ts";
import { endTransaction, queueCommand, type QueuedCommand } from "./multi.ts";
import { ASYNC_WRITER_SIZE, errorBytes, SINK, type Slot, takeReady, TIMED_OUT } from "./output.ts";
import type { Server } from "./server.ts";
import type { Transport } from "./transport.ts";

/**
 * The output queue of every connection that has never queued anything (shared, always empty:
 * items are only ever pushed through `#enqueue`, which gives the connection its own array).
 * An idle connection allocates no queue.
 */
const NO_QUEUE: Array<Uint8Array | Slot> = [];
/** What the connection's reused Command points at between reads. */
const NO_ARGV: Uint8Array[] = [];

/**
 * A client connection, created by {@link Server.accept} for each socket. Handlers receive it
 * as their third argument: per-client state (`db`, `name`, `protocol`, `context`) lives here.
 *
 * @example
 * ```ts
 * import { Server } from "./server.ts";
 *
 * const server = new Server({
 *   handler: (command, reply, connection) => {
 *     connection.context.count = ((connection.context.count as number) ?? 0) + 1;
 *     reply.encode(`${connection.id}/${connection.context.count}: ${command.name}`);
 *   },
 * });
 * ```
 */
export class Connection {
  /** Increasing from 1, as CLIENT ID. */
  readonly id: number;
  /** The peer ("127.0.0.1:53422"); read from the transport, which formats it on demand. */
  get remoteAddress(): string {
    return this.#transport.remoteAddress;
  }

  /** Our end of the socket. */
  get localAddress(): string {
    return this.#transport.localAddress;
  }

  /** CLIENT SETNAME ("" when unset). */
  name = "";
  /** The authenticated user ("default"). */
  user = "default";
  /** The selected database (SELECT). */
  db = 0;
  /** Free for the application (per-connection state; created on first use). */
  get context(): Record<string, unknown> {
    return this.#context ??= {};
  }

  set context(value: Record<string, unknown>) {
    this.#context = value;
  }
  /**
   * Set to true by the key-value store when a key this connection WATCHes changes; EXEC then
   * replies a null array and clears it.
   */
  watchDirty = false;
  /** CLIENT SETINFO LIB-NAME. */
  libName = "";
  /** CLIENT SETINFO LIB-VER. */
  libVersion = "";
  /** When the connection was accepted (ms since epoch). */
  readonly createdAt: number;
  /** Last time the client sent something or a command completed (ms since epoch). */
  lastInteraction: number;
  /** The last command dispatched ("get", "client|list"), for CLIENT LIST. */
  lastCommand = "NULL";

  /** @internal Channels this connection subscribes to (key → name bytes; created on first use). */
  get subscribedChannels(): Map<string, Uint8Array> {
    return this.#channels ??= new Map();
  }

  /** @internal Patterns this connection subscribes to (key → pattern bytes; created on first use). */
  get subscribedPatterns(): Map<string, Uint8Array> {
    return this.#patterns ??= new Map();
  }

  /** @internal Commands queued by MULTI, or null outside a transaction (see `multi.ts`). */
  queuedCommands: QueuedCommand[] | null = null;
  /** @internal An error happened while queueing: EXEC answers EXECABORT. */
  transactionFailed = false;

  // Per-connection state an idle connection does not need is created on first use:
  // 10,000 idle connections must not hold 10,000 maps, arrays and objects they never use.
  #context: Record<string, unknown> | undefined = undefined;
  #channels: Map<string, Uint8Array> | undefined = undefined;
  #patterns: Map<string, Uint8Array> | undefined = undefined;
  #server: Server;
  #transport: Transport;
  #decoder: RequestDecoder;
  #protocol: ProtocolVersion = 2;
  #authenticated: boolean;
  #writer: Writer;
  #reply: Reply;
  #command: Command = new Command();
  /** Output ahead of #writer: ready byte arrays and async slots, in request order. */
  #queue: Array<Uint8Array | Slot> = NO_QUEUE;
  #queuedBytes = 0;
  #pendingSlots = 0;
  /** Bytes handed to the transport since it last reported a full buffer. */
  #inTransport = 0;
  #transportFull = false;
  #readingPaused = false;
  #dispatching = false;
  #flushScheduled = false;
  #closing = false;
  #closed = false;
  #transportClosed = false;
  /** 0 = replies on, 1 = off, 2 = skip the next command's reply. */
  #replyMode = 0;
  #closeHooks: Array<() => void> | undefined = undefined;
  /**
   * A running async command that changes the connection's state for the commands behind it
   * (AUTH, HELLO ... AUTH: "noauth" commands): nothing more is dispatched until it settles.
   */
  #barrier: Slot | undefined = undefined;

  /** @internal Created by {@link Server.accept}. */
  constructor(server: Server, transport: Transport, id: number) {
    this.#server = server;
    this.#transport = transport;
    this.id = id;
    this.createdAt = this.lastInteraction = server.clock.now();
    this.#decoder = new RequestDecoder({ limits: server.options.limits });
    this.#authenticated = !server.requiresAuth;
    this.#decoder.authenticated = this.#authenticated;
    this.#writer = new Writer();
    this.#reply = new Reply(this.#writer);
  }

  /** The protocol spoken: 2 until HELLO 3. Setting it affects the replies written next. */
  get protocol(): ProtocolVersion {
    return this.#protocol;
  }

  set protocol(value: ProtocolVersion) {
    this.#protocol = value;
    this.#writer.protocol = value;
  }

  /** Whether the client has authenticated (always true when no password is configured). */
  get authenticated(): boolean {
    return this.#authenticated;
  }

  set authenticated(value: boolean) {
    this.#authenticated = value;
    this.#decoder.authenticated = value;
  }

  /** True once the socket is gone. */
  get closed(): boolean {
    return this.#closed;
  }

  /** True once close() was called (replies still pending may be flushed). */
  get closing(): boolean {
    return this.#closing;
  }

  /** The server this connection belongs to. */
  get server(): Server {
    return this.#server;
  }

  /** @internal Number of channels subscribed to (creates nothing). */
  get channelCount(): number {
    return this.#channels?.size ?? 0;
  }

  /** @internal Number of patterns subscribed to (creates nothing). */
  get patternCount(): number {
    return this.#patterns?.size ?? 0;
  }

  /** Number of channels plus patterns subscribed to. */
  get subscriptions(): number {
    return (this.#channels?.size ?? 0) + (this.#patterns?.size ?? 0);
  }

  /** Whether the connection is inside MULTI. */
  get inTransaction(): boolean {
    return this.queuedCommands !== null || this.executingTransaction;
  }

  /** @internal True while EXEC runs the queued commands (they must not block). */
  executingTransaction = false;

  /** Whether an async command of this connection is still running. */
  get blocked(): boolean {
    return this.#pendingSlots > 0;
  }

  /** Bytes of request data received and not yet dispatched (CLIENT LIST qbuf). */
  get queryBufferBytes(): number {
    return this.#decoder.bufferedBytes;
  }

  /**
   * Output bytes this connection holds or has handed to a transport that reported a full
   * buffer: replies waiting behind an async command, replies not sent while the transport is
   * full, and what the transport still buffers beyond its high-water mark. Flow control keeps
   * it near `highWaterMark`; the output limits close the client above them.
   */
  get pendingOutputBytes(): number {
    let total = this.#writer.length + this.#queuedBytes + this.#inTransport;
    if (this.#pendingSlots > 0 || this.#queue.length > 0) {
      for (const item of this.#queue) {
        if (!(item instanceof Uint8Array)) {
          total += item.data ? item.data.length : item.reply.writer.length;
        }
      }
    }
    return total;
  }

  /** Registers a callback run once when the connection closes (blocking commands, WATCH). */
  onClose(callback: () => void): void {
    if (this.#closed) callback();
    else (this.#closeHooks ??= []).push(callback);
  }

  /**
   * Graceful close: no further commands are read; commands already running finish, every
   * reply is flushed, then the socket is closed.
   */
  close(): void {
    if (this.#closing || this.#closed) return;
    this.#closing = true;
    this.#pauseReading();
    if (!this.#dispatching) this.#finishClose();
  }

  /** Drops the connection at once, discarding unsent output. */
  destroy(): void {
    if (this.#closed) return;
    this.#closing = true;
    this.#queue.length = 0;
    this.#queuedBytes = 0;
    this.#writer.reset();
    this.#transportClosed = true;
    if (this.#transport.destroy) this.#transport.destroy();
    else this.#transport.close();
  }

  // ---- TransportHandler side (called through the object Server.accept returns) ----

  /** @internal Bytes from the socket. */
  receive(chunk: Uint8Array): void {
    if (this.#closing) return;
    this.lastInteraction = this.#server.clock.now();
    this.#server.stats.netInput += chunk.length;
    this.#decoder.feed(chunk);
    this.#pump();
    if (this.#decoder.bufferedBytes > this.#server.options.maxQueryBuffer && !this.#closing) {
      // Redis: "closing client that reached max query buffer length" (no reply).
      this.destroy();
    }
  }

  /** @internal The transport's buffer has emptied. */
  transportDrained(): void {
    this.#transportFull = false;
    this.#inTransport = 0;
    if (this.#closed) return;
    this.#flush();
    if (this.#closing) this.#finishClose();
    else this.#pump();
  }

  /** @internal The socket is gone (exactly once). */
  transportClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing = true;
    this.#transportClosed = true;
    // Drop pending async results: their promises settle into detached replies.
    for (const item of this.#queue) {
      if (!(item instanceof Uint8Array)) {
        if (item.timer !== undefined) clearTimeout(item.timer);
        item.timer = undefined;
        item.done = true;
        item.reply.setWriter(new Writer(64));
      }
    }
    this.#queue.length = 0;
    this.#queuedBytes = 0;
    this.#pendingSlots = 0;
    this.#barrier = undefined;
    this.#writer.reset();
    this.#decoder.reset();
    this.#server.removeConnection(this);
    const hooks = this.#closeHooks;
    this.#closeHooks = undefined;
    if (hooks !== undefined) {
      for (const hook of hooks) {
        try {
          hook();
        } catch { /* a hook's failure must not stop the others */ }
      }
    }
  }

  // ---- dispatch ----

  /** Dispatches whole commands while output is below the high-water mark, then flushes. */
  #pump(): void {
    if (this.#dispatching || this.#closed) return;
    this.#dispatching = true;
    const hwm = this.#server.options.highWaterMark;
    const decoder = this.#decoder;
    let blocked = false;
    startClock();
    try {
      while (!this.#closing && this.#barrier === undefined) {
        if (this.#transportFull || this.#writer.length + this.#queuedBytes > hwm) {
          // Try to make room before stopping: output ahead of async slots can't move.
          if (!this.#transportFull) this.#flush();
          if (this.#transportFull || this.#writer.length + this.#queuedBytes > hwm) {
            blocked = true;
            break;
          }
        }
        let argv: Uint8Array[] | undefined;
        try {
          argv = decoder.next();
        } catch (error) {
          this.#protocolError(error);
          break;
        }
        if (argv === undefined) break;
        this.#execute(argv);
      }
    } finally {
      this.#dispatching = false;
      stopClock();
    }
    // The last request's arguments are not kept while the connection idles.
    this.#command.load("", NO_ARGV);
    this.#flush();
    if (this.#closing) {
      this.#finishClose();
    } else if (blocked) {
      this.#pauseReading();
    } else if (this.#readingPaused) {
      this.#readingPaused = false;
      this.#transport.resume();
    }
  }

  #pauseReading(): void {
    if (this.#readingPaused || this.#transportClosed) return;
    this.#readingPaused = true;
    this.#transport.pause();
  }

  #protocolError(error: unknown): void {
    const message = error instanceof ProtocolError
      ? error.message
      : "Protocol error: " + errorMessage(error);
    // "expected '$', got '%c'" quotes a raw byte (one char per byte): sent as that byte.
    this.#writer.raw(errorBytes(errorText(message)));
    this.#decoder.reset();
    this.close();
  }

  /** Runs one request: Redis's checks (`dispatch.ts`), MULTI queueing, the handler. */
  #execute(argv: Uint8Array[]): void {
    const entry = admit(this, argv);
    if (entry === undefined) return;
    const name = commandName(entry, argv);
    if (this.queuedCommands !== null && !entry.noqueue) {
      queueCommand(this.queuedCommands, entry, name, argv, this.#reply);
      return;
    }
    const command = this.#command;
    command.load(name, argv);
    const reply = this.#reply;
    if (this.#replyMode !== 0) {
      reply.setWriter(SINK);
      if (this.#replyMode === 2) this.#replyMode = 0;
    }
    const mark = this.#writer.length;
    const pending = runHandler(entry, command, reply, this, true);
    if (reply.writer !== this.#writer) {
      // Muted (CLIENT REPLY OFF/SKIP): the reply went to the sink.
      SINK.reset();
      if (pending === undefined) reply.setWriter(this.#writer);
      else {
        this.#reply = new Reply(this.#writer);
        this.#command = new Command();
      }
      return;
    }
    if (pending !== undefined) {
      const slot = this.#reserveSlot(pending, reply, mark);
      // AUTH / HELLO AUTH with an async authenticate: the commands behind it must be checked
      // with its outcome, so they wait (Redis runs them in order). A blocked client (BLPOP)
      // or a suspended script likewise runs nothing else until it has answered.
      if (entry.inOrder && !slot.done) this.#barrier = slot;
    }
  }

  /**
   * @internal An error answered before the command runs; inside MULTI it also aborts EXEC. `binary`:
   * the message is a byte string (one char per byte) that quotes the client's bytes, sent
   * back as those bytes like Redis does (not re-encoded as UTF-8).
   */
  reject(message: string, binary = false): void {
    if (this.queuedCommands !== null) this.transactionFailed = true;
    if (this.#replyMode !== 0) {
      if (this.#replyMode === 2) this.#replyMode = 0;
      return;
    }
    if (!binary) {
      this.#writer.error(errorText(message));
      return;
    }
    this.#writer.raw(errorBytes(message));
  }

  /**
   * An async handler: its reply keeps writing into a writer of its own, queued in request
   * order; later commands get a fresh Reply and Command on the connection's writer.
   */
  #reserveSlot(pending: Promise<void>, reply: Reply, mark: number): Slot {
    const writer = this.#writer;
    const own = new Writer(ASYNC_WRITER_SIZE);
    own.protocol = this.#protocol;
    if (writer.length > 0) {
      // Replies before this command go to the queue; what its handler wrote before it went
      // async moves to its own writer, so that a rejection can still discard it.
      const bytes = writer.take();
      if (mark > 0) {
        const head = mark < bytes.length ? bytes.subarray(0, mark) : bytes;
        this.#enqueue(head);
        this.#queuedBytes += head.length;
      }
      if (bytes.length > mark) own.raw(bytes.subarray(mark));
    }
    reply.start = reply.start > mark ? reply.start - mark : 0;
    reply.setWriter(own);
    this.#reply = new Reply(writer);
    this.#command = new Command();
    const slot: Slot = { reply, done: false, data: null, timer: undefined };
    this.#enqueue(slot);
    this.#pendingSlots++;
    const timeout = this.#server.options.commandTimeout;
    if (timeout > 0) {
      slot.timer = setTimeout(() => {
        slot.timer = undefined;
        if (slot.done) return;
        reply.setWriter(new Writer(64)); // the late result is dropped
        slot.data = TIMED_OUT;
        this.#settle(slot);
      }, timeout);
    }
    const settled = (): void => {
      if (slot.done) return;
      if (slot.timer !== undefined) clearTimeout(slot.timer);
      slot.timer = undefined;
      this.#settle(slot);
    };
    // `pending` only rejects if answering the error failed too: still free the slot.
    pending.then(settled, (error) => {
      if (!slot.done) answerFailure(reply, error);
      settled();
    });
    return slot;
  }

  /** Appends to the output queue, giving the connection an array of its own first. */
  #enqueue(item: Uint8Array | Slot): void {
    if (this.#queue === NO_QUEUE) this.#queue = [];
    this.#queue.push(item);
  }

  #settle(slot: Slot): void {
    slot.done = true;
    if (this.#barrier === slot) this.#barrier = undefined;
    if (this.#closed) return;
    this.#pendingSlots--;
    this.lastInteraction = this.#server.clock.now();
    if (this.#dispatching) return; // the running pump flushes
    this.#flush();
    if (this.#closing) this.#finishClose();
    else this.#pump();
  }

  // ---- output ----

  /** Sends all output that is ready (everything up to the first unfinished slot) in one write. */
  #flush(force = false): void {
    if (this.#transportClosed || (this.#transportFull && !force)) return;
    const queue = this.#queue;
    if (queue.length === 0) {
      if (this.#writer.length > 0) this.#write(this.#writer.take());
      return;
    }
    const count = { freed: 0 };
    const bytes = takeReady(queue, this.#writer, count);
    this.#queuedBytes -= count.freed;
    if (bytes !== undefined) this.#write(bytes);
  }

  #write(bytes: Uint8Array): void {
    const server = this.#server;
    server.stats.netOutput += bytes.length;
    if (this.#transport.write(bytes)) {
      if (!this.#transportFull) this.#inTransport = 0;
      else this.#inTransport += bytes.length;
    } else {
      this.#transportFull = true;
      this.#inTransport += bytes.length;
    }
    this.#checkOutputLimit();
  }

  #checkOutputLimit(): void {
    const options = this.#server.options;
    const limit = this.subscriptions > 0 ? options.pubsubOutputLimit : options.outputLimit;
    if (limit > 0 && this.pendingOutputBytes > limit) this.destroy();
  }

  /** Completes a graceful close once every running command has answered. */
  #finishClose(): void {
    if (this.#pendingSlots > 0 || this.#transportClosed) return;
    this.#flush(true);
    this.#transportClosed = true;
    this.#transport.close();
  }

  /**
   * @internal Appends pub/sub output (already encoded) after everything written so far and
   * flushes it soon (one write per connection per tick).
   */
  deliver(bytes: Uint8Array): void {
    if (this.#closing) return;
    this.#writer.raw(bytes);
    if (!this.#dispatching && !this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(() => {
        this.#flushScheduled = false;
        if (!this.#dispatching) this.#flush();
      });
    }
    const limit = this.#server.options.pubsubOutputLimit;
    if (limit > 0 && this.#writer.length + this.#queuedBytes + this.#inTransport > limit) {
      this.destroy();
    }
  }

  /** @internal CLIENT REPLY: "on", "off" or "skip". Answers +OK only for "on". */
  setReplyMode(mode: "on" | "off" | "skip", reply: Reply): void {
    if (mode === "on") {
      this.#replyMode = 0;
      reply.setWriter(this.#writer);
      reply.status("OK");
    } else {
      this.#replyMode = mode === "off" ? 1 : 2;
      reply.setWriter(SINK);
      reply.wrote = true;
    }
  }

  /** @internal RESET: back to a fresh connection's state (subscriptions are dropped too). */
  reset(): void {
    this.#replyMode = 0;
    this.protocol = 2;
    this.name = "";
    this.db = 0;
    endTransaction(this);
    if (this.subscriptions > 0) this.#server.pubsub.unsubscribeAll(this);
    if (this.#server.requiresAuth) {
      this.authenticated = false;
      this.user = "default";
    }
  }
}
