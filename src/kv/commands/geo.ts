/**
 * Geo commands (Redis's geo.c): GEOADD (a ZADD of 52-bit geohash scores), GEOPOS, GEODIST,
 * GEOHASH, GEOSEARCH, GEOSEARCHSTORE, GEORADIUS, GEORADIUSBYMEMBER and their `_RO` forms,
 * over sorted sets, with Redis 7.0's argument rules, errors, result order and number formats.
 *
 * @module
 */

import { parseDouble, parseLongBig } from "../../server/args.ts";
import { Command } from "../../server/command.ts";
import { cText, fail, NOT_FLOAT, NOT_INTEGER, SYNTAX } from "../../server/errors.ts";
import type { Reply } from "../../server/reply.ts";
import type { KeySpec } from "../../server/command_spec.ts";
import { keyAt, type KvCommand, type KvHandler } from "../command.ts";
import { keyBytes, keyOf } from "../keyspace/encoding.ts";
import type { Database } from "../keyspace/keyspace.ts";
import { lookup } from "../lookup.ts";
import { formatCoordinate, formatDistance, formatFixed } from "../values/geo_format.ts";
import { type GeoPoint, searchPoints, sortPoints } from "../values/geo_search.ts";
import {
  decodeScore,
  distance,
  encode,
  GEO_LAT_MAX,
  GEO_LAT_MIN,
  GEO_LONG_MAX,
  GEO_LONG_MIN,
  type GeoShape,
  hashBits,
  scoreOf,
} from "../values/geohash.ts";
import { RedisZSet } from "../values/zset.ts";
import { zsetCommands } from "./zsets.ts";

const UNIT_ERROR = "ERR unsupported unit provided. please use M, KM, FT, MI";

/** Two doubles at `argv[at]`, `argv[at + 1]` as longitude, latitude (extractLongLatOrReply). */
function lonLatArg(argv: Uint8Array[], at: number): [number, number] {
  const lon = parseDouble(argv[at]),
    lat = lon === undefined ? undefined : parseDouble(argv[at + 1]);
  if (lon === undefined || lat === undefined) fail(NOT_FLOAT);
  if (lon < GEO_LONG_MIN || lon > GEO_LONG_MAX || lat < GEO_LAT_MIN || lat > GEO_LAT_MAX) {
    fail(`ERR invalid longitude,latitude pair ${formatFixed(lon, 6)},${formatFixed(lat, 6)}`);
  }
  return [lon, lat];
}

/** Metres per unit: argv[`at`] (extractUnitOrReply, strcasecmp). */
function unitArg(command: Command, at: number): number {
  if (command.is(at - 1, "m")) return 1;
  if (command.is(at - 1, "km")) return 1000;
  if (command.is(at - 1, "ft")) return 0.3048;
  if (command.is(at - 1, "mi")) return 1609.34;
  fail(UNIT_ERROR);
}

function numberArg(bytes: Uint8Array, message: string): number {
  const value = parseDouble(bytes);
  if (value === undefined) fail(`ERR ${message}`);
  return value;
}

/** The [lon, lat] of `member` in `zset`, or undefined (longLatFromMember). */
function memberLonLat(zset: RedisZSet, member: Uint8Array): [number, number] | undefined {
  const score = zset.score(keyOf(member));
  return score === undefined ? undefined : decodeScore(score);
}

/** A coordinate as `addReplyHumanLongDouble` sends it (RESP3: a double). */
function replyCoordinate(reply: Reply, x: number): void {
  const text = formatCoordinate(x);
  if (reply.protocol === 3) reply.raw(new TextEncoder().encode(`,${text}\r\n`));
  else reply.bulk(text);
}

const COORDS = 1, MEMBER = 2, NOSTORE = 4, SEARCH = 8, SEARCHSTORE = 16;

interface SearchOptions {
  withDist: boolean;
  withHash: boolean;
  withCoord: boolean;
  sort: 0 | 1 | -1;
  any: boolean;
  count: number;
  store: Uint8Array | undefined;
  storeDist: boolean;
}

