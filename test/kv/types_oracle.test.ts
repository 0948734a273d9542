/**
 * Differential tests of lists, hashes, sets and sorted sets: the same requests go to our
 * key-value server and to a real redis-server 7.0, and the replies must be byte-identical in
 * RESP2 and RESP3 (unordered replies are compared as sets, random ones by their properties).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Differential,
  type Oracle,
  oracleSkip,
  sortDeep,
  startOracle,
} from "../helpers/redis_oracle.ts";
import type { ClientTarget } from "../helpers/client.ts";
import type { RespValue } from "../../src/resp/types.ts";
import { serve } from "../../adapters/serve.ts";
import { Server } from "../../src/server/server.ts";
import { registerKeyValueCommands } from "../../src/kv/mod.ts";

interface Ours {
  target: ClientTarget;
  stop(): Promise<void>;
}

/** Our server with every data type registered. */
async function startOurs(): Promise<Ours> {
  const server = new Server();
  const keyspace = registerKeyValueCommands(server);
  const running = await serve({ port: 0, hostname: "127.0.0.1", server });
  const address = running.address;
  if (address.transport !== "tcp") throw new Error("Expected TCP");
  return {
    target: { port: address.port, host: "127.0.0.1" },
    stop: async () => {
      await running.close();
      keyspace.close();
    },
  };
}

type Arg = string | Uint8Array;

/** Maps (RESP3 HGETALL) and arrays compared regardless of order. */
function unorderedMap(value: RespValue): unknown {
  if (value instanceof Map) return sortDeep([...value].map(([k, v]) => [k, v]));
  return sortDeep(value);
}
/** A command from a space-separated string ("" arguments via `[...]` cases). */
const c = (text: string): Arg[] => text.split(" ");

const BIN = new Uint8Array([0, 255, 13, 10, 32]);
const BIN2 = new Uint8Array([0, 255]);

const LIST_CASES: Arg[][] = [
  c("RPUSH l a b c d e"),
  c("LRANGE l 0 -1"),
  c("LRANGE l -100 100"),
  c("LRANGE l 2 1"),
  c("LRANGE l 0 9223372036854775807"),
  c("LRANGE l 0 9223372036854775808"),
  c("LRANGE nokey 0 -1"),
  c("LRANGE l x 1"),
  c("LINDEX l -1"),
  c("LINDEX l 10"),
  c("LINDEX nokey x"),
  c("LINDEX l x"),
  c("LSET l 10 x"),
  c("LSET nokey 0 x"),
  c("LSET l -1 z"),
  c("LPOP l 0"),
  c("LPOP nokey 1"),
  c("LPOP nokey 0"),
  c("LPOP nokey"),
  c("LPOP l -1"),
  c("LPOP l 1 2"),
  c("RPOP l 2"),
  c("LPOP l"),
  c("LLEN l"),
  c("LLEN nokey"),
  c("LINSERT l BEFORE b X"),
  c("LINSERT l AFTER b Y"),
  c("LINSERT l middle b X"),
  c("LINSERT l after nope X"),
  c("LINSERT nokey after a X"),
  c("RPUSH m a b a c a d a"),
  c("LPOS m a"),
  c("LPOS m a RANK 2"),
  c("LPOS m a RANK -1"),
  c("LPOS m a RANK -2 COUNT 2"),
  c("LPOS m a COUNT 0"),
  c("LPOS m a COUNT 2 MAXLEN 3"),
  c("LPOS m a RANK 0"),
  c("LPOS m a RANK -9223372036854775808"),
  c("LPOS m a COUNT -1"),
  c("LPOS m a COUNT abc"),
  c("LPOS m a MAXLEN -1"),
  c("LPOS m a RANK"),
  c("LPOS m a FOO 1"),
  c("LPOS m q"),
  c("LPOS m q COUNT 2"),
  c("LPOS nokey q COUNT 2"),
  c("LPOS nokey q"),
  c("LREM m 2 a"),
  c("LRANGE m 0 -1"),
  c("LREM m -1 a"),
  c("LRANGE m 0 -1"),
  c("LREM m 0 a"),
  c("LREM m x a"),
  c("LREM nokey 0 a"),
  c("LRANGE m 0 -1"),
  c("LTRIM m 1 -1"),
  c("LRANGE m 0 -1"),
  c("LTRIM m 5 1"),
  c("EXISTS m"),
  c("LTRIM nokey 0 1"),
  c("LPUSHX nokey a"),
  c("RPUSHX l q r"),
  c("LPUSHX l s"),
  c("LMOVE l l2 LEFT RIGHT"),
  c("LMOVE l l2 RIGHT LEFT"),
  c("LMOVE l l2 UP LEFT"),
  c("LMOVE nokey l2 LEFT LEFT"),
  c("LMOVE l l LEFT RIGHT"),
  c("LRANGE l 0 -1"),
  c("RPOPLPUSH l2 l"),
  c("RPOPLPUSH l2 l"),
  c("EXISTS l2"),
  c("SET str v"),
  c("LPUSH str a"),
  c("LRANGE str 0 1"),
  c("LMOVE l str LEFT LEFT"),
  c("LMOVE str l LEFT LEFT"),
  c("LPOS str a"),
  ["RPUSH", "bin", BIN, "", BIN2],
  c("LRANGE bin 0 -1"),
  ["LPOS", "bin", ""],
  ["LREM", "bin", "0", BIN],
  c("LRANGE bin 0 -1"),
  c("BLPOP nokey l 0"),
  c("BRPOP l 0.5"),
  c("BLPOP str 0"),
  c("BLPOP l -1"),
  c("BLPOP l abc"),
  c("BLMOVE l l3 LEFT RIGHT 0"),
  c("BLMOVE l l3 LEFT NOPE 0"),
  c("BLMOVE l l3 LEFT RIGHT -1"),
  c("BRPOPLPUSH l3 l 0"),
  c("BRPOPLPUSH l3 l x"),
  c("LRANGE l 0 -1"),
  c("LPUSH"),
  c("LLEN a b"),
];

