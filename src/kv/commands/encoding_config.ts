/**
 * CONFIG GET/SET of the encoding thresholds (Redis 7.0 config.c): the `*-listpack-*` names,
 * their 6.x `*-ziplist-*` aliases, `set-max-intset-entries` and `list-compress-depth`, with
 * Redis's parsing (plain integers, or memory values such as `2kb` for the `-value` ones) and
 * its range errors.
 *
 * @module
 */

import { bytesToLatin1 } from "../../resp/bytes.ts";
import type { Server } from "../../server/server.ts";
import { encodingLimits } from "../values/encoding_limits.ts";
import { streamNodeLimits } from "../values/stream_node.ts";
import { syncHashLimits } from "../values/hash.ts";
import { syncZSetLimits } from "../values/zset.ts";

type LimitName = keyof typeof encodingLimits;
type StreamLimitName = keyof typeof streamNodeLimits;

/** A limit's name in {@link encodingLimits} or in {@link streamNodeLimits}. */
function isStreamLimit(name: LimitName | StreamLimitName): name is StreamLimitName {
  return Object.hasOwn(streamNodeLimits, name);
}

/**
 * One parameter: its limit (in {@link encodingLimits} or {@link streamNodeLimits}), whether
 * it takes memory units, and its range.
 */
interface LimitParameter {
  readonly names: readonly string[];
  readonly limit: LimitName | StreamLimitName;
  readonly memory: boolean;
  readonly min: number;
  readonly max: number;
}

const LONG_MAX = 9223372036854775807;
const LONG_MAX_TEXT = "9223372036854775807";
const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

const PARAMETERS: readonly LimitParameter[] = [
  {
    names: ["hash-max-listpack-entries", "hash-max-ziplist-entries"],
    limit: "hashMaxListpackEntries",
    memory: false,
    min: 0,
    max: LONG_MAX,
  },
  {
    names: ["hash-max-listpack-value", "hash-max-ziplist-value"],
    limit: "hashMaxListpackValue",
    memory: true,
    min: 0,
    max: LONG_MAX,
  },
  {
    names: ["zset-max-listpack-entries", "zset-max-ziplist-entries"],
    limit: "zsetMaxListpackEntries",
    memory: false,
    min: 0,
    max: LONG_MAX,
  },
  {
    names: ["zset-max-listpack-value", "zset-max-ziplist-value"],
    limit: "zsetMaxListpackValue",
    memory: true,
    min: 0,
    max: LONG_MAX,
  },
  {
    names: ["set-max-intset-entries"],
    limit: "setMaxIntsetEntries",
    memory: false,
    min: 0,
    max: LONG_MAX,
  },
  {
    names: ["list-max-listpack-size", "list-max-ziplist-size"],
    limit: "listMaxListpackSize",
    memory: false,
    min: INT_MIN,
    max: INT_MAX,
  },
  {
    names: ["list-compress-depth"],
    limit: "listCompressDepth",
    memory: false,
    min: 0,
    max: INT_MAX,
  },
  {
    names: ["stream-node-max-entries"],
    limit: "maxEntries",
    memory: false,
    min: 0,
    max: LONG_MAX,
  },
  {
    names: ["stream-node-max-bytes"],
    limit: "maxBytes",
    memory: true,
    min: 0,
    max: LONG_MAX,
  },
];

const UNITS: Readonly<Record<string, number>> = {
  "": 1,
  b: 1,
  k: 1000,
  kb: 1024,
  m: 1000 * 1000,
  mb: 1024 * 1024,
  g: 1000 * 1000 * 1000,
  gb: 1024 * 1024 * 1024,
};

/**
 * A CONFIG SET value as Redis's numericParseString reads it: a memory value (digits and an
 * optional unit `b k kb m mb g gb`) when `memory`, else a strict integer; or the error text.
 *
 * @example
 * ```ts
 * import { parseConfigNumber } from "./encoding_config.ts";
 *
 * parseConfigNumber("2kb", true); // 2048
 * parseConfigNumber("x", false); // "argument couldn't be parsed into an integer"
 * ```
 */
export function parseConfigNumber(text: string, memory: boolean): number | string {
  if (memory) {
    const m = /^(\d+)([a-z]*)$/i.exec(text);
    const unit = m === null ? undefined : UNITS[m[2].toLowerCase()];
    if (m === null || unit === undefined) return "argument must be a memory value";
    return Number(m[1]) * unit;
  }
  if (!/^(0|-?[1-9]\d{0,18})$/.test(text)) return "argument couldn't be parsed into an integer";
  const big = BigInt(text);
  if (big > 9223372036854775807n || big < -9223372036854775808n) {
    return "argument couldn't be parsed into an integer";
  }
  return Number(text);
}

function setter(p: LimitParameter): (value: Uint8Array) => boolean | string {
  return (bytes) => {
    const n = parseConfigNumber(bytesToLatin1(bytes), p.memory);
    if (typeof n === "string") return n;
    if (n < p.min || n > p.max) {
      return `argument must be between ${p.min} and ${
        p.max === LONG_MAX ? LONG_MAX_TEXT : p.max
      } inclusive`;
    }
    const limit = p.limit;
    if (isStreamLimit(limit)) {
      streamNodeLimits[limit] = n;
      return true;
    }
    encodingLimits[limit] = n;
    syncHashLimits();
    syncZSetLimits();
    return true;
  };
}

/**
 * Registers the encoding thresholds (and their ziplist aliases) as CONFIG parameters.
 *
 * @example
 * ```ts
 * import { Server } from "../../server/server.ts";
 * import { attachEncodingConfig } from "./encoding_config.ts";
 *
 * attachEncodingConfig(new Server());
 * ```
 */
export function attachEncodingConfig(server: Server): void {
  for (const p of PARAMETERS) {
    for (const name of p.names) {
      server.addConfigParameter({
        name,
        get: () => {
          const limit = p.limit;
          return String(isStreamLimit(limit) ? streamNodeLimits[limit] : encodingLimits[limit]);
        },
        set: setter(p),
      });
    }
  }
}
