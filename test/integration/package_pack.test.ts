/**
 * The npm package as a newcomer gets it: a copy of the project (tests and benchmarks
 * included, so that "files" must leave them out) is packed with `npm pack` (which builds with
 * the real `prepack` → `npm run build`), the tarball is linted with publint and installed
 * offline into an empty project, and then:
 * - every export imports on Node (plain `node`, no tsx) and on Bun, and serves a client;
 * - a TypeScript file type-checks against the installed .d.ts files (NodeNext, strict);
 * - the `rediserver` bin answers ioredis and exits 0 on SIGINT.
 * Slow (a build, a pack and an install), so it runs once, under Node; Deno and Bun skip it.
 * Nothing in the repository is written: all happens in a temporary folder.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import Redis from "ioredis";

const root = fileURLToPath(new URL("../..", import.meta.url));
const g = globalThis as { Deno?: unknown; Bun?: unknown };
const skip = g.Deno !== undefined || g.Bun !== undefined
  ? "slow (build, pack, install): runs once, under Node"
  : false;

const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const subpaths = Object.keys(pkg.exports) as string[];
/** The module specifier a user writes for an export: "rediserver", "rediserver/kv", ... */
const specifier = (key: string): string => key === "." ? "rediserver" : `rediserver${key.slice(1)}`;

/** Top-level names that are not part of a fresh clone (see .gitignore). */
const NOT_IN_CLONE = new Set(["node_modules", ".git", "dist", ".tmp", "coverage"]);

/** An environment for child processes: no tsx or inspector hooks, no colours. */
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && k !== "NODE_OPTIONS" && !k.startsWith("npm_")) env[k] = v;
  }
  return { ...env, NO_COLOR: "1", NODE_NO_WARNINGS: "1" };
}

