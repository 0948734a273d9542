/**
 * Differential tests of the geo commands against redis-server 7.0 (RESP2 and RESP3): scores
 * (the 52-bit geohash), decoded coordinates and distances to the last printed digit, searches
 * by radius and box in every option combination, errors; seeded random points across the
 * globe, the latitude limits and the antimeridian included.
 */
import { after, before, describe, it } from "node:test";
import { oracleFixture, oracleSkip } from "../helpers/redis_oracle.ts";
import { batch, type Line, prng } from "./bitmaps_batch.ts";

const SICILY: Line[] = [
  ["GEOADD", "Sicily", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"],
  ["GEOADD", "Sicily", "CH", "13.361389", "38.115556", "Palermo", "15", "37", "Other"],
  ["GEOADD", "Sicily", "NX", "1", "1", "Palermo", "2", "2", "New"],
  ["GEOADD", "Sicily", "XX", "CH", "1", "1", "New", "3", "3", "Missing"],
  ["GEOADD", "Sicily", "NX", "XX", "1", "1", "a"],
  ["GEOADD", "Sicily", "GT", "1", "1", "a"],
  ["GEOADD", "Sicily", "1", "1"],
  ["GEOADD", "Sicily", "200", "1", "bad"],
  ["GEOADD", "Sicily", "1", "85.06", "bad"],
  ["GEOADD", "Sicily", "-180.0001", "0", "bad"],
  ["GEOADD", "Sicily", "x", "1", "bad"],
  ["GEOADD", "Sicily", "1", "1", "ok", "1", "y", "bad"],
  ["GEOADD", "Sicily", "180", "85.05112878", "corner1", "-180", "-85.05112878", "corner2"],
  ["ZRANGE", "Sicily", "0", "-1", "WITHSCORES"],
  ["GEOPOS", "Sicily", "Palermo", "Catania", "nope", "corner1", "corner2", "New"],
  ["GEOPOS", "nokey", "a"],
  ["GEOPOS", "Sicily"],
  ["GEOHASH", "Sicily", "Palermo", "Catania", "nope", "corner1", "corner2"],
  ["GEOHASH", "nokey", "a", "b"],
  ["GEODIST", "Sicily", "Palermo", "Catania"],
  ["GEODIST", "Sicily", "Palermo", "Catania", "km"],
  ["GEODIST", "Sicily", "Palermo", "Catania", "MI"],
  ["GEODIST", "Sicily", "Palermo", "Catania", "ft"],
  ["GEODIST", "Sicily", "Palermo", "Catania", "yards"],
  ["GEODIST", "Sicily", "Palermo", "Catania", "km", "x"],
  ["GEODIST", "Sicily", "Palermo", "nope"],
  ["GEODIST", "nokey", "a", "b"],
  ["GEODIST", "nokey", "a", "b", "parsec"],
  ["GEODIST", "Sicily", "Palermo", "Palermo"],
  ["GEODIST", "Sicily", "corner1", "corner2"],
  ["ZADD", "weird", "-1", "neg", "1e300", "huge", "4503599627370496", "top", "0.5", "half"],
  ["GEOPOS", "weird", "neg", "huge", "top", "half"],
  ["GEOHASH", "weird", "neg", "huge", "top", "half"],
  ["SET", "str", "x"],
  ["GEOADD", "str", "1", "1", "a"],
  ["GEOPOS", "str", "a"],
  ["GEODIST", "str", "a", "b"],
  ["GEOHASH", "str", "a"],
  ["GEOSEARCH", "str", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"],
  ["GEORADIUS", "str", "15", "37", "200", "km"],
];

const SEARCHES: Line[] = [
  ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ASC"],
  ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "KM", "DESC"],
  [
    "GEOSEARCH",
    "Sicily",
    "FROMLONLAT",
    "15",
    "37",
    "BYRADIUS",
    "200",
    "km",
    "WITHCOORD",
    "WITHDIST",
    "WITHHASH",
  ],
  ["GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", "200", "km", "WITHDIST", "ASC"],
  ["GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYBOX", "400", "400", "km", "WITHDIST", "ASC"],
  [
    "GEOSEARCH",
    "Sicily",
    "FROMLONLAT",
    "15",
    "37",
    "BYBOX",
    "300",
    "300",
    "mi",
    "WITHCOORD",
    "DESC",
  ],
  ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "COUNT", "1"],
  ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "COUNT", "1", "ANY"],
  [
    "GEOSEARCH",
    "Sicily",
    "FROMLONLAT",
    "15",
    "37",
    "BYRADIUS",
    "200",
    "km",
    "COUNT",
    "2",
    "DESC",
    "WITHDIST",
  ],
  ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ANY"],
  ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "COUNT", "0"],
  ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "COUNT", "x"],
  ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "-1", "km"],
  ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "x", "km"],
  ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "parsec"],
  ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "-1", "1", "km"],
  ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "1", "x", "km"],
  ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "1", "1", "km", "BYRADIUS", "1", "km"],
  ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "FROMMEMBER", "Palermo", "BYRADIUS", "1", "km"],
  ["GEOSEARCH", "Sicily", "FROMMEMBER", "nope", "BYRADIUS", "1", "km"],
  ["GEOSEARCH", "Sicily", "BYRADIUS", "1", "km", "ASC", "WITHDIST"],
  ["geosearch", "Sicily", "FROMLONLAT", "1", "1", "ASC", "WITHDIST"],
  ["GEOSEARCH", "Sicily", "FROMLONLAT", "200", "1", "BYRADIUS", "1", "km"],
  ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "STORE", "x"],
  ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "STOREDIST"],
  ["GEOSEARCH", "nokey", "FROMMEMBER", "x", "BYRADIUS", "200", "km"],
  ["GEOSEARCH", "nokey", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ANY"],
  ["GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"],
  ["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
  [
    "GEOSEARCHSTORE",
    "dst",
    "Sicily",
    "FROMLONLAT",
    "15",
    "37",
    "BYRADIUS",
    "200",
    "km",
    "STOREDIST",
    "DESC",
  ],
  ["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
  [
    "GEOSEARCHSTORE",
    "dst",
    "Sicily",
    "FROMLONLAT",
    "15",
    "37",
    "BYRADIUS",
    "200",
    "km",
    "WITHDIST",
  ],
  ["GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "m"],
  ["EXISTS", "dst"],
  ["GEOSEARCHSTORE", "dst", "nokey", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "m"],
  ["GEORADIUS", "Sicily", "15", "37", "200", "km", "WITHDIST", "WITHCOORD", "ASC"],
  ["GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "1", "WITHHASH"],
  ["GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "r1"],
  ["ZRANGE", "r1", "0", "-1", "WITHSCORES"],
  ["GEORADIUS", "Sicily", "15", "37", "200", "km", "STOREDIST", "r2", "DESC"],
  ["ZRANGE", "r2", "0", "-1", "WITHSCORES"],
  ["GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "r1", "WITHDIST"],
  ["GEORADIUS", "Sicily", "15", "37", "200", "km", "FROMLONLAT", "1", "1"],
  ["GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE"],
  ["GEORADIUS_RO", "Sicily", "15", "37", "200", "km", "STORE", "r1"],
  ["GEORADIUS_RO", "Sicily", "15", "37", "200", "km", "WITHDIST"],
  ["GEORADIUSBYMEMBER", "Sicily", "Palermo", "200", "km", "WITHDIST"],
  ["GEORADIUSBYMEMBER", "Sicily", "nope", "200", "km"],
  ["GEORADIUSBYMEMBER", "Sicily", "Palermo", "x", "km"],
  ["GEORADIUSBYMEMBER", "nokey", "Palermo", "x", "parsec", "WITHDIST"],
  ["GEORADIUSBYMEMBER", "nokey", "Palermo", "1", "km", "STORE", "r9"],
  ["GEORADIUSBYMEMBER_RO", "Sicily", "Catania", "100", "mi", "WITHCOORD"],
  ["GEORADIUSBYMEMBER_RO", "Sicily", "Catania", "100", "mi", "STOREDIST", "x"],
  ["GEORADIUS", "Sicily", "15", "37", "0", "km"],
  ["GEOSEARCH", "Sicily", "FROMLONLAT", "180", "85.05112878", "BYRADIUS", "0", "m", "WITHCOORD"],
  [
    "GEOSEARCH",
    "Sicily",
    "FROMLONLAT",
    "180",
    "85.05112878",
    "BYRADIUS",
    "5000",
    "km",
    "WITHCOORD",
  ],
  [
    "GEOSEARCH",
    "Sicily",
    "FROMLONLAT",
    "-180",
    "-85.05112878",
    "BYBOX",
    "40000",
    "100",
    "km",
    "WITHDIST",
  ],
  ["GEOSEARCH", "Sicily", "FROMLONLAT", "0", "0", "BYRADIUS", "25000", "km", "WITHDIST", "ASC"],
];

/** Random points; near the poles' limits, the antimeridian and the equator more often. */
function randomPoints(rand: () => number, n: number): Line[] {
  const lines: Line[] = [];
  const lon = () => {
    const r = rand();
    if (r < 0.2) return 180 - rand() * 0.5;
    if (r < 0.4) return -180 + rand() * 0.5;
    return rand() * 360 - 180;
  };
  const lat = () => {
    const r = rand();
    if (r < 0.15) return 85.05112878 - rand() * 0.3;
    if (r < 0.3) return -85.05112878 + rand() * 0.3;
    if (r < 0.4) return rand() * 0.02 - 0.01;
    return rand() * 170 - 85;
  };
  for (let i = 0; i < n; i += 10) {
    const line: (string | number)[] = ["GEOADD", "world"];
    for (let k = i; k < i + 10; k++) line.push(String(lon()), String(lat()), `p${k}`);
    lines.push(line);
  }
  return lines;
}

/** Many members at a few identical places: equal distances, ordered as Redis's sorts do. */
function ties(): Line[] {
  const lines: Line[] = [];
  const places = [["10", "50"], ["10.01", "50"], ["9.99", "50"], ["10", "50.01"], ["10", "49.99"]];
  for (let i = 0; i < 90; i++) {
    const [lon, lat] = places[(i * 7) % places.length];
    lines.push(["GEOADD", "ties", lon, lat, `m${(i * 37) % 90}`]);
  }
  for (const count of ["1", "3", "7", "8", "41", "45", "89", "90", "200"]) {
    for (const order of ["ASC", "DESC"]) {
      lines.push([
        "GEOSEARCH",
        "ties",
        "FROMLONLAT",
        "10",
        "50",
        "BYRADIUS",
        "5",
        "km",
        "COUNT",
        count,
        order,
      ]);
      lines.push([
        "GEORADIUS",
        "ties",
        "10.002",
        "50.001",
        "5",
        "km",
        "COUNT",
        count,
        order,
        "WITHDIST",
      ]);
    }
  }
  lines.push(["GEOSEARCH", "ties", "FROMLONLAT", "10", "50", "BYBOX", "5", "5", "km", "ASC"]);
  lines.push(["GEOSEARCH", "ties", "FROMLONLAT", "10", "50", "BYBOX", "5", "5", "km", "DESC"]);
  return lines;
}

describe("kv geo vs redis-server", { skip: oracleSkip }, () => {
  const fx = oracleFixture({ before, after });
  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol}`, () => {
      it("GEOADD, GEOPOS, GEOHASH, GEODIST: scores, formats, errors", () =>
        fx.check(protocol, (d) => batch(d, SICILY)));
      it("GEOSEARCH, GEOSEARCHSTORE, GEORADIUS*: options, stores, errors", () =>
        fx.check(protocol, (d) => batch(d, [...SICILY, ...SEARCHES])));
      it("equal distances: full and partial (COUNT) sorts in Redis's order", () =>
        fx.check(protocol, (d) => batch(d, ties())));
      it("seeded random points across the globe and searches around them", () =>
        fx.check(protocol, async (d) => {
          const rand = prng(protocol * 15485863);
          const lines = randomPoints(rand, 600);
          const members: string[] = [];
          for (let i = 0; i < 600; i += 37) members.push(`p${i}`);
          lines.push(["ZRANGE", "world", "0", "-1", "WITHSCORES"], ["GEOPOS", "world", ...members]);
          lines.push(["GEOHASH", "world", ...members]);
          for (let i = 0; i + 1 < members.length; i++) {
            lines.push([
              "GEODIST",
              "world",
              members[i],
              members[i + 1],
              ["m", "km", "mi", "ft"][i % 4],
            ]);
          }
          for (let i = 0; i < 150; i++) {
            const from = rand() < 0.5
              ? ["FROMMEMBER", `p${Math.floor(rand() * 600)}`]
              : ["FROMLONLAT", String(rand() * 360 - 180), String(rand() * 170 - 85)];
            const radius = String(Math.floor(10 ** (rand() * 4)));
            const by = rand() < 0.5
              ? ["BYRADIUS", radius, "km"]
              : ["BYBOX", radius, String(Math.floor(10 ** (rand() * 4))), "km"];
            const opts = [["ASC"], ["DESC"], []][Math.floor(rand() * 3)];
            lines.push([
              "GEOSEARCH",
              "world",
              ...from,
              ...by,
              ...opts,
              "WITHDIST",
              "WITHCOORD",
              "WITHHASH",
            ]);
            if (i % 5 === 0) {
              // STORE keeps geohash scores, exact; STOREDIST's full-precision distances can
              // differ from glibc's sin/cos/asin in the last bit, so only the order is compared.
              lines.push(["GEOSEARCHSTORE", "out", "world", ...from, ...by]);
              lines.push(["ZRANGE", "out", "0", "-1", "WITHSCORES"]);
              lines.push(["GEOSEARCHSTORE", "out", "world", ...from, ...by, "STOREDIST"]);
              lines.push(["ZRANGE", "out", "0", "-1"]);
            }
          }
          await batch(d, lines, 100);
        }));
    });
  }
});
