/**
 * Differential test of COMMAND against a real redis-server 7.0: for every command the
 * key-value server implements, COMMAND INFO, COMMAND DOCS (without `arguments`, which this
 * server does not reproduce) and COMMAND GETKEYS / GETKEYSANDFLAGS on a few argument vectors
 * must be what Redis answers, in RESP2 and RESP3; COMMAND COUNT and COMMAND LIST (with its
 * filters) must agree on the implemented set. Subcommands Redis has and we do not are left
 * out of Redis's replies; the order of commands and subcommands (a hash table's in Redis) is
 * not compared. A failure lists every command that differs.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { RespValue } from "../../src/resp/types.ts";
import { connectClient, type RawClient } from "../helpers/client.ts";
import {
  type Oracle,
  oracleSkip,
  type OurServer,
  startKeyValueServer,
  startOracle,
  toPlain,
} from "../helpers/redis_oracle.ts";

/** Commands of ours that Redis 7.0 does not have (Redis 7.2's CLIENT SETINFO). */
const NOT_IN_REDIS_7_0 = new Set(["client|setinfo"]);

const text = (value: RespValue): string =>
  value instanceof Uint8Array ? new TextDecoder().decode(value) : String(value);

/** The entries of a map reply: a RESP3 Map, or RESP2's flat array of key, value. */
function entriesOf(value: RespValue): Array<[RespValue, RespValue]> {
  if (value instanceof Map) return [...value.entries()];
  const list = value as RespValue[];
  const out: Array<[RespValue, RespValue]> = [];
  for (let i = 0; i < list.length; i += 2) out.push([list[i], list[i + 1]]);
  return out;
}

/** Rebuilds a map reply in the same form (RESP3 Map or RESP2 flat array). */
function rebuild(like: RespValue, entries: Array<[RespValue, RespValue]>): RespValue {
  if (like instanceof Map) return new Map(entries);
  return entries.flat();
}

const byName = (a: [RespValue, RespValue], b: [RespValue, RespValue]): number =>
  text(a[0]) < text(b[0]) ? -1 : text(a[0]) > text(b[0]) ? 1 : 0;

/**
 * One command's COMMAND DOCS map without `arguments`, its subcommands kept when `keep`
 * says so and sorted by name.
 */
function docsView(docs: RespValue, keep: (name: string) => boolean): unknown {
  const entries = entriesOf(docs).filter(([key]) => text(key) !== "arguments").map((
    [key, value],
  ): [RespValue, RespValue] => {
    if (text(key) !== "subcommands") return [key, value];
    const subs = entriesOf(value).filter(([name]) => keep(text(name))).sort(byName).map((
      [name, sub],
    ): [RespValue, RespValue] => [name, docsView(sub, keep) as RespValue]);
    return [key, rebuild(value, subs)];
  });
  return toPlain(rebuild(docs, entries));
}

/** One command's COMMAND INFO array, its subcommands kept when `keep` says so, by name. */
function infoView(info: RespValue, keep: (name: string) => boolean): unknown {
  if (!Array.isArray(info)) return toPlain(info);
  const copy = [...info];
  const subs = copy[9];
  if (Array.isArray(subs)) {
    copy[9] = subs.filter((sub) => keep(text((sub as RespValue[])[0])))
      .sort((a, b) => {
        const x = text((a as RespValue[])[0]), y = text((b as RespValue[])[0]);
        return x < y ? -1 : x > y ? 1 : 0;
      })
      .map((sub) => infoView(sub, keep) as RespValue);
  }
  return toPlain(copy);
}

/** Argument vectors for COMMAND GETKEYS: the arity's minimum and a few more, keys and counts. */
function vectors(name: string, arity: number): string[][] {
  const [base, sub] = name.split("|");
  const head = sub === undefined ? [base] : [base, sub];
  const min = Math.abs(arity) - head.length;
  const lengths = arity > 0 ? [min] : [min, min + 1, min + 2, min + 4];
  const out: string[][] = [];
  for (const n of lengths) {
    if (n < 0) continue;
    const keys = Array.from({ length: n }, (_, i) => `k${i}`);
    out.push([...head, ...keys]);
    if (n > 0) out.push([...head, "2", ...keys.slice(1)]);
    if (n > 1) out.push([...head, keys[0], "2", ...keys.slice(2)]);
  }
  return out;
}

