/**
 * Refusing connections for a while by not listening: the listener is closed (a TCP client
 * gets ECONNREFUSED, a Unix socket's path is removed), connections already open stay, and
 * after the pause the same address is listened on again. How to listen is given by the
 * caller, so this file uses no runtime API.
 *
 * @module
 */

/** Something listening: closing it stops new connections and leaves open ones alone. */
export interface Listening {
  /** Resolves once the listening socket is closed. */
  close(): Promise<void>;
}

/**
 * Closes a listener and opens it again later, on request. Operations run one after another
 * (listening again never overlaps a close), so overlapping pauses extend the refusal.
 */
export class Refusal {
  readonly #open: () => Promise<Listening>;
  #listening: Listening | undefined;
  #queue: Promise<void> = Promise.resolve();
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Why listening again failed, until {@link Refusal.close} reports it. */
  #failure: { error: unknown } | undefined;
  #closed = false;
  /** Attempts to listen again queued or running: a close must wait for them. */
  #reopening = 0;

  /** `listening` is open now; `open` listens again on the same address. */
  constructor(listening: Listening, open: () => Promise<Listening>) {
    this.#listening = listening;
    this.#open = open;
  }

  /**
   * Stops listening and resolves once the listening socket is closed; after `ms` real
   * milliseconds it listens again (a later call restarts the wait). When listening again
   * fails, the listener stays closed and {@link Refusal.close} rejects with the error.
   */
  pause(ms: number): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.resume(), Math.max(0, ms));
    return this.#stopSoon();
  }

  /** Ends a pause now (nothing if not paused). */
  resume(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#reopening++;
    void this.#enqueue(async () => {
      try {
        await this.#listenAgain();
      } finally {
        this.#reopening--;
      }
    });
  }

  /**
   * Stops listening for good (a pause ends without listening again). Rejects with the
   * error of a failed attempt to listen again, if there was one.
   */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#stopSoon();
    const failure = this.#failure;
    this.#failure = undefined;
    if (failure !== undefined) throw failure.error;
  }

  #enqueue(operation: () => Promise<void>): Promise<void> {
    this.#queue = this.#queue.then(operation);
    return this.#queue;
  }

  /**
   * Closes the listener now when nothing is queued (the adapters start closing the listening
   * socket before their first await), else once the queued attempts to listen are done.
   */
  #stopSoon(): Promise<void> {
    if (this.#reopening !== 0) return this.#enqueue(() => this.#stop());
    const stopped = this.#stop();
    return this.#enqueue(() => stopped);
  }

  async #stop(): Promise<void> {
    const listening = this.#listening;
    this.#listening = undefined;
    try {
      await listening?.close();
    } catch {
      // Already closed.
    }
  }

  async #listenAgain(): Promise<void> {
    if (this.#closed || this.#listening !== undefined) return;
    try {
      const listening = await this.#open();
      if (this.#closed) await listening.close();
      else this.#listening = listening;
    } catch (error) {
      this.#failure ??= { error };
    }
  }
}
