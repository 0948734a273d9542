/**
 * Redis's geohash (geohash.c, geohash_helper.c): 52-bit interleaved hashes of Web-Mercator
 * bounded coordinates (latitude in the even bits, longitude in the odd ones), decoding to
 * the centre of a cell, neighbours, the 3x3 cell search around a circle or a box with
 * Redis's step estimate and its bounding-box pruning, and the haversine distance with
 * Redis's Earth radius. Every double is computed in Redis's order of operations, so scores,
 * coordinates and distances come out bit for bit the same.
 *
 * @module
 */

/** Latitude limits of the Mercator projection (GEO_LAT_MIN / GEO_LAT_MAX). */
export const GEO_LAT_MIN: number = -85.05112878, GEO_LAT_MAX: number = 85.05112878;
/** Longitude limits. */
export const GEO_LONG_MIN: number = -180, GEO_LONG_MAX: number = 180;
/** Bits per coordinate (GEO_STEP_MAX: 26 * 2 = 52 bits). */
export const GEO_STEP_MAX: number = 26;
const EARTH_RADIUS_IN_METERS = 6372797.560856;
const MERCATOR_MAX = 20037726.37;
const D_R = Math.PI / 180.0;

/**
 * A cell: its latitude and longitude indices (the deinterleaved hash bits: below 2^step, or
 * exactly 2^step for a point on the upper limit, as in Redis) at `step` bits per coordinate.
 */
export interface GeoHash {
  lat: number;
  lon: number;
  step: number;
}

/** Min/max of a cell on both axes. */
export interface GeoArea {
  latMin: number;
  latMax: number;
  lonMin: number;
  lonMax: number;
}

/** Spreads the 16 low bits of `v` to the even bits of a 32-bit value. */
function spread16(v: number): number {
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  v = (v | (v << 1)) & 0x55555555;
  return v >>> 0;
}

/** The even bits of a 32-bit value, packed into 16 bits. */
function squeeze16(v: number): number {
  v &= 0x55555555;
  v = (v | (v >>> 1)) & 0x33333333;
  v = (v | (v >>> 2)) & 0x0f0f0f0f;
  v = (v | (v >>> 4)) & 0x00ff00ff;
  v = (v | (v >>> 8)) & 0x0000ffff;
  return v;
}

/** `interleave64(lat, lon)` for offsets below 2^26: an exact number below 2^52. */
function interleave(lat: number, lon: number): number {
  const even = spread16(lat & 0xffff) + spread16(lat >>> 16) * 4294967296;
  const odd = spread16(lon & 0xffff) + spread16(lon >>> 16) * 4294967296;
  return even + odd * 2;
}

/** `interleave64` of any two uint32 offsets, exact. */
function interleaveBig(lat: number, lon: number): bigint {
  const part = (v: number) => BigInt(spread16(v & 0xffff)) | (BigInt(spread16(v >>> 16)) << 32n);
  return part(lat) | (part(lon) << 1n);
}

/**
 * Redis's `geohashEncode`: the cell of (`lon`, `lat`) at `step` within the given latitude
 * range; undefined when the point is out of range.
 *
 * @example
 * ```ts
 * import { encode } from "./geohash.ts";
 *
 * encode(13.361389, 38.115556, 26); // { lat: 51179566, lon: 42990581, step: 26 }
 * ```
 */
export function encode(
  lon: number,
  lat: number,
  step: number,
  latMin: number = GEO_LAT_MIN,
  latMax: number = GEO_LAT_MAX,
): GeoHash | undefined {
  if (lon > GEO_LONG_MAX || lon < GEO_LONG_MIN || lat > GEO_LAT_MAX || lat < GEO_LAT_MIN) {
    return undefined;
  }
  if (lat < latMin || lat > latMax) return undefined;
  let latOffset = (lat - latMin) / (latMax - latMin);
  let lonOffset = (lon - GEO_LONG_MIN) / (GEO_LONG_MAX - GEO_LONG_MIN);
  latOffset *= 2 ** step;
  lonOffset *= 2 ** step;
  return { lat: Math.trunc(latOffset), lon: Math.trunc(lonOffset), step };
}

/** The hash bits of a cell, exact. */
export function hashBits(hash: GeoHash): bigint {
  return interleaveBig(hash.lat, hash.lon);
}

/** The score of a point: its 52-bit hash as ZADD would store it (a double). */
export function scoreOf(lon: number, lat: number): number {
  const hash = encode(lon, lat, GEO_STEP_MAX)!;
  if (hash.lat < 67108864 && hash.lon < 67108864) return interleave(hash.lat, hash.lon);
  return Number(hashBits(hash));
}