/** Redis's `georadiusGeneric`: the search commands' parsing, search and reply. */
function georadius(srcIndex: number, flags: number): KvHandler {
  return (db, _key, command, reply) => {
    const argv = command.argv;
    const zset = lookup<RedisZSet>(db, keyOf(argv[srcIndex]), "zset");
    // Every field from the start: one object shape for the search's hot loop.
    const shape: GeoShape = {
      lon: 0,
      lat: 0,
      radius: undefined,
      width: 0,
      height: 0,
      conversion: 1,
    };
    let base: number;
    const distanceAt = (at: number) => {
      shape.radius = numberArg(argv[at], "need numeric radius");
      if (shape.radius < 0) fail("ERR radius cannot be negative");
      shape.conversion = unitArg(command, at + 1);
    };
    const options: SearchOptions = {
      withDist: false,
      withHash: false,
      withCoord: false,
      sort: 0,
      any: false,
      count: 0,
      store: undefined,
      storeDist: false,
    };
    if (flags & COORDS) {
      base = 6;
      [shape.lon, shape.lat] = lonLatArg(argv, 2);
      distanceAt(4);
    } else if (flags & MEMBER) {
      base = 5;
      if (zset !== undefined) {
        const at = memberLonLat(zset, argv[2]);
        if (at === undefined) fail("ERR could not decode requested zset member");
        [shape.lon, shape.lat] = at;
        distanceAt(3);
      }
    } else {
      base = flags & SEARCHSTORE ? 3 : 2;
      if (flags & SEARCHSTORE) options.store = argv[1];
    }
    let fromMember = false, fromLonLat = false, byRadius = false, byBox = false;
    const remaining = argv.length - base;
    for (let i = 0; i < remaining; i++) {
      const opt = base + i - 1; // this option as a Command index (argv[base + i])
      const next = base + i + 1;
      if (command.is(opt, "withdist")) options.withDist = true;
      else if (command.is(opt, "withhash")) options.withHash = true;
      else if (command.is(opt, "withcoord")) options.withCoord = true;
      else if (command.is(opt, "any")) options.any = true;
      else if (command.is(opt, "asc")) options.sort = 1;
      else if (command.is(opt, "desc")) options.sort = -1;
      else if (command.is(opt, "count") && i + 1 < remaining) {
        const count = parseLongBig(argv[next]);
        if (count === undefined) fail(NOT_INTEGER);
        if (count <= 0n) fail("ERR COUNT must be > 0");
        options.count = Number(count);
        i++;
      } else if (
        (command.is(opt, "store") || command.is(opt, "storedist")) && i + 1 < remaining &&
        !(flags & NOSTORE) && !(flags & SEARCH)
      ) {
        options.store = argv[next];
        options.storeDist = command.is(opt, "storedist");
        i++;
      } else if (command.is(opt, "storedist") && (flags & SEARCH) && (flags & SEARCHSTORE)) {
        options.storeDist = true;
      } else if (
        command.is(opt, "frommember") && i + 1 < remaining && (flags & SEARCH) && !fromLonLat
      ) {
        if (zset !== undefined) {
          const at = memberLonLat(zset, argv[next]);
          if (at === undefined) fail("ERR could not decode requested zset member");
          [shape.lon, shape.lat] = at;
        }
        fromMember = true;
        i++;
      } else if (
        command.is(opt, "fromlonlat") && i + 2 < remaining && (flags & SEARCH) && !fromMember
      ) {
        [shape.lon, shape.lat] = lonLatArg(argv, next);
        fromLonLat = true;
        i += 2;
      } else if (command.is(opt, "byradius") && i + 2 < remaining && (flags & SEARCH) && !byBox) {
        distanceAt(next);
        byRadius = true;
        i += 2;
      } else if (command.is(opt, "bybox") && i + 3 < remaining && (flags & SEARCH) && !byRadius) {
        const width = numberArg(argv[next], "need numeric width");
        const height = numberArg(argv[next + 1], "need numeric height");
        if (height < 0 || width < 0) fail("ERR height or width cannot be negative");
        shape.conversion = unitArg(command, next + 2);
        shape.width = width;
        shape.height = height;
        shape.radius = undefined;
        byBox = true;
        i += 3;
      } else fail(SYNTAX);
    }
    if (
      options.store !== undefined && (options.withDist || options.withHash || options.withCoord)
    ) {
      const what = flags & SEARCHSTORE ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS";
      fail(`ERR ${what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`);
    }
    if ((flags & SEARCH) && !(fromMember || fromLonLat)) {
      fail(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${cText(argv[0])}`);
    }
    if ((flags & SEARCH) && !(byRadius || byBox)) {
      fail(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${cText(argv[0])}`);
    }
    if (options.any && options.count === 0) fail("ERR the ANY argument requires COUNT argument");
    if (zset === undefined) {
      if (options.store === undefined) return reply.arrayHeader(0);
      db.delete(keyOf(options.store));
      return reply.integer(0);
    }
    if (options.count !== 0 && options.sort === 0 && !options.any) options.sort = 1;
    const points = searchPoints(zset, shape, options.any ? options.count : 0);
    if (points.length === 0 && options.store === undefined) return reply.arrayHeader(0);
    const returned = options.count === 0 || points.length < options.count
      ? points.length
      : options.count;
    if (options.sort !== 0) sortPoints(points, options.sort, returned);
    if (options.store === undefined) replyPoints(reply, points, returned, shape, options);
    else storePoints(db, points, returned, shape, options, reply);
  };
}