const HASH_CASES: Arg[][] = [
  c("HSET h a 1 b 2 c 3"),
  c("HSET h a"),
  c("HSET h a 1 b"),
  c("HMSET h d 4"),
  c("HMSET h d"),
  c("HGETALL h"),
  c("HKEYS h"),
  c("HVALS h"),
  c("HMGET h a x b"),
  c("HMGET nokey a"),
  c("HDEL h a x"),
  c("HDEL nokey a"),
  c("HLEN h"),
  c("HLEN nokey"),
  c("HSTRLEN h b"),
  c("HSTRLEN h nope"),
  c("HEXISTS h b"),
  c("HEXISTS h nope"),
  c("HSETNX h b 9"),
  c("HSETNX h z 9"),
  c("HGET h z"),
  c("HGET h nope"),
  c("HGET nokey a"),
  c("HINCRBY h b 10"),
  c("HINCRBY h b x"),
  c("HINCRBY h b 9223372036854775807"),
  c("HINCRBY h q -5"),
  c("HINCRBY h q 9223372036854775808"),
  c("HSET h s abc big 9223372036854775807"),
  c("HINCRBY h s 1"),
  c("HINCRBY h big 1"),
  c("HINCRBY h big -1"),
  c("HINCRBYFLOAT h s 1"),
  c("HINCRBYFLOAT h f 1.5"),
  c("HINCRBYFLOAT h f 0.1"),
  c("HINCRBYFLOAT h f abc"),
  c("HINCRBYFLOAT h f inf"),
  c("HINCRBYFLOAT h f nan"),
  c("HINCRBYFLOAT hbig f 1e400"),
  c("HINCRBYFLOAT hbig f -1e400"),
  c("HGET hbig f"),
  c("HINCRBYFLOAT h f 5e-5000"),
  c("HINCRBYFLOAT h f 3.0e3"),
  c("HINCRBYFLOAT h big 1"),
  c("HSET h10 f 10.50"),
  c("HINCRBYFLOAT h10 f 0.1"),
  c("HINCRBYFLOAT h10 g 1.23e2"),
  c("HINCRBYFLOAT newh f 2.5"),
  c("HSET h inf inf"),
  c("HINCRBYFLOAT h inf 1"),
  c("HGETALL nokey"),
  c("HKEYS nokey"),
  c("HVALS nokey"),
  c("HRANDFIELD nokey"),
  c("HRANDFIELD nokey 3"),
  c("HRANDFIELD nokey -3 WITHVALUES"),
  c("HRANDFIELD h 100"),
  c("HRANDFIELD h 100 WITHVALUES"),
  c("HRANDFIELD h 0"),
  c("HRANDFIELD h 1 x"),
  c("HRANDFIELD h 1 WITHVALUES x"),
  c("HRANDFIELD h x"),
  c("HRANDFIELD h -9223372036854775808"),
  c("HRANDFIELD h 9223372036854775807 WITHVALUES"),
  c("HSCAN h 0"),
  c("HSCAN h 0 MATCH b*"),
  c("HSCAN h 0 COUNT 0"),
  c("HSCAN h 0 COUNT x"),
  c("HSCAN h 0 FOO"),
  c("HSCAN h 0 MATCH"),
  c("HSCAN nokey x"),
  c("HSCAN h x"),
  c("HSCAN h -1"),
  ["HSCAN", "h", ""],
  c("HSET h __proto__ x constructor y"),
  c("HGET h __proto__"),
  c("HGET h toString"),
  ["HSET", "h", BIN, BIN2, "", ""],
  ["HGET", "h", BIN],
  ["HGET", "h", ""],
  c("HGETALL h"),
  c("HDEL h a b c d z q s f big __proto__ constructor inf"),
  ["HDEL", "h", BIN, ""],
  c("EXISTS h"),
  c("SET str v"),
  c("HGET str a"),
  c("HSET str a b"),
  c("HGETALL str"),
  c("HRANDFIELD str"),
  c("HSCAN str 0"),
];

