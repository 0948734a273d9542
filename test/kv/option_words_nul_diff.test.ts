/**
 * Differential tests of option words that end in a NUL byte, against redis-server 7.0 (RESP2
 * and RESP3). Redis compares option words with `strcasecmp` (or byte tests up to a `'\0'`),
 * which read the argument as a C string: `NX\0` is NX, `km\0` is km, but `N\0X` is N. Only
 * options parsed through `Command.is` / `Command.lower` and the geo, bitmap, SORT and LCS
 * parsers are covered; subcommand names (found by a hash lookup of the whole argument in
 * Redis) are left out.
 */
import { after, before, describe, it } from "node:test";
import { oracleFixture, oracleSkip } from "../helpers/redis_oracle.ts";
import { batch, type Line } from "./bitmaps_batch.ts";

const SETUP: Line[] = [
  ["SET", "s", "foobar"],
  ["RPUSH", "l", "c", "a", "b", "a"],
  ["ZADD", "z", "1", "a", "2", "b", "3", "c"],
  ["GEOADD", "geo", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"],
  ["XADD", "x", "1-1", "f", "v"],
];

/**
 * Strings, keys, sorted sets, lists and streams: each option at least once with a NUL
 * suffix, and near misses (a NUL inside the word) that stay errors.
 */
const KEYS_LINES: Line[] = [
  // SET / GETEX (parseExtendedStringArgumentsOrReply: `opt[2] == '\0'` and strcasecmp).
  ["SET", "k", "v", "NX\0"],
  ["SET", "k", "v2", "NX\0"],
  ["SET", "k", "v3", "XX\0", "GET\0"],
  ["SET", "k", "v4", "EX\0", "100"],
  ["TTL", "k"],
  ["SET", "k", "v5", "KEEPTTL\0"],
  ["TTL", "k"],
  ["SET", "k", "v6", "PX\0", "5000", "GET\0"],
  ["GETEX", "k", "PERSIST\0"],
  ["TTL", "k"],
  ["SET", "k", "v", "N\0X"],
  ["SET", "k", "v", "NXX"],
  ["SET", "k", "v", "\0NX"],
  ["GET", "k"],
  // EXPIRE flags.
  ["EXPIRE", "k", "100", "NX\0"],
  ["EXPIRE", "k", "50", "GT\0"],
  ["TTL", "k"],
  ["EXPIRE", "k", "50", "G\0T"],
  // ZADD, ZRANGE and ZRANGEBYSCORE options.
  ["ZADD", "z", "XX\0", "5", "a", "1", "new"],
  ["ZADD", "z", "NX\0", "CH\0", "9", "b", "4", "d"],
  ["ZADD", "z", "INCR\0", "1", "c"],
  ["ZADD", "z", "X\0X", "1", "a"],
  ["ZRANGE", "z", "0", "-1", "WITHSCORES\0"],
  ["ZRANGE", "z", "0", "-1", "REV\0"],
  ["ZRANGE", "z", "(1", "+inf", "BYSCORE\0", "LIMIT\0", "0", "2"],
  ["ZRANGEBYSCORE", "z", "-inf", "+inf", "WITHSCORES\0", "LIMIT\0", "1", "1"],
  ["ZUNIONSTORE", "zu", "1", "z", "WEIGHTS\0", "2"],
  ["ZRANGE", "zu", "0", "-1", "WITHSCORES"],
  // Lists.
  ["LPOS", "l", "a", "RANK\0", "-1"],
  ["LPOS", "l", "a", "COUNT\0", "0", "MAXLEN\0", "10"],
  // Streams.
  ["XADD", "x", "MAXLEN\0", "5", "2-1", "f", "v"],
  ["XADD", "nostream", "NOMKSTREAM\0", "*", "f", "v"],
  ["EXISTS", "nostream"],
  ["XREAD", "COUNT\0", "1", "STREAMS\0", "x", "0"],
  ["XINFO", "STREAM", "x", "FULL\0", "COUNT\0", "1"],
  ["XINFO", "STREAM", "x", "FULL\0x"],
  // Keys.
  ["COPY", "s", "s2", "REPLACE\0"],
  ["COPY", "s", "s2", "REPLACE\0"],
  ["COPY", "s", "s3", "DB\0", "0"],
  // The key-value parsers of src/kv/args.ts isWord: list ends, LINSERT, WITHVALUES/WITHSCORES,
  // AGGREGATE, ZMPOP, SCAN TYPE, MEMORY USAGE SAMPLES, RESTORE.
  ["LMOVE", "l", "l2", "LEFT\0", "RIGHT\0"],
  ["LMOVE", "l", "l2", "LEF\0T", "RIGHT"],
  ["LRANGE", "l2", "0", "-1"],
  ["LINSERT", "l", "BEFORE\0", "b", "n"],
  ["LINSERT", "l", "AFTER\0", "b", "m"],
  ["LINSERT", "l", "AFTE\0R", "b", "m"],
  ["LRANGE", "l", "0", "-1"],
  ["HSET", "hh", "f", "v"],
  ["HRANDFIELD", "hh", "1", "WITHVALUES\0"],
  ["HRANDFIELD", "hh", "1", "WITHVALUE\0S"],
  ["ZADD", "z1", "7", "only"],
  ["ZRANDMEMBER", "z1", "-2", "WITHSCORES\0"],
  ["ZUNIONSTORE", "za", "2", "z", "zu", "AGGREGATE\0", "MAX\0"],
  ["ZRANGE", "za", "0", "-1", "WITHSCORES"],
  ["ZUNIONSTORE", "za", "2", "z", "zu", "AGGREGATE", "MA\0X"],
  ["ZMPOP", "1", "za", "MIN\0"],
  ["ZMPOP", "1", "za", "MAX\0", "COUNT\0", "2"],
  ["SCAN", "0", "MATCH", "z1", "TYPE", "zset\0", "COUNT", "1000"],
  ["MEMORY", "USAGE", "nokey", "SAMPLES\0", "0"],
  ["MEMORY", "USAGE", "nokey", "SAMPLE\0S", "0"],
  // RESTORE parses its options before it reads the payload: REPLACE\0 reaches the checksum.
  ["SET", "dumped", "value"],
  ["RESTORE", "dumped", "0", "not a dump", "REPLACE\0"],
  ["RESTORE", "dumped", "0", "not a dump", "REPLAC\0E"],
];

/** The bitmap, HyperLogLog, geo, SORT and LCS parsers, the same way. */
const TYPES_LINES: Line[] = [
  // Bitmaps and BITFIELD.
  ["BITCOUNT", "s", "1", "20", "BIT\0"],
  ["BITCOUNT", "s", "1", "2", "BYTE\0"],
  ["BITCOUNT", "s", "1", "2", "BI\0T"],
  ["BITPOS", "s", "1", "1", "30", "BIT\0"],
  ["BITOP", "AND\0", "dest", "s", "l2"],
  ["BITOP", "not\0", "dest", "s"],
  ["GET", "dest"],
  ["BITOP", "AN\0D", "dest", "s"],
  ["BITFIELD", "f", "SET\0", "u8", "0", "200", "GET\0", "u8", "0"],
  ["BITFIELD", "f", "OVERFLOW\0", "SAT\0", "INCRBY\0", "u8", "0", "100"],
  ["BITFIELD", "f", "OVERFLOW", "SA\0T", "INCRBY", "u8", "0", "100"],
  ["BITFIELD_RO", "f", "GET\0", "u8", "0"],
  // HyperLogLog (PFDEBUG reads its first argument with strcasecmp).
  ["PFADD", "h", "a", "b"],
  ["PFDEBUG", "ENCODING\0", "h"],
  // Geo: options and units.
  ["GEOADD", "geo", "NX\0", "CH\0", "13.5", "38.1", "Palermo", "14", "38", "Messina"],
  ["GEODIST", "geo", "Palermo", "Catania", "km\0"],
  ["GEODIST", "geo", "Palermo", "Catania", "k\0m"],
  ["GEORADIUS", "geo", "15", "37", "200", "KM\0", "WITHDIST\0", "ASC\0"],
  [
    "GEOSEARCH",
    "geo",
    "FROMLONLAT\0",
    "15",
    "37",
    "BYRADIUS\0",
    "200",
    "km\0",
    "WITHCOORD\0",
    "COUNT\0",
    "2",
    "DESC\0",
  ],
  ["GEOSEARCH", "geo", "FROMMEMBER\0", "Palermo", "BYBOX\0", "400", "400", "mi\0", "ASC"],
  ["GEOSEARCHSTORE", "gs", "geo", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "STOREDIST\0"],
  ["ZRANGE", "gs", "0", "-1", "WITHSCORES"],
  // SORT and LCS.
  ["SORT", "l", "ALPHA\0", "LIMIT\0", "0", "3", "DESC\0"],
  ["SORT", "l", "ALPHA\0", "STORE\0", "sorted"],
  ["LRANGE", "sorted", "0", "-1"],
  ["SORT_RO", "l", "ALPH\0A"],
  ["SET", "a", "ohmytext"],
  ["SET", "b", "mynewtext"],
  ["LCS", "a", "b", "LEN\0"],
  ["LCS", "a", "b", "IDX\0", "MINMATCHLEN\0", "4", "WITHMATCHLEN\0"],
  ["LCS", "a", "b", "LE\0N"],
];

describe("kv option words ending in NUL vs redis-server", { skip: oracleSkip }, () => {
  const fx = oracleFixture({ before, after });
  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol}`, () => {
      it("SET, EXPIRE, ZADD, ZRANGE, LPOS, XADD, XREAD, XINFO, COPY, LMOVE, LINSERT, ZMPOP, SCAN, RESTORE: options cut at NUL", () =>
        fx.check(protocol, (d) => batch(d, [...SETUP, ...KEYS_LINES])));
      it("bitmaps, BITFIELD, PFDEBUG, geo, SORT, LCS: options and units cut at NUL", () =>
        fx.check(protocol, (d) => batch(d, [...SETUP, ...TYPES_LINES])));
    });
  }
});