function replyPoints(
  reply: Reply,
  points: GeoPoint[],
  returned: number,
  shape: GeoShape,
  options: SearchOptions,
): void {
  const extra = (options.withDist ? 1 : 0) + (options.withCoord ? 1 : 0) +
    (options.withHash ? 1 : 0);
  reply.arrayHeader(returned);
  for (let i = 0; i < returned; i++) {
    const point = points[i];
    if (extra) reply.arrayHeader(extra + 1);
    reply.bulk(keyBytes(point.member));
    if (options.withDist) reply.bulk(formatDistance(point.dist / shape.conversion));
    if (options.withHash) reply.integer(Math.trunc(point.score));
    if (options.withCoord) {
      reply.arrayHeader(2);
      replyCoordinate(reply, point.lon);
      replyCoordinate(reply, point.lat);
    }
  }
}

function storePoints(
  db: Database,
  points: GeoPoint[],
  returned: number,
  shape: GeoShape,
  options: SearchOptions,
  reply: Reply,
): void {
  const target = keyOf(options.store!);
  if (returned === 0) {
    db.delete(target);
    return reply.integer(0);
  }
  let longest = 0;
  for (let i = 0; i < returned; i++) longest = Math.max(longest, points[i].member.length);
  const zset = new RedisZSet(returned <= 128 && longest <= 64);
  for (let i = 0; i < returned; i++) {
    const point = points[i];
    zset.add(options.storeDist ? point.dist / shape.conversion : point.score, point.member);
  }
  db.set(target, zset);
  reply.integer(returned);
}

const zadd = zsetCommands.find((entry) => entry.name === "zadd")!.handler;

const geoadd: KvHandler = (db, key, command, reply, connection) => {
  const argv = command.argv;
  let xx = false, nx = false, at = 2;
  for (; at < argv.length; at++) {
    if (command.is(at - 1, "nx")) nx = true;
    else if (command.is(at - 1, "xx")) xx = true;
    else if (!command.is(at - 1, "ch")) break;
  }
  if ((argv.length - at) % 3 !== 0 || (xx && nx)) fail(SYNTAX);
  const zaddArgv = argv.slice(0, at);
  zaddArgv[0] = ZADD;
  for (let i = at; i < argv.length; i += 3) {
    const [lon, lat] = lonLatArg(argv, i);
    zaddArgv.push(new TextEncoder().encode(String(scoreOf(lon, lat))), argv[i + 2]);
  }
  const zaddCommand = new Command();
  zaddCommand.load("zadd", zaddArgv);
  return zadd(db, key, zaddCommand, reply, connection);
};
const ZADD = new TextEncoder().encode("zadd");