const SET_CASES: Arg[][] = [
  c("SADD s 3 1 2 -5"),
  c("SMEMBERS s"),
  c("SADD s 10 1"),
  c("SMEMBERS s"),
  c("SISMEMBER s 1"),
  c("SISMEMBER s 9"),
  c("SISMEMBER nokey 1"),
  c("SMISMEMBER s 1 9"),
  c("SMISMEMBER nokey 1"),
  c("SCARD s"),
  c("SCARD nokey"),
  c("SREM s 1 9"),
  c("SREM nokey 1"),
  c("SADD t 2 3 9223372036854775807 -9223372036854775808"),
  c("SMEMBERS t"),
  c("SADD u 9223372036854775808 2"),
  c("SINTER s t"),
  c("SINTER s t nokey"),
  c("SUNION s t"),
  c("SUNION s nokey"),
  c("SDIFF s t"),
  c("SDIFF t s"),
  c("SDIFF s s"),
  c("SDIFF nokey s"),
  c("SINTERSTORE d s t"),
  c("SMEMBERS d"),
  c("SUNIONSTORE d s nokey"),
  c("SMEMBERS d"),
  c("SDIFFSTORE d nokey s"),
  c("EXISTS d"),
  c("SINTERSTORE d s nokey"),
  c("SINTERCARD 2 s t"),
  c("SINTERCARD 2 s t LIMIT 1"),
  c("SINTERCARD 2 s t LIMIT 0"),
  c("SINTERCARD 0 s"),
  c("SINTERCARD 3 s t"),
  c("SINTERCARD 2 s t LIMIT -1"),
  c("SINTERCARD 2 s t FOO"),
  c("SINTERCARD x s"),
  c("SINTERCARD 2 s nokey"),
  c("SMOVE s t 3"),
  c("SMOVE s t 99"),
  c("SMOVE nokey t 1"),
  c("SMOVE s s 2"),
  c("SMOVE s newset 2"),
  c("SMEMBERS newset"),
  c("SMEMBERS s"),
  c("SET str v"),
  c("SMOVE str t 1"),
  c("SMOVE s str 10"),
  c("SMOVE nokey str 1"),
  c("SINTER s str"),
  c("SINTER nokey str"),
  c("SUNIONSTORE d s str"),
  c("SADD str a"),
  c("SCARD str"),
  c("SPOP nokey"),
  c("SPOP nokey 0"),
  c("SPOP nokey 3"),
  c("SPOP s 0"),
  c("SPOP s -1"),
  c("SPOP s 1 2"),
  c("SPOP str"),
  c("SRANDMEMBER s 1 2"),
  c("SRANDMEMBER nokey"),
  c("SRANDMEMBER nokey 5"),
  c("SRANDMEMBER s 0"),
  c("SRANDMEMBER s x"),
  c("SRANDMEMBER s -9223372036854775808"),
  c("SRANDMEMBER s 100"),
  c("SPOP newset 5"),
  c("EXISTS newset"),
  c("SSCAN s 0"),
  c("SSCAN s 0 MATCH 1*"),
  c("SSCAN nokey abc COUNT 0"),
  c("SSCAN s abc"),
  c("SSCAN s 0 COUNT 0"),
  c("SSCAN s 0 TYPE string"),
  ["SADD", "b", BIN, "", BIN2],
  ["SISMEMBER", "b", ""],
  ["SREM", "b", BIN2],
  c("SCARD b"),
  c("SADD"),
];

