/**
 * RDB constants shared by the encoder and the decoder (rdb.h of Redis 7.0): the RDB version,
 * the object type bytes and the special string encodings.
 *
 * @module
 */

/** RDB_VERSION of Redis 7.0: DUMP payloads carry it; newer versions are refused. */
export const RDB_VERSION = 10;

/** Object type bytes (RDB_TYPE_*). */
export const RdbType = {
  STRING: 0,
  LIST: 1,
  SET: 2,
  ZSET: 3,
  HASH: 4,
  ZSET_2: 5,
  SET_INTSET: 11,
  STREAM_LISTPACKS: 15,
  HASH_LISTPACK: 16,
  ZSET_LISTPACK: 17,
  LIST_QUICKLIST_2: 18,
  STREAM_LISTPACKS_2: 19,
} as const;

/** Quicklist node containers of RDB_TYPE_LIST_QUICKLIST_2. */
export const QuicklistContainer = { PLAIN: 1, PACKED: 2 } as const;

/** The length byte's top bits 11: a special string encoding follows (RDB_ENCVAL). */
export const RdbEncoding = { INT8: 0, INT16: 1, INT32: 2, LZF: 3 } as const;

/** Redis's error for a payload whose footer does not verify. */
export const BAD_PAYLOAD = "ERR DUMP payload version or checksum are wrong";
