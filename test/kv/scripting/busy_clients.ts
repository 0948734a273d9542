/**
 * Two clients for the busy-script differential tests: `a` runs the long script, `b` (opened
 * without a flush) watches, with busy-reply-threshold lowered to 200 ms on both servers.
 *
 * @module
 */
import type { Differential } from "../../helpers/redis_oracle.ts";

/** What `oracleFixture` gives: a fresh Differential pair per call. */
interface Fixture {
  open(protocol?: 2 | 3, flush?: boolean): Promise<Differential>;
}

/** The script's client and the watcher, with busy-reply-threshold at 200 ms. */
export async function busyClients(
  fx: Fixture,
  protocol: 2 | 3,
): Promise<[Differential, Differential]> {
  const a = await fx.open(protocol);
  const b = await fx.open(protocol, false);
  await b.same("CONFIG", "SET", "busy-reply-threshold", "200");
  return [a, b];
}

/** Puts busy-reply-threshold back to Redis's default (5 s) on both servers. */
export async function restoreThreshold(b: Differential): Promise<void> {
  await b.same("CONFIG", "SET", "busy-reply-threshold", "5000");
}