const ZSET_CASES: Arg[][] = [
  c("ZADD z 1 a 2 b 3 c 4 d 5 e"),
  c("ZADD z NX XX 1 a"),
  c("ZADD z GT LT 1 a"),
  c("ZADD z NX GT 1 a"),
  c("ZADD z INCR 1 a 2 b"),
  c("ZADD z 1"),
  c("ZADD z 1 a 2"),
  c("ZADD z nan a"),
  c("ZADD z abc a"),
  c("ZADD z INCR 1 a"),
  c("ZADD z XX INCR 1 q"),
  c("ZADD z NX INCR 1 a"),
  c("ZADD z GT INCR -1 a"),
  c("ZADD z CH GT 10 a 0 b 6 f"),
  c("ZADD z CH 10 a 2 b"),
  c("ZADD z XX CH 11 a 7 g"),
  c("ZADD nokey XX 1 a"),
  c("ZADD nokey XX INCR 1 a"),
  c("EXISTS nokey"),
  c("ZINCRBY z 1.5 b"),
  c("ZINCRBY z nx m"),
  c("ZINCRBY z abc m"),
  c("ZINCRBY z -1.5 b"),
  c("ZSCORE z b"),
  c("ZSCORE z nope"),
  c("ZSCORE nokey a"),
  c("ZMSCORE z a nope b"),
  c("ZMSCORE nokey a"),
  c("ZCARD z"),
  c("ZCARD nokey"),
  c("ZCOUNT z -inf +inf"),
  c("ZCOUNT z (1 3"),
  c("ZCOUNT z x 3"),
  c("ZCOUNT z 3 1"),
  c("ZCOUNT nokey 0 1"),
  c("ZRANK z b"),
  c("ZREVRANK z b"),
  c("ZRANK z q"),
  c("ZRANK nokey q"),
  c("ZRANGE z 0 -1"),
  c("ZRANGE z 0 -1 WITHSCORES"),
  c("ZRANGE z -2 100 REV WITHSCORES"),
  c("ZRANGE z 5 1"),
  c("ZRANGE z (1 5 BYSCORE"),
  c("ZRANGE z 5 (1 BYSCORE REV LIMIT 1 2 WITHSCORES"),
  c("ZRANGE z 0 -1 LIMIT 0 1"),
  c("ZRANGE z 0 -1 LIMIT 0 -1"),
  c("ZRANGE z - + BYLEX WITHSCORES"),
  c("ZRANGE z 0 -1 BYSCORE BYSCORE"),
  c("ZRANGE z 0 -1 REV REV"),
  c("ZRANGE z 0 x"),
  c("ZRANGE nokey 0 -1"),
  c("ZRANGE nokey x -1"),
  c("ZRANGEBYSCORE z -inf +inf WITHSCORES LIMIT 2 -1"),
  c("ZRANGEBYSCORE z -inf +inf LIMIT -1 2"),
  c("ZRANGEBYSCORE z -inf +inf LIMIT 0 0"),
  c("ZRANGEBYSCORE z -inf +inf LIMIT 100 1"),
  c("ZRANGEBYSCORE z -inf +inf LIMIT 1"),
  c("ZRANGEBYSCORE z -inf +inf REV"),
  c("ZRANGEBYSCORE z ( 3"),
  ["ZRANGEBYSCORE", "z", "", "3"],
  [
    "ZRANGEBYSCORE",
    "z",
    " 1",
    "(3",
  ],
  c("ZRANGEBYSCORE z 1e400 inf"),
  c("ZRANGEBYSCORE z -1e400 (2"),
  c("ZRANGEBYSCORE z 0x1 3"),
  c("ZRANGEBYSCORE z 1x 3"),
  c("ZRANGEBYSCORE z nan 3"),
  c("ZREVRANGEBYSCORE z +inf -inf WITHSCORES"),
  c("ZREVRANGEBYSCORE z 4 (2 LIMIT 1 5"),
  c("ZREVRANGE z 0 1 WITHSCORES"),
  c("ZREVRANGE z 0 1 LIMIT 0 1"),
  c("ZADD lex 0 a 0 b 0 c 0 d 0 e 0 ee 0 f"),
  c("ZRANGEBYLEX lex - +"),
  c("ZRANGEBYLEX lex [b (d"),
  c("ZRANGEBYLEX lex (b + LIMIT 1 2"),
  c("ZREVRANGEBYLEX lex + - LIMIT 0 2"),
  c("ZREVRANGEBYLEX lex (e [b"),
  c("ZRANGEBYLEX lex b c"),
  c("ZRANGEBYLEX lex + -"),
  c("ZRANGEBYLEX lex -x +"),
  c("ZRANGEBYLEX lex [e [e"),
  c("ZRANGEBYLEX lex (e [e"),
  c("ZRANGEBYLEX lex - + WITHSCORES"),
  c("ZLEXCOUNT lex [b [d"),
  c("ZLEXCOUNT lex + -"),
  c("ZLEXCOUNT lex - +"),
  c("ZLEXCOUNT lex (a (b"),
  c("ZLEXCOUNT nokey - +"),
  c("ZLEXCOUNT lex a b"),
  c("ZREMRANGEBYLEX lex [a [b"),
  c("ZREMRANGEBYLEX lex x y"),
  c("ZRANGE lex 0 -1"),
  c("ZADD y 1 a 2 b 3 c 4 d"),
  c("ZREMRANGEBYRANK y 1 1"),
  c("ZREMRANGEBYRANK y 5 10"),
  c("ZREMRANGEBYRANK y x 1"),
  c("ZREMRANGEBYSCORE y (3 +inf"),
  c("ZREMRANGEBYSCORE y x 1"),
  c("ZREMRANGEBYSCORE nokey 0 1"),
  c("ZRANGE y 0 -1 WITHSCORES"),
  c("ZPOPMIN y"),
  c("ZPOPMAX y 5"),
  c("EXISTS y"),
  c("ZPOPMIN nokey"),
  c("ZPOPMIN nokey 0"),
  c("ZPOPMIN nokey 2"),
  c("ZPOPMIN z -1"),
  c("ZPOPMIN z 1 2"),
  c("ZPOPMIN z 0"),
  c("ZPOPMIN z 2"),
  c("ZPOPMAX z"),
  c("ZSCAN z 0"),
  c("ZSCAN z 0 MATCH d*"),
  c("ZSCAN nokey 0"),
  c("ZSCAN z x"),
  c("ZADD w 1.5 a -0 b inf c -inf d 0.1 e 1e100 f 1e-310 g"),
  c("ZRANGE w 0 -1 WITHSCORES"),
  c("ZSCAN w 0"),
  c("ZINCRBY w -inf c"),
  c("ZINCRBY w 1 d"),
  c("ZSCORE w b"),
  c("ZADD w INCR -0 n"),
  c("ZSCORE w n"),
  c("ZMSCORE w a c d"),
  ["ZADD", "bin", "1", BIN, "1", "", "1", BIN2],
  c("ZRANGE bin 0 -1 WITHSCORES"),
  ["ZRANGEBYLEX", "bin", "[", "+"],
  ["ZSCORE", "bin", ""],
  c("SET str v"),
  c("ZADD str 1 a"),
  c("ZSCORE str a"),
  c("ZRANGE str 0 1"),
  c("ZRANGEBYSCORE str 0 1"),
  c("ZPOPMIN str 0"),
  c("ZPOPMIN str"),
  c("ZREMRANGEBYRANK str 0 1"),
];