/** A double converted to uint64 as x86-64 C code does, as [high, low] 32-bit halves. */
function toUint64(score: number): [number, number] {
  if (score >= 0 && score < 9007199254740992) {
    const v = Math.trunc(score);
    return [Math.floor(v / 4294967296), v % 4294967296];
  }
  let big: bigint;
  if (Number.isNaN(score) || score < -9223372036854775808) big = 1n << 63n;
  else if (score >= 18446744073709551616) big = 0n;
  else big = BigInt.asUintN(64, BigInt(Math.trunc(score)));
  return [Number(big >> 32n), Number(big & 0xffffffffn)];
}

/** Redis's `geohashDecode` of a cell. */
export function decodeArea(hash: GeoHash): GeoArea {
  return cellArea(hash.lat, hash.lon, hash.step, GEO_LAT_MIN, GEO_LAT_MAX);
}

function cellArea(
  ilato: number,
  ilono: number,
  step: number,
  latMin: number,
  latMax: number,
): GeoArea {
  const cells = 2 ** step;
  const latScale = latMax - latMin, lonScale = GEO_LONG_MAX - GEO_LONG_MIN;
  return {
    latMin: latMin + (ilato * 1.0 / cells) * latScale,
    latMax: latMin + (((ilato + 1) >>> 0) * 1.0 / cells) * latScale,
    lonMin: GEO_LONG_MIN + (ilono * 1.0 / cells) * lonScale,
    lonMax: GEO_LONG_MIN + (((ilono + 1) >>> 0) * 1.0 / cells) * lonScale,
  };
}

/**
 * Redis's `decodeGeohash`: the [longitude, latitude] a score stands for (the centre of its
 * cell, clamped to the limits).
 *
 * @example
 * ```ts
 * import { decodeScore } from "./geohash.ts";
 *
 * decodeScore(3479099956230698); // [13.361389338970184, 38.1155563954963]
 * ```
 */
export function decodeScore(score: number): [number, number] {
  decodeScoreInto(score, SCRATCH);
  return [SCRATCH[0], SCRATCH[1]];
}

const SCRATCH = new Float64Array(2);
const LAT_SCALE = GEO_LAT_MAX - GEO_LAT_MIN, LON_SCALE = GEO_LONG_MAX - GEO_LONG_MIN;
/** 2^-26 and 2^-32: multiplying by them is the exact division by 2^26 / 2^32, only faster. */
const PER_CELL_26 = 2 ** -GEO_STEP_MAX, PER_2_32 = 2 ** -32;

/**
 * The bits of a 32-bit word unzipped: its even bits packed in the low 16 bits of the result,
 * its odd bits in the high 16 (four delta swaps).
 */
function unzip(x: number): number {
  let t = (x ^ (x >>> 1)) & 0x22222222;
  x ^= t ^ (t << 1);
  t = (x ^ (x >>> 2)) & 0x0c0c0c0c;
  x ^= t ^ (t << 2);
  t = (x ^ (x >>> 4)) & 0x00f000f0;
  x ^= t ^ (t << 4);
  t = (x ^ (x >>> 8)) & 0x0000ff00;
  return x ^ t ^ (t << 8);
}

/** The latitude offset (the even bits) of unzipped hash halves (see {@link unzip}). */
function latitudeBits(lo: number, hi: number): number {
  return (lo & 0xffff) | ((hi & 0xffff) << 16);
}

/** The longitude offset (the odd bits) of unzipped hash halves. */
function longitudeBits(lo: number, hi: number): number {
  return (lo >>> 16) | ((hi >>> 16) << 16);
}

/** The clamped latitude of the centre of step-26 row `ilato`. */
function rowCentre(ilato: number): number {
  const latMin = GEO_LAT_MIN + ilato * PER_CELL_26 * LAT_SCALE;
  const latMax = GEO_LAT_MIN + ((ilato + 1) >>> 0) * PER_CELL_26 * LAT_SCALE;
  const lat = (latMin + latMax) / 2;
  return lat > GEO_LAT_MAX ? GEO_LAT_MAX : lat < GEO_LAT_MIN ? GEO_LAT_MIN : lat;
}

/** The clamped longitude of the centre of step-26 column `ilono`. */
function columnCentre(ilono: number): number {
  const lonMin = GEO_LONG_MIN + ilono * PER_CELL_26 * LON_SCALE;
  const lonMax = GEO_LONG_MIN + ((ilono + 1) >>> 0) * PER_CELL_26 * LON_SCALE;
  const lon = (lonMin + lonMax) / 2;
  return lon > GEO_LONG_MAX ? GEO_LONG_MAX : lon < GEO_LONG_MIN ? GEO_LONG_MIN : lon;
}