const GEO_ALPHABET = "0123456789bcdefghjkmnpqrstuvwxyz";

/** GEOHASH's 11-character standard geohash of a score. */
function standardHash(score: number): string {
  const [lon, lat] = decodeScore(score);
  const bits = hashBits(encode(lon, lat, 26, -90, 90)!);
  let text = "";
  for (let i = 0; i < 10; i++) {
    text += GEO_ALPHABET[Number((bits >> BigInt(52 - (i + 1) * 5)) & 31n)];
  }
  return text + "0";
}

function storeSpecs(startFrom: number): KeySpec[] {
  return ["STORE", "STOREDIST"].map((keyword) => ({
    flags: ["OW", "update"],
    begin: { keyword, startFrom },
    find: { lastKey: 0, step: 1, limit: 0 },
  }));
}

const SEARCH_COMPLEXITY =
  "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape";
const RADIUS_COMPLEXITY =
  "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.";
const UPPERCASE_UNITS: [string, string] = ["7.0.0", "Added support for uppercase unit names."];

/** The geo commands. */
export const geoCommands: readonly KvCommand[] = [
  {
    name: "geoadd",
    arity: -5,
    flags: ["write", "denyoom"],
    acl: ["geo"],
    keys: [keyAt(1, "RW", "update")],
    group: "geo",
    since: "3.2.0",
    complexity:
      "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
    summary:
      "Add one or more geospatial items in the geospatial index represented using a sorted set",
    history: [["6.2.0", "Added the `CH`, `NX` and `XX` options."]],
    handler: geoadd,
  },
  {
    name: "geopos",
    arity: -2,
    flags: ["readonly"],
    acl: ["geo"],
    keys: [keyAt(1, "RO", "access")],
    group: "geo",
    since: "3.2.0",
    complexity: "O(N) where N is the number of members requested.",
    summary: "Returns longitude and latitude of members of a geospatial index",
    handler: (db, key, command, reply) => {
      const zset = lookup<RedisZSet>(db, key, "zset");
      reply.arrayHeader(command.length - 1);
      for (let i = 1; i < command.length; i++) {
        const at = zset === undefined ? undefined : memberLonLat(zset, command.arg(i)!);
        if (at === undefined) {
          reply.nullArray();
          continue;
        }
        reply.arrayHeader(2);
        replyCoordinate(reply, at[0]);
        replyCoordinate(reply, at[1]);
      }
    },
  },
  {
    name: "geodist",
    arity: -4,
    flags: ["readonly"],
    acl: ["geo"],
    keys: [keyAt(1, "RO", "access")],
    group: "geo",
    since: "3.2.0",
    complexity: "O(log(N))",
    summary: "Returns the distance between two members of a geospatial index",
    handler: (db, key, command, reply) => {
      let toMeters = 1;
      if (command.length === 4) toMeters = unitArg(command, 4);
      else if (command.length > 4) fail(SYNTAX);
      const zset = lookup<RedisZSet>(db, key, "zset");
      if (zset === undefined) return reply.null();
      const a = memberLonLat(zset, command.arg(1)!), b = memberLonLat(zset, command.arg(2)!);
      if (a === undefined || b === undefined) return reply.null();
      reply.bulk(formatDistance(distance(a[0], a[1], b[0], b[1]) / toMeters));
    },
  },
  {
    name: "geohash",
    arity: -2,
    flags: ["readonly"],
    acl: ["geo"],
    keys: [keyAt(1, "RO", "access")],
    group: "geo",
    since: "3.2.0",
    complexity:
      "O(log(N)) for each member requested, where N is the number of elements in the sorted set.",
    summary: "Returns members of a geospatial index as standard geohash strings",
    handler: (db, key, command, reply) => {
      const zset = lookup<RedisZSet>(db, key, "zset");
      reply.arrayHeader(command.length - 1);
      for (let i = 1; i < command.length; i++) {
        const score = zset?.score(keyOf(command.arg(i)!));
        if (score === undefined) reply.null();
        else reply.bulk(standardHash(score));
      }
    },
  },
  {
    name: "geosearch",
    arity: -7,
    flags: ["readonly"],
    acl: ["geo"],
    keys: [keyAt(1, "RO", "access")],
    group: "geo",
    since: "6.2.0",
    complexity: SEARCH_COMPLEXITY,
    summary:
      "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle.",
    history: [UPPERCASE_UNITS],
    handler: georadius(1, SEARCH),
  },
  {
    name: "geosearchstore",
    arity: -8,
    flags: ["write", "denyoom"],
    acl: ["geo"],
    keys: [keyAt(1, "OW", "update"), keyAt(2, "RO", "access")],
    group: "geo",
    since: "6.2.0",
    complexity: SEARCH_COMPLEXITY,
    summary:
      "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle, and store the result in another key.",
    history: [UPPERCASE_UNITS],
    handler: georadius(2, SEARCH | SEARCHSTORE),
  },
  {
    name: "georadius",
    arity: -6,
    flags: ["write", "denyoom"],
    acl: ["geo"],
    keys: [keyAt(1, "RO", "access"), ...storeSpecs(6)],
    group: "geo",
    since: "3.2.0",
    complexity: RADIUS_COMPLEXITY,
    summary:
      "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point",
    docFlags: ["deprecated"],
    deprecatedSince: "6.2.0",
    replacedBy: "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` argument",
    history: [["6.2.0", "Added the `ANY` option for `COUNT`."], UPPERCASE_UNITS],
    handler: georadius(1, COORDS),
  },
  {
    name: "georadiusbymember",
    arity: -5,
    flags: ["write", "denyoom"],
    acl: ["geo"],
    keys: [keyAt(1, "RO", "access"), ...storeSpecs(5)],
    group: "geo",
    since: "3.2.0",
    complexity: RADIUS_COMPLEXITY,
    summary:
      "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a member",
    docFlags: ["deprecated"],
    deprecatedSince: "6.2.0",
    replacedBy: "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` and `FROMMEMBER` arguments",
    history: [UPPERCASE_UNITS],
    handler: georadius(1, MEMBER),
  },
  {
    name: "georadius_ro",
    arity: -6,
    flags: ["readonly"],
    acl: ["geo"],
    keys: [keyAt(1, "RO", "access")],
    group: "geo",
    since: "3.2.10",
    complexity: RADIUS_COMPLEXITY,
    summary: "A read-only variant for GEORADIUS",
    docFlags: ["deprecated"],
    deprecatedSince: "6.2.0",
    replacedBy: "`GEOSEARCH` with the `BYRADIUS` argument",
    history: [["6.2.0", "Added the `ANY` option for `COUNT`."]],
    handler: georadius(1, COORDS | NOSTORE),
  },
  {
    name: "georadiusbymember_ro",
    arity: -5,
    flags: ["readonly"],
    acl: ["geo"],
    keys: [keyAt(1, "RO", "access")],
    group: "geo",
    since: "3.2.10",
    complexity: RADIUS_COMPLEXITY,
    summary: "A read-only variant for GEORADIUSBYMEMBER",
    docFlags: ["deprecated"],
    deprecatedSince: "6.2.0",
    replacedBy: "`GEOSEARCH` with the `BYRADIUS` and `FROMMEMBER` arguments",
    handler: georadius(1, MEMBER | NOSTORE),
  },
];
