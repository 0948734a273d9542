/**
 * README.md's TypeScript examples, run so that they never rot: every ```ts block is taken
 * out, its imports of the package ("rediserver", "rediserver/kv", "jsr:@rediserver/rediserver",
 * ...) are pointed at this checkout's files, fixed ports become 0, and the block runs as a
 * module on the test's runtime. `serve()` is wrapped so that each server a block starts is
 * checked (it answers PING) and then closed. The blocks are also type-checked: with tsc under
 * Node, with `deno check` under Deno (Bun has no type checker of its own).
 * (The README's shell commands are covered elsewhere.)
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import process from "node:process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { connectClient } from "../helpers/client.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const g = globalThis as { Deno?: { execPath(): string }; Bun?: unknown };
const runtime = g.Deno !== undefined ? "deno" : g.Bun !== undefined ? "bun" : "node";

interface Block {
  line: number;
  code: string;
}

/** The ```ts / ```typescript blocks of a Markdown text, with the line each starts on. */
export function tsBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(ts|typescript)\b.*$/.exec(lines[i]);
    if (open === null) continue;
    const fence = open[2];
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !lines[j].trimStart().startsWith(fence); j++) body.push(lines[j]);
    blocks.push({ line: i + 1, code: body.join("\n") + "\n" });
    i = j;
  }
  return blocks;
}

const deno = JSON.parse(readFileSync(join(root, "deno.json"), "utf8"));
const exportsMap = deno.exports as Record<string, string>; // "./kv" -> "./src/kv/mod.ts"

/** "rediserver/kv", "jsr:@rediserver/rediserver@^0.1/kv", ... -> the export key ("./kv"). */
export function exportKey(specifier: string): string | undefined {
  const m = /^(?:rediserver|(?:jsr:|npm:)@?rediserver(?:\/rediserver)?(?:@[^/]+)?)(\/.+)?$/
    .exec(specifier);
  if (m === null) return undefined;
  return m[1] === undefined ? "." : `.${m[1]}`;
}

/** Rewrites a block's package imports to the shims, and fixed ports to 0. */
export function rewrite(code: string, shimFor: (key: string) => string): string {
  return code
    .replace(
      /(\bfrom\s*|\bimport\s*\(\s*|^\s*import\s*)(["'])([^"']+)\2/gm,
      (all, head: string, quote: string, specifier: string) => {
        const key = exportKey(specifier);
        if (key === undefined) return all;
        if (!(key in exportsMap)) throw new Error(`README imports "${specifier}": no such export`);
        return `${head}${quote}${shimFor(key)}${quote}`;
      },
    )
    .replace(/\bport:\s*\d+/g, "port: 0");
}

const blocks = tsBlocks(readFileSync(join(root, "README.md"), "utf8"));
const dir = join(root, ".tmp", `docs_readme_${runtime}_${process.pid}`);
const shimName = (key: string): string =>
  `./shim_${key === "." ? "root" : key.slice(2).replace(/\W/g, "_")}.ts`;
const blockFile = (i: number): string => join(dir, `readme_block_${i + 1}.ts`);

interface Running {
  readonly address: { transport: string; port?: number };
  readonly server: { close(): Promise<void> };
  close(): Promise<void>;
}

describe("README.md examples", () => {
  before(async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "track.ts"),
      `/** Servers the README blocks started. */\n` +
        `export const started: { close(): Promise<void>; server: { close(): Promise<void> } }[] = [];\n`,
    );
    for (const [key, target] of Object.entries(exportsMap)) {
      const source = relative(dir, join(root, target)).replaceAll("\\", "/");
      const mod = await import(pathToFileURL(join(root, target)).href);
      let text = `export * from "${source}";\n`;
      if (typeof mod.serve === "function") {
        text += `import * as real from "${source}";\n` +
          `import { started } from "./track.ts";\n` +
          `/** The real serve(), remembering what it started so that the test can close it. */\n` +
          `export const serve: typeof real.serve = async (options) => {\n` +
          `  const running = await real.serve(options);\n` +
          `  started.push(running);\n` +
          `  return running;\n` +
          `};\n`;
      }
      writeFileSync(join(dir, shimName(key)), text);
    }
    blocks.forEach((block, i) => writeFileSync(blockFile(i), rewrite(block.code, shimName)));
  });

  after(async () => {
    const { started } = await import(pathToFileURL(join(dir, "track.ts")).href);
    for (const running of started.splice(0)) await running.server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("has examples, and they import only what the package exports", () => {
    assert.ok(blocks.length >= 2, "README.md has ts examples");
    for (const block of blocks) {
      assert.match(block.code, /from "rediserver(\/[a-z/]+)?"/, `block at line ${block.line}`);
      assert.doesNotThrow(() => rewrite(block.code, shimName), `block at line ${block.line}`);
    }
  });

  it("the import rewriting understands npm, jsr and subpath specifiers", () => {
    assert.equal(exportKey("rediserver"), ".");
    assert.equal(exportKey("rediserver/adapters/node"), "./adapters/node");
    assert.equal(exportKey("jsr:@rediserver/rediserver"), ".");
    assert.equal(exportKey("jsr:@rediserver/rediserver@^0.1.0/kv"), "./kv");
    assert.equal(exportKey("npm:rediserver/resp"), "./resp");
    assert.equal(exportKey("ioredis"), undefined);
    assert.equal(exportKey("rediserver-extra"), undefined);
    assert.equal(
      rewrite(`import { serve } from "rediserver";\nawait serve({ port: 6380 });\n`, shimName),
      `import { serve } from "./shim_root.ts";\nawait serve({ port: 0 });\n`,
    );
    assert.throws(
      () => rewrite(`import { x } from "rediserver/nope";`, shimName),
      /no such export/,
    );
  });

  for (const [i, block] of blocks.entries()) {
    it(`block ${i + 1} (README.md line ${block.line}) runs on ${runtime}`, async () => {
      const { started } = await import(pathToFileURL(join(dir, "track.ts")).href);
      const before = started.length;
      await import(pathToFileURL(blockFile(i)).href);
      const mine = (started as Running[]).slice(before);
      try {
        // A server the example starts must serve: PING over TCP.
        for (const running of mine) {
          if (running.address.transport !== "tcp") continue;
          const client = await connectClient({ port: running.address.port! });
          try {
            assert.equal(await client.call("PING"), "PONG");
          } finally {
            await client.close();
          }
        }
      } finally {
        for (const running of mine) {
          started.splice(started.indexOf(running), 1);
          await running.server.close();
        }
      }
    });
  }

  it(`the blocks type-check (${runtime === "deno" ? "deno check" : "tsc"})`, {
    skip: runtime === "bun" ? "Bun has no type checker: tsc checks them under Node" : false,
  }, () => {
    const files = blocks.map((_, i) => blockFile(i));
    const result = runtime === "deno"
      ? spawnSync(g.Deno!.execPath(), ["check", ...files], { cwd: root, encoding: "utf8" })
      : spawnSync(process.execPath, [
        join(root, "node_modules/typescript/bin/tsc"),
        "--ignoreConfig",
        "--noEmit",
        "--strict",
        "--target",
        "ES2022",
        "--module",
        "NodeNext",
        "--moduleResolution",
        "NodeNext",
        "--lib",
        "ES2023,DOM",
        "--types",
        "node",
        "--skipLibCheck",
        "--allowImportingTsExtensions",
        ...files,
      ], { cwd: root, encoding: "utf8", timeout: 120_000 });
    assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
  });
});