/**
 * {@link decodeScore} without allocating: writes longitude and latitude to `out[0]`, `out[1]`.
 */
export function decodeScoreInto(score: number, out: Float64Array): void {
  if (!(score >= 0 && score < 4503599627370496)) return decodeWideInto(score, out);
  // A 52-bit hash: its halves (exact: the subtraction loses nothing below 2^52; `| 0`
  // truncates a fraction as C's conversion does, and keeps the low 32 bits).
  const high = Math.floor(score * PER_2_32);
  const lo = unzip((score - high * 4294967296) | 0), hi = unzip(high);
  out[0] = columnCentre(longitudeBits(lo, hi));
  out[1] = rowCentre(latitudeBits(lo, hi));
}

/** {@link decodeScoreInto} of a score outside [0, 2^52) (converted as C does). */
function decodeWideInto(score: number, out: Float64Array): void {
  const [hi, lo] = toUint64(score);
  const ilato = (squeeze16(lo) + squeeze16(hi) * 65536) >>> 0;
  const ilono = (squeeze16(lo >>> 1) + squeeze16(hi >>> 1) * 65536) >>> 0;
  cellCentreInto(ilato, ilono, out);
}

/** The clamped centre of the step-26 cell (`ilato`, `ilono`) into `out`. */
function cellCentreInto(ilato: number, ilono: number, out: Float64Array): void {
  out[0] = columnCentre(ilono);
  out[1] = rowCentre(ilato);
}

/** Moves a cell by `dLon` / `dLat` cells, wrapping as `geohash_move_x` / `_y` do. */
function move(hash: GeoHash, dLon: number, dLat: number): GeoHash {
  const cells = 2 ** hash.step;
  return { lat: wrap(hash.lat, dLat, cells), lon: wrap(hash.lon, dLon, cells), step: hash.step };
}

/** `v + d` modulo `cells` (`v` unchanged when `d` is 0). */
function wrap(v: number, d: number, cells: number): number {
  return d === 0 ? v : ((v + d) % cells + cells) % cells;
}

/** The 3x3 cells a search visits: the centre's cell and its neighbours (zeroed: skipped). */
export interface SearchArea {
  /** Centre, N, S, E, W, NE, NW, SE, SW; `step` 0 marks a pruned neighbour. */
  cells: GeoHash[];
}

/** A search shape: centre, a radius or a box (in the unit), and the unit in metres. */
export interface GeoShape {
  lon: number;
  lat: number;
  radius?: number;
  width?: number;
  height?: number;
  conversion: number;
}

/** Redis's `geohashEstimateStepsByRadius`. */
function estimateSteps(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

const degRad = (deg: number): number => deg * D_R;
const radDeg = (rad: number): number => rad / D_R;

/** Redis's `geohashBoundingBox`: [minLon, minLat, maxLon, maxLat]. */
function boundingBox(shape: GeoShape): [number, number, number, number] {
  const circle = shape.radius !== undefined;
  const height = shape.conversion * (circle ? shape.radius! : shape.height! / 2);
  const width = shape.conversion * (circle ? shape.radius! : shape.width! / 2);
  const latDelta = radDeg(height / EARTH_RADIUS_IN_METERS);
  const lonDeltaTop = radDeg(
    width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(shape.lat + latDelta)),
  );
  const lonDeltaBottom = radDeg(
    width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(shape.lat - latDelta)),
  );
  const south = shape.lat < 0;
  return [
    south ? shape.lon - lonDeltaBottom : shape.lon - lonDeltaTop,
    shape.lat - latDelta,
    south ? shape.lon + lonDeltaBottom : shape.lon + lonDeltaTop,
    shape.lat + latDelta,
  ];
}

const ZERO: GeoHash = { lat: 0, lon: 0, step: 0 };

/**
 * Redis's `geohashCalculateAreasByShapeWGS84`: the cells to scan for `shape`.
 *
 * @example
 * ```ts
 * import { areasByShape } from "./geohash.ts";
 *
 * areasByShape({ lon: 15, lat: 37, radius: 200, conversion: 1000 }).cells.length; // 9
 * ```
 */
