/**
 * INFO's sections against a real redis-server 7.0.15: the same section headers in the same
 * order for every section set, field names in Redis's order, Redis's `bytesToHuman` format,
 * deterministic values (persistence, replication, cluster) equal; and the `memoryUsage` /
 * `cpuUsage` hooks (given, filled by `serve()` from the runtime, missing, failing).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { serve } from "../../adapters/serve.ts";
import { bytesToHuman } from "../../src/server/commands/info_sections.ts";
import { Server, type ServerOptions } from "../../src/server/server.ts";
import { connect } from "../helpers/memory_transport.ts";
import { type Oracle, oracleSkip, startOracle } from "../helpers/redis_oracle.ts";
import { connectClient } from "../helpers/client.ts";
import { type Ours, startOurs } from "../helpers/clients.ts";

/** INFO text parsed into sections: header → [field, value][] in order. */
function parseInfo(text: string): Map<string, Array<[string, string]>> {
  const sections = new Map<string, Array<[string, string]>>();
  let current: Array<[string, string]> | undefined;
  for (const line of text.split("\r\n")) {
    if (line.startsWith("# ")) {
      current = [];
      sections.set(line.slice(2), current);
    } else if (line !== "") {
      const at = line.indexOf(":");
      assert.ok(current !== undefined && at > 0, `field line inside a section: ${line}`);
      current.push([line.slice(0, at), line.slice(at + 1)]);
    }
  }
  return sections;
}

/** INFO through the in-memory transport, as one string. */
function info(server: Server, ...sections: string[]): string {
  const t = connect(server);
  t.send(`INFO ${sections.join(" ")}\r\n`);
  const [reply] = t.replies();
  return reply as string;
}

function field(text: string, name: string): string | undefined {
  return new RegExp(`^${name}:(.*)\r$`, "m").exec(text)?.[1];
}

/** Whether `sub` appears in `all` in the same relative order. */
function isSubsequence(sub: string[], all: string[]): boolean {
  let i = 0;
  for (const x of all) if (i < sub.length && sub[i] === x) i++;
  return i === sub.length;
}

describe("bytesToHuman (Redis's format)", () => {
  it("formats bytes as Redis 7.0 prints them", () => {
    const cases: Array<[number, string]> = [
      [0, "0B"],
      [1, "1B"],
      [1023, "1023B"],
      [1024, "1.00K"],
      [1152, "1.12K"], // 1.125: glibc rounds the exact half to even
      [1408, "1.38K"], // 1.375
      [883159, "862.46K"],
      [916448, "894.97K"], // seen in redis-server's INFO
      [1048575, "1024.00K"],
      [1048576, "1.00M"],
      [12083200, "11.52M"], // seen in redis-server's INFO
      [25276510208, "23.54G"], // seen in redis-server's INFO
      [2 ** 40, "1.00T"],
      [2 ** 50 * 3, "3.00P"],
    ];
    for (const [n, text] of cases) assert.equal(bytesToHuman(n), text, String(n));
  });
});

