/**
 * Expiry times beyond 2^53 ms keep Redis's full 64-bit precision (PEXPIREAT, EXPIREAT, SET
 * PXAT/EXAT, GETEX, GT/LT comparisons, RENAME/COPY carrying the TTL), against a real
 * redis-server 7.0 in RESP2 and RESP3; overflow errors as Redis gives them.
 */
import { after, before, describe, it } from "node:test";
import { oracleFixture, oracleSkip } from "../helpers/redis_oracle.ts";

const MAX = "9223372036854775807";

describe("expiry near int64 max vs redis-server", { skip: oracleSkip }, () => {
  const fx = oracleFixture({ before, after });
  for (const protocol of [2, 3] as const) {
    it(`RESP${protocol}`, () =>
      fx.check(protocol, async (d) => {
        await d.same("SET", "k", "v");
        for (const at of [MAX, "9223372036854775806", "9007199254740993"]) {
          await d.same("PEXPIREAT", "k", at);
          await d.same("PEXPIRETIME", "k");
          await d.same("EXPIRETIME", "k");
          await d.same("TTL", "k");
        }
        await d.same("PEXPIREAT", "k", "9007199254740994", "GT");
        await d.same("PEXPIREAT", "k", "9007199254740993", "GT");
        await d.same("PEXPIREAT", "k", "9007199254740993", "LT");
        await d.same("PEXPIRETIME", "k");
        for (const command of ["EXPIREAT", "EXPIRE", "PEXPIRE"]) {
          await d.same(command, "k", MAX);
          await d.same(command, "k", "9223372036854775");
          await d.same("EXPIRETIME", "k");
        }
        for (const [option, at] of [["PXAT", MAX], ["EXAT", "9223372036854775"]]) {
          await d.same("SET", "k", "v", option, at);
          await d.same("PEXPIRETIME", "k");
          await d.same("GETEX", "k", option, at);
          await d.same("PEXPIRETIME", "k");
        }
        await d.same("SET", "k", "v", "EXAT", MAX);
        await d.same("GETEX", "k", "PX", MAX);
        await d.same("SET", "k", "v", "PXAT", MAX);
        await d.same("RENAME", "k", "k2");
        await d.same("PEXPIRETIME", "k2");
        await d.same("COPY", "k2", "k3");
        await d.same("PEXPIRETIME", "k3");
        await d.same("PERSIST", "k3");
        await d.same("PEXPIRETIME", "k3");
        await d.same("PEXPIREAT", "k2", "-9223372036854775808");
        await d.same("EXISTS", "k2");
      }));
  }
});