export function areasByShape(shape: GeoShape): SearchArea {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(shape);
  let radiusMeters = shape.radius !== undefined ? shape.radius : Math.sqrt(
    (shape.width! / 2) * (shape.width! / 2) + (shape.height! / 2) * (shape.height! / 2),
  );
  radiusMeters *= shape.conversion;
  let steps = estimateSteps(radiusMeters, shape.lat);
  let hash = encode(shape.lon, shape.lat, steps)!;
  let area = decodeArea(hash);
  const north = decodeArea(move(hash, 0, 1)), south = decodeArea(move(hash, 0, -1));
  const east = decodeArea(move(hash, 1, 0)), west = decodeArea(move(hash, -1, 0));
  const decrease = north.latMax < maxLat || south.latMin > minLat || east.lonMax < maxLon ||
    west.lonMin > minLon;
  if (steps > 1 && decrease) {
    steps--;
    hash = encode(shape.lon, shape.lat, steps)!;
    area = decodeArea(hash);
  }
  const cells = [
    hash,
    move(hash, 0, 1),
    move(hash, 0, -1),
    move(hash, 1, 0),
    move(hash, -1, 0),
    move(hash, 1, 1),
    move(hash, -1, 1),
    move(hash, 1, -1),
    move(hash, -1, -1),
  ];
  if (steps >= 2) {
    const N = 1, S = 2, E = 3, W = 4, NE = 5, NW = 6, SE = 7, SW = 8;
    if (area.latMin < minLat) cells[S] = cells[SW] = cells[SE] = ZERO;
    if (area.latMax > maxLat) cells[N] = cells[NE] = cells[NW] = ZERO;
    if (area.lonMin < minLon) cells[W] = cells[SW] = cells[NW] = ZERO;
    if (area.lonMax > maxLon) cells[E] = cells[SE] = cells[NE] = ZERO;
  }
  return { cells };
}

/** The score range [min, max) of a cell (`scoresOfGeoHashBox`, 64-bit shifts). */
export function cellScores(hash: GeoHash): [number, number] {
  const shift = 52 - hash.step * 2;
  if (hash.lat < 67108864 && hash.lon < 67108864) {
    const bits = interleave(hash.lat, hash.lon), scale = 2 ** shift;
    return [bits * scale, (bits + 1) * scale];
  }
  const bits = hashBits(hash);
  const align = (b: bigint) => Number(BigInt.asUintN(64, b << BigInt(shift)));
  return [align(bits), align(bits + 1n)];
}

/** Redis's `geohashGetLatDistance`. */
function latDistance(lat1: number, lat2: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(degRad(lat2) - degRad(lat1));
}

/**
 * Redis's `geohashGetDistance`: the haversine distance in metres.
 *
 * @example
 * ```ts
 * import { distance } from "./geohash.ts";
 *
 * distance(13.361389, 38.115556, 15.087269, 37.502669); // about 166274
 * ```
 */
export function distance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const lon1r = degRad(lon1), lon2r = degRad(lon2);
  const v = Math.sin((lon2r - lon1r) / 2);
  if (v === 0.0) return latDistance(lat1, lat2);
  const lat1r = degRad(lat1), lat2r = degRad(lat2);
  const u = Math.sin((lat2r - lat1r) / 2);
  const a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
}

/**
 * Redis's `geoWithinShape` for the points of one search: built once per shape, then
 * {@link ShapeFilter.distanceIfWithin} per point. Distances are {@link distance}'s, bit for
 * bit (the centre's cosine is computed once: the same double). Points clearly outside are
 * rejected before the trigonometry they cannot need: the great-circle distance is never
 * below the latitude distance, and haversine's `a` is never below `cos(lat1) * cos(lat2) *
 * sin^2(dLon / 2)`, where `cos(lat2)` is at least its minimum over the latitude band that
 * passed; both tests keep a relative margin of 1e-6, far beyond rounding, so every point
 * near the edge gets the exact test.
 *
 * @example
 * ```ts
 * import { ShapeFilter } from "./geohash.ts";
 *
 * const filter = new ShapeFilter({ lon: 15, lat: 37, radius: 200, conversion: 1000 });
 * filter.distanceIfWithin(13.361389, 38.115556); // about 190484 (metres)
 * filter.distanceIfWithin(2.35, 48.85); // -1: outside
 * ```
 */
