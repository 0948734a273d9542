/**
 * The `cli.ts` entry point as a child process under the test's own runtime: banner, PING,
 * graceful exit 0 on SIGINT; a bad flag exits 1 with a message on stderr.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { connectClient } from "../helpers/client.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const isWindows = process.platform === "win32";

/** The command that runs a TypeScript file on the runtime running this test. */
function runtimeCommand(script: string): [string, string[]] {
  const g = globalThis as { Deno?: { execPath(): string }; Bun?: unknown };
  if (g.Deno !== undefined) return [g.Deno.execPath(), ["run", "-A", script]];
  if (g.Bun !== undefined) return [process.execPath, [script]];
  return [process.execPath, ["--import", "tsx", script]];
}

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: string | null }>;
}

const children: ChildProcess[] = [];
after(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
});

function start(args: string[]): Run {
  const [command, base] = runtimeCommand("cli.ts");
  const child = spawn(command, [...base, ...args], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  children.push(child);
  let out = "", err = "";
  child.stdout!.on("data", (d: Uint8Array) => out += new TextDecoder().decode(d));
  child.stderr!.on("data", (d: Uint8Array) => err += new TextDecoder().decode(d));
  const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  return { child, stdout: () => out, stderr: () => err, exit };
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function waitForBanner(run: Run): Promise<RegExpExecArray> {
  const re =
    /^rediserver \S+ \((Node|Deno|Bun) [^)]+\) listening on 127\.0\.0\.1:(\d+), pid (\d+)$/m;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const m = re.exec(run.stdout());
    if (m !== null) return m;
    if (run.child.exitCode !== null) {
      throw new Error(`cli exited early: ${run.stdout()} ${run.stderr()}`);
    }
    if (Date.now() > deadline) throw new Error(`No banner: ${run.stdout()} ${run.stderr()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("cli.ts", { skip: isWindows ? "signals differ on Windows" : false }, () => {
  it("prints a banner, serves PING and SET/GET, exits 0 on SIGINT", async () => {
    const run = start(["--port", "0"]);
    const banner = await waitForBanner(run);
    assert.equal(Number(banner[3]), run.child.pid);
    const client = await connectClient({ port: Number(banner[2]) });
    try {
      assert.equal(await client.call("PING"), "PONG");
      assert.equal(await client.call("SET", "k", "v"), "OK");
      assert.equal(await client.call("GET", "k"), "v");
    } finally {
      await client.close();
    }
    // process.kill, not child.kill: Deno's child.kill reports the signal, not the real exit.
    process.kill(run.child.pid!, "SIGINT");
    const { code } = await within(run.exit, 10_000, "exit after SIGINT");
    assert.equal(code, 0);
  });

  it("exits 0 on SIGTERM and honours --requirepass", async () => {
    const run = start(["--port=0", "--requirepass", "secret", "--maxclients", "5"]);
    const banner = await waitForBanner(run);
    const client = await connectClient({ port: Number(banner[2]) });
    try {
      const denied = await client.call("GET", "k");
      assert.match(String((denied as Error).message), /^NOAUTH/);
      assert.equal(await client.call("AUTH", "secret"), "OK");
      assert.equal(await client.call("PING"), "PONG");
    } finally {
      await client.close();
    }
    process.kill(run.child.pid!, "SIGTERM");
    const { code } = await within(run.exit, 10_000, "exit after SIGTERM");
    assert.equal(code, 0);
  });

  it("rejects a bad flag with a message on stderr and exit 1", async () => {
    for (const args of [["--nope"], ["--port", "abc"], ["--port"], ["--maxclients", "0"]]) {
      const run = start(args);
      const { code } = await within(run.exit, 20_000, `exit for ${args.join(" ")}`);
      assert.equal(code, 1, args.join(" "));
      assert.match(run.stderr(), /^rediserver: (Unknown option|Invalid value|Missing value)/m);
    }
  });

  it("--help prints usage and exits 0", async () => {
    const run = start(["--help"]);
    const { code } = await within(run.exit, 20_000, "exit for --help");
    assert.equal(code, 0);
    assert.match(run.stdout(), /^Usage: rediserver/);
  });
});