/** A big sorted set (skiplist encoding in Redis) and its range queries. */
function bigZSetCases(): Arg[][] {
  const add: Arg[] = ["ZADD", "big"];
  for (let i = 0; i < 300; i++) add.push(String((i * 37) % 101 / 4), "m" + i);
  return [
    add,
    c("ZCARD big"),
    c("ZRANGE big 0 -1 WITHSCORES"),
    c("ZRANGE big 50 60 REV WITHSCORES"),
    c("ZRANGEBYSCORE big (3 10 WITHSCORES LIMIT 7 20"),
    c("ZREVRANGEBYSCORE big 20 (3 LIMIT 5 10"),
    c("ZCOUNT big 2 (9.5"),
    c("ZRANK big m150"),
    c("ZREVRANK big m150"),
    c("ZREMRANGEBYRANK big 10 20"),
    c("ZREMRANGEBYSCORE big 1 2"),
    c("ZRANGE big 0 30 WITHSCORES"),
    c("ZPOPMIN big 3"),
    c("ZPOPMAX big 3"),
    c("ZINCRBY big 100 m1"),
    c("ZRANGE big -3 -1 WITHSCORES"),
    c("ZADD big -0 negzero"),
    c("ZSCORE big negzero"),
    c("ZCARD big"),
  ];
}