export class ShapeFilter {
  readonly #shape: GeoShape;
  readonly #circle: boolean;
  /** The circle's radius in metres. */
  readonly #limit: number;
  /** Latitude distance beyond which a point is outside the circle. */
  readonly #band: number;
  readonly #lonR: number;
  readonly #latR: number;
  readonly #cosLat: number;
  /** `cos(lat1) * min cos(lat2)` over the band (0: no longitude test). */
  readonly #cosBand: number;
  /** The haversine `a` of the radius, with the margin (Infinity: no longitude test). */
  readonly #aLimit: number;
  /**
   * Half longitude differences (radians) `x` with `xLow < |x| < xHigh` fail the longitude
   * test for certain: there `sin(x)^2 * cosBand` exceeds `aLimit` by more than rounding.
   */
  readonly #xLow: number = Infinity;
  readonly #xHigh: number = 0;
  /** The longitude of the last point {@link ShapeFilter.scoreDistance} accepted. */
  lon = 0;
  /** Its latitude. */
  lat = 0;

  /** The filter of `shape` (a circle when `radius` is set, else a box). */
  constructor(shape: GeoShape) {
    this.#shape = shape;
    this.#circle = shape.radius !== undefined;
    this.#limit = this.#circle ? shape.radius! * shape.conversion : 0;
    this.#band = this.#limit * 1.000001 + 1;
    this.#lonR = degRad(shape.lon);
    this.#latR = degRad(shape.lat);
    this.#cosLat = Math.cos(this.#latR);
    const halfAngle = this.#limit / (2 * EARTH_RADIUS_IN_METERS);
    const farthest = Math.abs(this.#latR) + this.#band / EARTH_RADIUS_IN_METERS + 1e-9;
    const cosBand = farthest < Math.PI / 2 ? this.#cosLat * Math.cos(farthest) : 0;
    this.#cosBand = cosBand > 0 ? cosBand * (1 - 1e-9) : 0;
    this.#aLimit = halfAngle < Math.PI / 2 - 1e-6
      ? Math.sin(halfAngle) ** 2 * (1 + 1e-6) + 1e-300
      : Infinity;
    if (this.#cosBand > 0 && this.#aLimit !== Infinity) {
      const s = Math.sqrt(this.#aLimit / this.#cosBand);
      if (s < 1) {
        this.#xLow = Math.asin(s) * (1 + 1e-9) + 1e-12;
        this.#xHigh = (Math.PI - Math.asin(s)) * (1 - 1e-9) - 1e-12;
      }
    }
  }

  /**
   * Decodes `score` as {@link decodeScoreInto} does and returns
   * {@link ShapeFilter.distanceIfWithin} of the point; when it is inside, its coordinates are
   * left in {@link ShapeFilter.lon} and {@link ShapeFilter.lat}. For a circle the latitude is
   * decoded and tested first, and a longitude clearly outside is rejected without the sine.
   */
  scoreDistance(score: number): number {
    if (!this.#circle || !(score >= 0 && score < 4503599627370496)) {
      decodeScoreInto(score, SCRATCH);
      this.lon = SCRATCH[0];
      this.lat = SCRATCH[1];
      return this.distanceIfWithin(this.lon, this.lat);
    }
    const high = Math.floor(score * PER_2_32);
    const lo = unzip((score - high * 4294967296) | 0), hi = unzip(high);
    const lat = rowCentre(latitudeBits(lo, hi));
    if (latDistance(lat, this.#shape.lat) > this.#band) return -1;
    const lon = columnCentre(longitudeBits(lo, hi));
    const x = (degRad(lon) - this.#lonR) / 2;
    const ax = x < 0 ? -x : x;
    if (ax > this.#xLow && ax < this.#xHigh) return -1;
    this.lon = lon;
    this.lat = lat;
    return this.distanceIfWithin(lon, lat);
  }

  /** The point's distance from the centre in metres when inside the shape, else -1. */
  distanceIfWithin(lon: number, lat: number): number {
    const shape = this.#shape;
    if (!this.#circle) {
      const height = shape.height! * shape.conversion, width = shape.width! * shape.conversion;
      if (latDistance(lat, shape.lat) > height / 2) return -1;
      if (distance(lon, lat, shape.lon, lat) > width / 2) return -1;
      return distance(shape.lon, shape.lat, lon, lat);
    }
    if (latDistance(lat, shape.lat) > this.#band) return -1;
    // distance(shape.lon, shape.lat, lon, lat), its operations in the same order.
    const v = Math.sin((degRad(lon) - this.#lonR) / 2);
    let d: number;
    if (v === 0.0) d = latDistance(shape.lat, lat);
    else {
      if (this.#cosBand * v * v > this.#aLimit) return -1;
      const lat2r = degRad(lat);
      const u = Math.sin((lat2r - this.#latR) / 2);
      const a = u * u + this.#cosLat * Math.cos(lat2r) * v * v;
      d = 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
    }
    return d > this.#limit ? -1 : d;
  }
}
