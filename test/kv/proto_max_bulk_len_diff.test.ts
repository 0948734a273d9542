/**
 * CONFIG SET/GET proto-max-bulk-len against redis-server 7.0 (RESP2 and RESP3): memory values
 * (units, bounds, wrap-around, error texts), all-or-nothing with other parameters, and the
 * limit applied to the requests of open and new connections, to SETBIT offsets and to
 * APPEND/SETRANGE sizes.
 */
import { after, before, describe, it } from "node:test";
import { type Differential, oracleFixture, oracleSkip } from "../helpers/redis_oracle.ts";

const VALUES = [
  "1mb",
  "1048575",
  "1048576",
  "abc",
  "",
  "-1",
  "-1mb",
  "1kb",
  "1024KB",
  "2MB",
  "1g",
  "1Gb",
  "3m",
  "9223372036854775807",
  "9223372036854775808",
  "18446744073709551616",
  "8589934591gb",
  "8589934592gb",
  "17179869184gb",
  "1 mb",
  "1mbx",
  "0x100000",
  "+1048576",
  "1048576b",
  "1mb\0junk",
  "512mb",
];

describe("proto-max-bulk-len vs redis-server", { skip: oracleSkip }, () => {
  const fx = oracleFixture({ before, after });

  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol}`, () => {
      const run = (name: string, body: (d: Differential) => Promise<void>) =>
        it(name, () => fx.check(protocol, body));

      run("CONFIG SET values and CONFIG GET", async (d) => {
        try {
          for (const value of VALUES) {
            await d.same("CONFIG", "SET", "proto-max-bulk-len", value);
            await d.same("CONFIG", "GET", "proto-max-bulk-len");
          }
          // All or nothing: a later bad parameter restores this one.
          await d.same("CONFIG", "SET", "proto-max-bulk-len", "2mb", "latency-tracking", "x");
          await d.same("CONFIG", "GET", "proto-max-bulk-len");
          await d.same("CONFIG", "SET", "PROTO-MAX-BULK-LEN", "2mb", "proto-max-bulk-len", "3mb");
        } finally {
          await d.both("CONFIG", "SET", "proto-max-bulk-len", "512mb");
        }
      });

      it("the limit applies to open and new connections and to string sizes", async () => {
        const open = await fx.open(protocol);
        const setter = await fx.open(protocol);
        try {
          await setter.same("CONFIG", "SET", "proto-max-bulk-len", "1mb");
          await setter.same("SETBIT", "b", "8388607", "1");
          await setter.same("SETBIT", "b", "8388608", "1");
          await setter.same("SETRANGE", "s", "1048575", "x");
          await setter.same("SETRANGE", "s", "1048576", "x");
          await setter.same("APPEND", "s", "y");
          await setter.same("STRLEN", "s");
          // A bulk of 1 MiB + 1 is refused by a connection opened before the change.
          await open.sameRaw("*2\r\n$4\r\nECHO\r\n$1048577\r\n");
          const fresh = await fx.open(protocol, false);
          await fresh.sameRaw("*2\r\n$4\r\nECHO\r\n$1048577\r\n");
        } finally {
          await setter.both("CONFIG", "SET", "proto-max-bulk-len", "512mb");
        }
      });
    });
  }
});