describe("COMMAND vs redis-server", { skip: oracleSkip }, () => {
  let oracle: Oracle;
  let ours: OurServer;
  const clients: RawClient[] = [];

  before(async () => {
    oracle = await startOracle();
    ours = await startKeyValueServer();
  });

  after(async () => {
    for (const client of clients) client.close();
    await ours?.stop();
    await oracle?.stop();
  });

  async function pair(protocol: 2 | 3): Promise<[RawClient, RawClient]> {
    const a = await connectClient(ours.target);
    const b = await connectClient(oracle.target);
    clients.push(a, b);
    if (protocol === 3) {
      await a.call("HELLO", "3");
      await b.call("HELLO", "3");
    }
    return [a, b];
  }

  /** Our full names (commands and subcommands), and the ones to compare (Redis has them). */
  async function implemented(client: RawClient): Promise<{ all: Set<string>; top: string[] }> {
    const list = (await client.call("COMMAND", "LIST")) as RespValue[];
    const all = new Set(list.map(text));
    const top = [...all].filter((name) => !name.includes("|")).sort();
    return { all, top };
  }

  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol}`, () => {
      it("COMMAND INFO and COMMAND DOCS of every implemented command", async () => {
        const [a, b] = await pair(protocol);
        const { all, top } = await implemented(a);
        const keep = (name: string) => all.has(name) && !NOT_IN_REDIS_7_0.has(name);
        const differ: string[] = [];
        for (const name of top) {
          const [x, y] = [
            await a.call("COMMAND", "INFO", name),
            await b.call("COMMAND", "INFO", name),
          ];
          const mine = infoView((x as RespValue[])[0], keep);
          const theirs = infoView((y as RespValue[])[0], keep);
          if (JSON.stringify(mine) !== JSON.stringify(theirs)) {
            differ.push(
              `INFO ${name}:\n  ours  ${JSON.stringify(mine)}\n  redis ${JSON.stringify(theirs)}`,
            );
          }
          const [p, q] = [
            await a.call("COMMAND", "DOCS", name),
            await b.call("COMMAND", "DOCS", name),
          ];
          const docsOurs = entriesOf(p).map(([k, v]) => [text(k), docsView(v, keep)]);
          const docsRedis = entriesOf(q).map(([k, v]) => [text(k), docsView(v, keep)]);
          if (JSON.stringify(docsOurs) !== JSON.stringify(docsRedis)) {
            differ.push(
              `DOCS ${name}:\n  ours  ${JSON.stringify(docsOurs)}\n  redis ${
                JSON.stringify(docsRedis)
              }`,
            );
          }
        }
        assert.equal(top.length > 100, true, `implemented commands: ${top.length}`);
        assert.deepEqual(differ, [], `${differ.length} replies differ:\n${differ.join("\n")}`);
      });

      it("COMMAND GETKEYS and GETKEYSANDFLAGS on a few argument vectors per command", async () => {
        const [a, b] = await pair(protocol);
        const { all } = await implemented(a);
        const infos = await a.call("COMMAND", "INFO", ...[...all].filter((n) => !n.includes("|")));
        const arity = new Map<string, number>();
        const collect = (info: RespValue): void => {
          const list = info as RespValue[];
          arity.set(text(list[0]), list[1] as number);
          for (const sub of (Array.isArray(list[9]) ? list[9] : [])) collect(sub);
        };
        for (const info of infos as RespValue[]) collect(info);
        const differ = new Map<string, string[]>();
        for (const name of [...all].sort()) {
          if (NOT_IN_REDIS_7_0.has(name)) continue;
          for (const argv of vectors(name, arity.get(name)!)) {
            for (const sub of ["GETKEYS", "GETKEYSANDFLAGS"]) {
              const x = toPlain(await a.call("COMMAND", sub, ...argv));
              const y = toPlain(await b.call("COMMAND", sub, ...argv));
              if (JSON.stringify(x) === JSON.stringify(y)) continue;
              const lines = differ.get(name) ?? [];
              lines.push(
                `  ${sub} ${argv.join(" ")}: ours ${JSON.stringify(x)} redis ${JSON.stringify(y)}`,
              );
              differ.set(name, lines);
            }
          }
        }
        const report = [...differ].map(([name, lines]) =>
          `${name}\n${lines.slice(0, 3).join("\n")}`
        );
        assert.deepEqual([...differ.keys()], [], `GETKEYS differs for:\n${report.join("\n")}`);
      });

      it("COMMAND COUNT and COMMAND LIST [FILTERBY] on the implemented set", async () => {
        const [a, b] = await pair(protocol);
        const { all, top } = await implemented(a);
        assert.equal(await a.call("COMMAND", "COUNT"), top.length);
        const redisAll = new Set(((await b.call("COMMAND", "LIST")) as RespValue[]).map(text));
        const missing = [...all].filter((n) => !redisAll.has(n) && !NOT_IN_REDIS_7_0.has(n));
        assert.deepEqual(missing, [], "commands of ours that Redis 7.0 does not have");
        const filters = [
          ["ACLCAT", "keyspace"],
          ["ACLCAT", "read"],
          ["ACLCAT", "write"],
          ["ACLCAT", "string"],
          ["ACLCAT", "fast"],
          ["ACLCAT", "slow"],
          ["ACLCAT", "admin"],
          ["ACLCAT", "dangerous"],
          ["ACLCAT", "connection"],
          ["ACLCAT", "pubsub"],
          ["ACLCAT", "blocking"],
          ["ACLCAT", "transaction"],
          ["ACLCAT", "nosuchcategory"],
          ["PATTERN", "client*"],
          ["PATTERN", "*SCAN"],
          ["MODULE", "nosuch"],
        ];
        const differ: string[] = [];
        for (const filter of filters) {
          const x = ((await a.call("COMMAND", "LIST", "FILTERBY", ...filter)) as RespValue[])
            .map(text).filter((n) => !NOT_IN_REDIS_7_0.has(n)).sort();
          const y = ((await b.call("COMMAND", "LIST", "FILTERBY", ...filter)) as RespValue[])
            .map(text).filter((n) => all.has(n)).sort();
          if (JSON.stringify(x) !== JSON.stringify(y)) {
            differ.push(
              `${filter.join(" ")}: only ours ${x.filter((n) => !y.includes(n))}, only redis ${
                y.filter((n) => !x.includes(n))
              }`,
            );
          }
        }
        assert.deepEqual(differ, []);
        for (const bad of [["FILTERBY"], ["FILTERBY", "ACLCAT"], ["FILTERBY", "X", "y"], ["X"]]) {
          assert.deepEqual(
            toPlain(await a.call("COMMAND", "LIST", ...bad)),
            toPlain(await b.call("COMMAND", "LIST", ...bad)),
          );
        }
      });

      it("COMMAND INFO / DOCS / GETKEYS edge cases", async () => {
        const [a, b] = await pair(protocol);
        const cases: string[][] = [
          ["COMMAND", "INFO", "nosuch", "get", "client|list", "get|x", "client|nosuch", "a|b|c"],
          ["COMMAND", "DOCS", "nosuch", "client|kill", "CLIENT|KILL"],
          ["COMMAND", "GETKEYS"],
          ["COMMAND", "GETKEYS", "nosuch", "a"],
          ["COMMAND", "GETKEYS", "ping"],
          ["COMMAND", "GETKEYS", "get"],
          ["COMMAND", "GETKEYS", "get", "a", "b"],
          ["COMMAND", "GETKEYS", "client", "nosuch"],
          ["COMMAND", "GETKEYS", "client", "list"],
          ["COMMAND", "GETKEYSANDFLAGS", "set", "k", "v"],
          ["COMMAND", "GETKEYSANDFLAGS", "set", "k", "v", "get"],
          ["COMMAND", "GETKEYSANDFLAGS", "smove", "a", "b", "m"],
          ["COMMAND", "GETKEYS", "mset", "a", "1", "b", "2"],
          ["COMMAND", "COUNT", "x"],
          ["COMMAND", "NOSUCH"],
        ];
        const view = (argv: string[], value: RespValue): unknown =>
          argv[1] === "DOCS"
            ? entriesOf(value).map(([k, v]) => [text(k), docsView(v, () => true)])
            : toPlain(value);
        for (const argv of cases) {
          const x = view(argv, await a.call(...argv));
          const y = view(argv, await b.call(...argv));
          assert.deepEqual(x, y, argv.join(" "));
        }
      });
    });
  }
});