describe("INFO memory and cpu from the hooks", () => {
  it("reports the given memoryUsage / cpuUsage, the peak and the ratios", () => {
    let heap = 1000;
    const server = new Server({
      memoryUsage: () => ({ rss: 3 * 1048576, heapUsed: heap, external: 24, arrayBuffers: 10 }),
      cpuUsage: () => ({ user: 1_500_000, system: 2_000_001 }),
    });
    const first = info(server, "memory", "cpu");
    // heapUsed + max(external, arrayBuffers): Node counts array buffers within external.
    assert.equal(field(first, "used_memory"), "1024");
    assert.equal(field(first, "used_memory_human"), "1.00K");
    assert.equal(field(first, "used_memory_rss"), "3145728");
    assert.equal(field(first, "used_memory_rss_human"), "3.00M");
    assert.equal(field(first, "used_memory_peak"), "1024");
    assert.equal(field(first, "used_memory_peak_perc"), "100.00%");
    assert.equal(field(first, "mem_fragmentation_ratio"), "3072.00");
    assert.equal(field(first, "maxmemory"), "0");
    assert.equal(field(first, "maxmemory_human"), "0B");
    assert.equal(field(first, "maxmemory_policy"), "noeviction");
    assert.equal(field(first, "used_cpu_user"), "1.500000");
    assert.equal(field(first, "used_cpu_sys"), "2.000001");
    assert.match(first, /^# Memory\r\n[^#]*\r\n\r\n# CPU\r\n/);
    heap = 2048 - 24; // more, then less: the peak stays at the most
    info(server, "memory");
    heap = 512 - 24;
    const later = info(server, "memory");
    assert.equal(field(later, "used_memory"), "512");
    assert.equal(field(later, "used_memory_peak"), "2048");
    assert.equal(field(later, "used_memory_peak_human"), "2.00K");
    assert.equal(field(later, "used_memory_peak_perc"), "25.00%");
    assert.equal(field(later, "used_memory_startup"), "1024");
  });

  it("reads 0 without hooks and when a hook throws", () => {
    const fail = () => {
      throw new Error("no");
    };
    for (const options of [{}, { memoryUsage: fail, cpuUsage: fail }] as ServerOptions[]) {
      const text = info(new Server(options), "memory", "cpu");
      assert.equal(field(text, "used_memory"), "0");
      assert.equal(field(text, "used_memory_human"), "0B");
      assert.equal(field(text, "used_memory_rss"), "0");
      assert.equal(field(text, "mem_fragmentation_ratio"), "0.00");
      assert.equal(field(text, "used_cpu_sys"), "0.000000");
      assert.equal(field(text, "used_cpu_user"), "0.000000");
    }
  });

  it("serve() fills the hooks from the runtime, keeping the application's own", async () => {
    const plain = await serve({ port: 0, hostname: "127.0.0.1" });
    const own = await serve({
      port: 0,
      hostname: "127.0.0.1",
      memoryUsage: () => ({ rss: 7, heapUsed: 5 }),
    });
    const given = new Server({ cpuUsage: () => ({ user: 1, system: 2 }) });
    const third = await serve({ port: 0, hostname: "127.0.0.1", server: given });
    try {
      const a = info(plain.server, "memory", "cpu");
      assert.ok(
        Number(field(a, "used_memory")) > 100_000,
        `used_memory ${field(a, "used_memory")}`,
      );
      assert.ok(Number(field(a, "used_memory_rss")) > 1_000_000, "used_memory_rss");
      assert.ok(Number(field(a, "used_memory_startup")) > 0, "used_memory_startup");
      // Some CPU time went into starting this runtime.
      const cpu = Number(field(a, "used_cpu_user")) + Number(field(a, "used_cpu_sys"));
      assert.ok(cpu > 0, `used_cpu_* ${cpu}`);
      const b = info(own.server, "memory", "cpu");
      assert.equal(field(b, "used_memory"), "5");
      assert.equal(field(b, "used_memory_rss"), "7");
      assert.ok(Number(field(b, "used_cpu_user")) + Number(field(b, "used_cpu_sys")) > 0);
      const c = info(given, "memory", "cpu");
      assert.ok(Number(field(c, "used_memory")) > 100_000);
      assert.equal(field(c, "used_cpu_user"), "0.000001");
      assert.equal(field(c, "used_cpu_sys"), "0.000002");
    } finally {
      await plain.close();
      await own.close();
      await third.close();
      await given.close();
    }
  });

  it("sections come in Redis's order whatever the argument order; unknown names are ignored", () => {
    const server = new Server();
    server.addInfoSection("keyspace", () => ({}));
    server.addInfoSection("app", () => ({ answer: 42 }));
    const headers = (text: string) => [...parseInfo(text).keys()];
    assert.deepEqual(headers(info(server, "cpu", "server", "nosuch", "CPU")), ["Server", "CPU"]);
    assert.deepEqual(headers(info(server, "app", "memory")), ["Memory", "App"]);
    assert.deepEqual(headers(info(server)), [
      "Server",
      "Clients",
      "Memory",
      "Persistence",
      "Stats",
      "Replication",
      "CPU",
      "Modules",
      "Errorstats",
      "Cluster",
      "Keyspace",
      "App",
    ]);
    assert.equal(info(server, "nosuch"), "");
    assert.equal(info(server, "__proto__"), "");
  });
});

describe("INFO against redis-server 7.0.15", { skip: oracleSkip }, () => {
  let ours: Ours;
  let oracle: Oracle;
  before(async () => {
    ours = await startOurs();
    oracle = await startOracle();
  });
  after(async () => {
    await ours?.stop();
    await oracle?.stop();
  });

  async function both(...args: string[]): Promise<[string, string]> {
    const results: string[] = [];
    for (const port of [ours.port, oracle.port]) {
      const client = await connectClient({ port });
      try {
        await client.call("FLUSHALL");
        await client.call("SET", "k", "v");
        await client.call("SET", "t", "v", "EX", "100");
        results.push(String(await client.call(...args)));
      } finally {
        await client.close();
      }
    }
    return [results[0], results[1]];
  }

  const SETS = [
    [],
    ["default"],
    ["all"],
    ["everything"],
    ["memory"],
    ["cpu", "memory"],
    ["keyspace", "server"],
    ["default", "commandstats"],
    ["everything", "default"],
    ["Persistence", "REPLICATION", "cluster"],
    ["modules", "errorstats"],
    ["nosuch"],
    ["all", "nosuch"],
  ];

  const UNORDERED_SECTIONS = new Set(["Commandstats", "Errorstats", "Latencystats"]);
  for (const names of SETS) {
    it(`INFO ${names.join(" ")}: same sections, fields in Redis's order`, async () => {
      const [a, b] = await both("INFO", ...names);
      const mine = parseInfo(a);
      const theirs = parseInfo(b);
      assert.deepEqual([...mine.keys()], [...theirs.keys()], "section headers");
      for (const [section, fields] of mine) {
        const ourNames = fields.map(([name]) => name).filter((n) => n !== "rediserver_version");
        const redisNames = theirs.get(section)!.map(([name]) => name);
        if (UNORDERED_SECTIONS.has(section)) {
          // Redis lists these in its hash table's order: the same names, in any order.
          assert.deepEqual([...ourNames].sort(), [...redisNames].sort(), section);
          continue;
        }
        assert.ok(
          isSubsequence(ourNames, redisNames),
          `${section}: ${ourNames.join(",")} within ${redisNames.join(",")}`,
        );
      }
      assert.equal(a.endsWith("\r\n") || a === "", true);
      assert.equal(a === "", b === "");
    });
  }

  it("the fields clients read are there; static sections equal Redis's", async () => {
    const [a, b] = await both("INFO", "everything");
    const mine = parseInfo(a);
    const theirs = parseInfo(b);
    const names = (section: string, from = mine) => from.get(section)!.map(([n]) => n);
    for (
      const name of [
        "used_memory",
        "used_memory_human",
        "used_memory_rss",
        "used_memory_rss_human",
        "used_memory_peak",
        "used_memory_peak_human",
        "maxmemory",
        "maxmemory_human",
        "maxmemory_policy",
        "mem_fragmentation_ratio",
        "mem_allocator",
      ]
    ) assert.ok(names("Memory").includes(name), name);
    assert.deepEqual(names("CPU").slice(0, 4), names("CPU", theirs).slice(0, 4));
    // Everything in these sections is fixed with saving off and no replicas, but the clock,
    // the random id and the count of writes (not kept: ours stays 0).
    const varying = ["rdb_last_save_time", "master_replid", "rdb_changes_since_last_save"];
    const withoutClock = (section: string, from: typeof mine) =>
      from.get(section)!.filter(([n]) => !varying.includes(n));
    for (const section of ["Persistence", "Replication", "Cluster", "Modules"]) {
      assert.deepEqual(withoutClock(section, mine), withoutClock(section, theirs), section);
    }
    const value = (section: string, name: string, from = mine) =>
      from.get(section)!.find(([n]) => n === name)?.[1] ?? "";
    for (const name of ["maxmemory", "maxmemory_human", "maxmemory_policy"]) {
      assert.equal(value("Memory", name), value("Memory", name, theirs), name);
    }
    // Formats: human sizes as bytesToHuman, ratios with two decimals, CPU with six.
    for (const from of [mine, theirs]) {
      for (const base of ["used_memory", "used_memory_rss", "used_memory_peak"]) {
        assert.equal(
          value("Memory", `${base}_human`, from),
          bytesToHuman(+value("Memory", base, from)),
        );
      }
      assert.match(value("Memory", "used_memory_peak_perc", from), /^\d+\.\d\d%$/);
      assert.match(value("Memory", "mem_fragmentation_ratio", from), /^\d+\.\d\d$/);
      assert.match(value("CPU", "used_cpu_sys", from), /^\d+\.\d{6}$/);
      assert.match(value("CPU", "used_cpu_user", from), /^\d+\.\d{6}$/);
      assert.match(value("Replication", "master_replid", from), /^[0-9a-f]{40}$/);
    }
    assert.ok(+value("Memory", "used_memory") > 0, "used_memory from the runtime");
  });
});