interface Result {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

const children = new Set<ChildProcess>();

/** Runs a command to its end (killed after `timeout` ms). */
function run(command: string, args: string[], cwd: string, timeout = 60_000): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    let stdout = "", stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => stdout += d);
    child.stderr!.setEncoding("utf8").on("data", (d: string) => stderr += d);
    const timer = setTimeout(() => child.kill("SIGKILL"), timeout);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function assertOk(result: Result, what: string): void {
  assert.equal(
    result.code,
    0,
    `${what} failed (${result.code ?? result.signal}):\n${result.stdout}\n${result.stderr}`,
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** Imports every export, checks a few names in each, then serves a client on this runtime. */
const IMPORTS_SCRIPT = `
import * as net from "node:net";
${subpaths.map((key, i) => `import * as m${i} from ${JSON.stringify(specifier(key))};`).join("\n")}

const modules = { ${subpaths.map((key, i) => `${JSON.stringify(key)}: m${i}`).join(", ")} };
const expected = {
  ".": ["serve", "detectRuntime", "Server", "Router", "Reply", "Command", "Connection",
    "CommandError"],
  "./resp": ["RequestDecoder", "ReplyDecoder", "Writer", "encodeReply", "encodeCommand",
    "decodeReply", "ReplyError", "DEFAULT_LIMITS"],
  "./server": ["Server", "Router", "Reply", "Command", "Connection"],
  "./kv": ["createKeyValueServer", "registerKeyValueCommands", "Keyspace"],
  "./adapters/node": ["listen", "serve"],
  "./adapters/deno": ["listen", "serve"],
  "./adapters/bun": ["listen", "serve"],
};
for (const [key, names] of Object.entries(expected)) {
  const mod = modules[key];
  if (mod === undefined) throw new Error("No export " + key);
  for (const name of names) {
    if (mod[name] === undefined) throw new Error(key + " does not export " + name);
  }
}

/** Sends raw bytes, resolves with the reply once it ends with \`until\`. */
function talk(port, bytes, until) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let got = "";
    const timer = setTimeout(() => { socket.destroy(); reject(new Error("Timeout: " + got)); }, 5000);
    socket.on("error", reject);
    socket.on("data", (d) => {
      got += d.toString("latin1");
      if (got.endsWith(until)) { clearTimeout(timer); socket.end(); resolve(got); }
    });
    socket.write(bytes);
  });
}

const root = modules["."];
const echo = await root.serve({
  port: 0,
  handler(command, reply) {
    reply.encode([command.name, ...command.args.map((a) => new TextDecoder().decode(a))]);
  },
});
const echoed = await talk(echo.address.port, "PING\\r\\n*2\\r\\n$5\\r\\nGREET\\r\\n$2\\r\\nhi\\r\\n", "hi\\r\\n");
await echo.close();
if (echoed !== "+PONG\\r\\n*2\\r\\n$5\\r\\ngreet\\r\\n$2\\r\\nhi\\r\\n") throw new Error("echo: " + JSON.stringify(echoed));

const kv = await root.serve({ server: modules["./kv"].createKeyValueServer(), port: 0 });
const stored = await talk(kv.address.port, "SET k v\\r\\nGET k\\r\\n", "$1\\r\\nv\\r\\n");
await kv.server.close(); // a server given to serve() is ours to close
if (stored !== "+OK\\r\\n$1\\r\\nv\\r\\n") throw new Error("kv: " + JSON.stringify(stored));

console.log("imports ok on " + root.detectRuntime());
`;

/** Type-checks against the installed declarations; the @ts-expect-error lines prove the
 *  types are real (an `any` would make them unused, which tsc reports). */
const CHECK_TS = `
import { type RunningServer, serve, Server } from "rediserver";
import { encodeReply, ReplyDecoder, type RespValue } from "rediserver/resp";
import type { Handler, Transport } from "rediserver/server";
import { createKeyValueServer } from "rediserver/kv";
import { listen as listenNode } from "rediserver/adapters/node";
import { listen as listenDeno } from "rediserver/adapters/deno";
import { serve as serveBun } from "rediserver/adapters/bun";

const handler: Handler = (command, reply) => {
  const name: string = command.name;
  reply.encode([name, ...command.args]);
};
const running: RunningServer = await serve({ port: 0, handler });
const port: number = running.address.transport === "tcp" ? running.address.port : 0;
await running.close();
const bytes: Uint8Array = encodeReply(["a", 1, null]);
const decoder = new ReplyDecoder();
decoder.feed(bytes);
const value: RespValue | undefined = decoder.next();
const server: Server = createKeyValueServer({ password: "secret" });
const transportWrite: Transport["write"] | undefined = undefined;
console.log(port, value, server, transportWrite, listenNode, listenDeno, serveBun);

// @ts-expect-error: port is a number
await serve({ port: "6379" });
// @ts-expect-error: no such export
import { nothing } from "rediserver/kv";
// @ts-expect-error: not an export of the package
import { Database } from "rediserver/src/kv/keyspace.js";
console.log(nothing, Database);
`;

describe("npm pack, install into an empty project", { skip, timeout: 300_000 }, () => {
  let work = "";
  let app = "";
  let tarball = "";
  let packed: { path: string; mode: number }[] = [];

  before(async () => {
    work = mkdtempSync(join(tmpdir(), "rediserver-pack-"));
    const project = join(work, "project");
    mkdirSync(project);
    for (const name of readdirSync(root)) {
      if (NOT_IN_CLONE.has(name) || name.endsWith(".tgz")) continue;
      cpSync(join(root, name), join(project, name), { recursive: true });
    }
    // The dev dependencies (tsc) without a download: the repository's own node_modules.
    symlinkSync(join(root, "node_modules"), join(project, "node_modules"), "dir");
    const pack = await run("npm", ["pack", "--json", "--pack-destination", work], project, 180_000);
    assertOk(pack, "npm pack");
    const info = JSON.parse(pack.stdout.slice(pack.stdout.indexOf("[")))[0];
    tarball = join(work, info.filename);
    packed = info.files;

    app = join(work, "app");
    mkdirSync(app);
    writeFileSync(
      join(app, "package.json"),
      JSON.stringify({ name: "rediserver-newcomer", private: true, type: "module" }),
    );
    const install = await run(
      "npm",
      ["install", "--offline", "--no-audit", "--no-fund", "--no-package-lock", tarball],
      app,
      120_000,
    );
    assertOk(install, "npm install --offline <tarball>");
    writeFileSync(join(app, "imports.mjs"), IMPORTS_SCRIPT);
    writeFileSync(join(app, "check.ts"), CHECK_TS);
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "NodeNext",
          moduleResolution: "NodeNext",
          target: "ES2022",
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: [],
        },
        files: ["check.ts"],
      }),
    );
  });

  after(() => {
    for (const child of children) child.kill("SIGKILL");
    if (work !== "") rmSync(work, { recursive: true, force: true });
  });

  it("the tarball holds dist/, README, LICENSE and package.json: no sources, tests or bench", () => {
    const paths = packed.map((f) => f.path).sort();
    for (const path of paths) {
      assert.match(path, /^(dist\/.+\.(js|d\.ts)|README\.md|LICENSE|package\.json)$/, path);
      assert.doesNotMatch(path, /\.test\.|(^|\/)(test|bench|examples)\//, path);
    }
    for (const entry of Object.values(pkg.exports) as Record<string, string>[]) {
      for (const file of Object.values(entry)) assert.ok(paths.includes(file.slice(2)), file);
    }
    const cli = packed.find((f) => f.path === "dist/cli.js");
    assert.ok(cli, "dist/cli.js is packed");
    assert.equal(cli.mode & 0o111, 0o111, "dist/cli.js is executable");
  });

  it("publint finds nothing to report in the tarball", async () => {
    const result = await run(
      join(root, "node_modules/.bin/publint"),
      ["run", tarball, "--strict"],
      work,
    );
    assertOk(result, "publint");
    assert.match(result.stdout, /All good!/, result.stdout);
  });

  it("installs with no dependencies; dist/ has a shebang and no .ts import left", () => {
    const installed = join(app, "node_modules", "rediserver");
    const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));
    assert.equal(manifest.dependencies, undefined);
    assert.deepEqual(readdirSync(join(app, "node_modules")).filter((n) => !n.startsWith(".")), [
      "rediserver",
    ]);
    const cli = readFileSync(join(installed, "dist/cli.js"), "utf8");
    assert.ok(cli.startsWith("#!/usr/bin/env node\n"), "node shebang");
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((n) => {
        const p = join(dir, n);
        return statSync(p).isDirectory() ? walk(p) : [p];
      });
    // Static and dynamic relative imports in code (not in comments) must name .js files.
    const importRe = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s*)["'](\.{1,2}\/[^"']*)["']/g;
    let dynamic = 0;
    for (const file of walk(join(installed, "dist")).filter((f) => f.endsWith(".js"))) {
      for (const line of readFileSync(file, "utf8").split("\n")) {
        if (/^\s*(\*|\/\/|\/\*)/.test(line)) continue;
        for (const m of line.matchAll(importRe)) {
          assert.match(m[1], /\.js$/, `${file}: ${line.trim()}`);
          if (/import\s*\(/.test(m[0])) dynamic++;
        }
      }
    }
    assert.ok(dynamic >= 3, "adapters/serve.js loads the three adapters with import()");
  });

  it("every export imports and serves on Node (plain node, no tsx)", async () => {
    const result = await run(process.execPath, ["imports.mjs"], app);
    assertOk(result, "node imports.mjs");
    assert.match(result.stdout, /imports ok on node/);
  });

  it("every export imports and serves on Bun", async () => {
    const result = await run(join(root, "node_modules/.bin/bun"), ["imports.mjs"], app);
    assertOk(result, "bun imports.mjs");
    assert.match(result.stdout, /imports ok on bun/);
  });

  it("a TypeScript file type-checks against the installed types (tsc, NodeNext)", async () => {
    const result = await run(join(root, "node_modules/.bin/tsc"), ["-p", "tsconfig.json"], app);
    assertOk(result, "tsc --noEmit");
    // And the types can fail: a wrong argument is an error.
    writeFileSync(
      join(app, "wrong.ts"),
      `import { serve } from "rediserver";\nawait serve({ port: "x" });\n`,
    );
    const wrong = await run(
      join(root, "node_modules/.bin/tsc"),
      [
        "--ignoreConfig",
        "--noEmit",
        "--strict",
        "--module",
        "NodeNext",
        "--moduleResolution",
        "NodeNext",
        "--target",
        "ES2022",
        "wrong.ts",
      ],
      app,
    );
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stdout, /wrong\.ts.*error TS2322/s);
  });

  it("the rediserver bin serves ioredis and exits 0 on SIGINT", async () => {
    const port = await freePort();
    const bin = join(app, "node_modules/.bin/rediserver");
    const child = spawn(bin, ["--port", String(port)], { cwd: app, env: cleanEnv() });
    children.add(child);
    let stdout = "", stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => stdout += d);
    child.stderr.setEncoding("utf8").on("data", (d: string) => stderr += d);
    const exited = new Promise<number | null>((resolve) =>
      child.once("exit", (code) => resolve(code))
    );
    const deadline = Date.now() + 20_000;
    while (!new RegExp(`listening on 127\\.0\\.0\\.1:${port}`).test(stdout)) {
      if (child.exitCode !== null) {
        const hint = child.exitCode === 0 && stdout === ""
          ? " (a silent exit 0: does cli.ts see that it is the entry point when Node runs it" +
            " through the node_modules/.bin symlink? Compare real paths)"
          : "";
        assert.fail(
          `rediserver exited (${child.exitCode}) before listening${hint}:\n${stdout}\n${stderr}`,
        );
      }
      if (Date.now() > deadline) assert.fail(`No banner in 20 s:\n${stdout}\n${stderr}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.match(stdout, /^rediserver \S+ \(Node [^)]+\) listening on/m);
    const redis = new Redis({
      port,
      host: "127.0.0.1",
      lazyConnect: true,
      maxRetriesPerRequest: 1,
    });
    try {
      await redis.connect();
      assert.equal(await redis.ping(), "PONG");
      assert.equal(await redis.set("greeting", "hello"), "OK");
      assert.equal(await redis.get("greeting"), "hello");
      assert.equal(await redis.incr("n"), 1);
      assert.deepEqual(await redis.rpush("l", "a", "b"), 2);
      assert.deepEqual(await redis.lrange("l", 0, -1), ["a", "b"]);
    } finally {
      redis.disconnect();
    }
    child.kill("SIGINT");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    const code = await exited;
    clearTimeout(timer);
    children.delete(child);
    assert.equal(code, 0, `exit after SIGINT:\n${stdout}\n${stderr}`);
    assert.match(stdout, /Received SIGINT/);
  });
});
