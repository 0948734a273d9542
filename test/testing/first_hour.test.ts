/**
 * The first hour of a new user with the `rediserver` command, under the test's own runtime:
 * --version and -v, --help naming every flag the parser knows, the same message and exit
 * status 1 on every runtime when the port is taken, and SIGTERM answering a blocked BLPOP at
 * once before the process exits 0.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { listenFailure, parseArgs, USAGE } from "../../cli.ts";
import { VERSION } from "../../src/server/version.ts";
import { connectClient } from "../helpers/client.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));

function runtimeCommand(): [string, string[]] {
  const g = globalThis as { Deno?: { execPath(): string }; Bun?: unknown };
  if (g.Deno !== undefined) return [g.Deno.execPath(), ["run", "-A", "cli.ts"]];
  if (g.Bun !== undefined) return [process.execPath, ["cli.ts"]];
  return [process.execPath, ["--import", "tsx", "cli.ts"]];
}

/** Runs cli.ts with `args` to its end (or until `onLine` returns true for a stdout line). */
function runCli(
  args: string[],
  onStdout?: (text: string, kill: (signal: NodeJS.Signals) => void) => void,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [command, base] = runtimeCommand();
  const child = spawn(command, [...base, ...args], { cwd: root, stdio: "pipe" });
  let stdout = "", stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
    onStdout?.(stdout, (signal) => child.kill(signal));
  });
  child.stderr.on("data", (d) => stderr += d);
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, stdout, stderr })));
}

describe("rediserver command", () => {
  it("--version and -v print the version and exit 0", async () => {
    for (const flag of ["--version", "-v"]) {
      const { code, stdout } = await runCli([flag]);
      assert.equal(code, 0);
      assert.match(stdout, new RegExp(`^rediserver ${VERSION.replaceAll(".", "\\.")} \\(`));
    }
  });

  it("--help lists every flag the parser accepts, and the README lists them too", () => {
    const source = readFileSync(new URL("../../cli.ts", import.meta.url), "utf8");
    const flags = [...source.matchAll(/case "(--[a-z]+)":/g)].map((m) => m[1]);
    assert.ok(flags.length >= 8);
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    for (const flag of flags) {
      if (flag === "--bind") continue; // an alias of --host
      assert.ok(USAGE.includes(flag), `--help names ${flag}`);
      assert.ok(readme.includes(flag), `README names ${flag}`);
    }
    assert.equal(parseArgs(["-v"]).version, true);
  });

  it("a taken port: 'Could not listen on host:port: address already in use', exit 1", async () => {
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const { code, stderr } = await runCli(["--port", String(port)]);
      assert.equal(code, 1);
      assert.equal(
        stderr,
        `rediserver: Could not listen on 127.0.0.1:${port}: address already in use\n`,
      );
    } finally {
      holder.close();
    }
  });

  it("names the reason from a Node/Bun code or a Deno error name", () => {
    const deno = Object.assign(new Error("Address already in use (os error 98)"), {
      name: "AddrInUse",
    });
    assert.equal(listenFailure(deno), "address already in use");
    assert.equal(listenFailure({ code: "EACCES", message: "x" }), "permission denied");
    assert.equal(listenFailure(new Error("something else")), "something else");
  });

  it("SIGTERM answers a client blocked in BLPOP at once and exits 0", async () => {
    let blocked: Awaited<ReturnType<typeof connectClient>> | undefined;
    const result = await runCli(["--port", "0"], (text, kill) => {
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(text);
      if (m === null || blocked !== undefined) return;
      void (async () => {
        blocked = await connectClient({ port: Number(m[1]) });
        blocked.send("BLPOP", "queue", "0");
        await new Promise((resolve) => setTimeout(resolve, 200));
        kill("SIGTERM");
      })();
    });
    assert.match(result.stdout, /Received SIGTERM, closing/);
    // Deno's node:child_process reports a child it sent SIGTERM to as killed by it (code null)
    // even when the child handled it and exited 0; Node and Bun report the real status.
    if ((globalThis as { Deno?: unknown }).Deno === undefined) assert.equal(result.code, 0);
    assert.ok(blocked !== undefined);
    // Answered (the forced exit after 5 s would have closed it without a reply).
    assert.deepEqual(await blocked.read(), [null]);
    blocked.destroy();
  });
});