describe("data types against redis-server", { skip: oracleSkip }, () => {
  let oracle: Oracle | undefined;
  let ours: Ours | undefined;
  before(async () => {
    oracle = await startOracle();
    ours = await startOurs();
  });
  after(async () => {
    await ours?.stop();
    await oracle?.stop();
  });

  const run = async (protocol: 2 | 3, cases: Arg[][]): Promise<void> => {
    const diff = await Differential.open(ours!.target, oracle!.target, protocol);
    try {
      await diff.both("FLUSHALL");
      for (const args of cases) await diff.same(...args);
    } finally {
      await diff.close();
    }
  };

  for (const protocol of [2, 3] as const) {
    it(`lists, RESP${protocol}`, () => run(protocol, LIST_CASES));
    it(`hashes, RESP${protocol}`, () => run(protocol, HASH_CASES));
    it(`sets, RESP${protocol}`, () => run(protocol, SET_CASES));
    it(`sorted sets, RESP${protocol}`, () => run(protocol, ZSET_CASES));
    it(`a big sorted set, RESP${protocol}`, () => run(protocol, bigZSetCases()));

    it(`big hashes and sets: unordered replies and full scans, RESP${protocol}`, async () => {
      const diff = await Differential.open(ours!.target, oracle!.target, protocol);
      try {
        await diff.both("FLUSHALL");
        const hset: Arg[] = ["HSET", "h"];
        const sadd: Arg[] = ["SADD", "s"];
        const sint: Arg[] = ["SADD", "ints"];
        for (let i = 0; i < 300; i++) {
          hset.push("f" + i, "v" + i);
          sadd.push("m" + i);
        }
        for (let i = 0; i < 600; i++) sint.push(String(i * 3 - 500));
        await diff.same(...hset);
        await diff.same(...sadd);
        await diff.same(...sint);
        await diff.same("HSET", "h", "long", "x".repeat(100));
        await diff.sameWith(unorderedMap, "HGETALL", "h");
        await diff.sameUnordered("HKEYS", "h");
        await diff.sameUnordered("SMEMBERS", "s");
        await diff.sameUnordered("SMEMBERS", "ints");
        await diff.sameUnordered("SUNION", "s", "ints");
        await diff.sameUnordered("SINTER", "s", "ints");
        await diff.sameUnordered("SDIFF", "ints", "s");
        await diff.same("SCARD", "ints");
        await diff.sameScan(["HSCAN", "h", "0"]);
        await diff.sameScan(["HSCAN", "h", "0", "COUNT", "7", "MATCH", "f1*"]);
        await diff.sameScan(["SSCAN", "s", "0"]);
        await diff.sameScan(["SSCAN", "ints", "0", "COUNT", "50"]);
        await diff.sameScan(["SSCAN", "s", "0", "MATCH", "*7"]);
        const zadd: Arg[] = ["ZADD", "z"];
        for (let i = 0; i < 200; i++) zadd.push(String(i % 17), "z" + i);
        await diff.same(...zadd);
        await diff.sameScan(["ZSCAN", "z", "0", "COUNT", "13"]);
        // Small ones answer in one page, in order: byte-identical.
        await diff.same("HSET", "small", "a", "1", "b", "2");
        await diff.same("HSCAN", "small", "0");
        await diff.same("SADD", "smallints", "5", "-1", "3");
        await diff.same("SSCAN", "smallints", "0");
      } finally {
        await diff.close();
      }
    });

    it(`random replies have Redis's shape, RESP${protocol}`, async () => {
      const diff = await Differential.open(ours!.target, oracle!.target, protocol);
      const shape = (v: RespValue): unknown => {
        if (Array.isArray(v)) return { array: v.length, first: shape(v[0] ?? null) };
        if (v instanceof Set) return { set: v.size };
        if (v instanceof Uint8Array || typeof v === "string") return "bulk";
        return v;
      };
      try {
        await diff.both("FLUSHALL");
        await diff.same("SADD", "s", "a", "b", "c", "d", "e");
        await diff.same("SADD", "i", "1", "2", "3");
        await diff.same("HSET", "h", "a", "1", "b", "2", "c", "3");
        for (
          const args of [
            ["SRANDMEMBER", "s"],
            ["SRANDMEMBER", "s", "3"],
            ["SRANDMEMBER", "s", "-8"],
            ["SRANDMEMBER", "s", "1"],
            ["SRANDMEMBER", "i", "2"],
            ["HRANDFIELD", "h"],
            ["HRANDFIELD", "h", "2"],
            ["HRANDFIELD", "h", "-5"],
            ["HRANDFIELD", "h", "2", "WITHVALUES"],
            ["HRANDFIELD", "h", "-5", "WITHVALUES"],
            ["SPOP", "s"],
            ["SPOP", "s", "2"],
            ["SPOP", "i", "1"],
          ]
        ) {
          await diff.sameWith(shape, ...args);
        }
        await diff.same("SCARD", "s");
        await diff.sameWith(shape, "SPOP", "s", "10");
        await diff.same("EXISTS", "s");
        // HRANDFIELD pairs belong together.
        const pairs = await diff.ours.call("HRANDFIELD", "h", "-20", "WITHVALUES");
        const flat = protocol === 3 ? (pairs as RespValue[][]).flat() : pairs as RespValue[];
        for (let i = 0; i < flat.length; i += 2) {
          assert.equal(String(flat[i + 1]), { a: "1", b: "2", c: "3" }[String(flat[i])]);
        }
        const unique = await diff.ours.call("SRANDMEMBER", "i", "2");
        assert.equal(new Set(unique as string[]).size, 2);
      } finally {
        await diff.close();
      }
    });
  }
});
