/**
 * The README's "Start the key-value server" commands (and the echo example's), run exactly as written (from the repo
 * root, through a shell, with node_modules/.bin on the PATH) but on a free port: each must
 * print its banner on the runtime it names, answer PING, and shut down on SIGINT with exit
 * code 0 — both when SIGINT goes to the server's pid (from the banner) and on Ctrl-C (SIGINT
 * to the whole process group, as a terminal sends it).
 *
 * Each command picks its own runtime (npm → Node, deno task → Deno, bun run → Bun), so the
 * checks run once, when the test runtime is Node; Deno and Bun skip with a reason.
 * `npx rediserver` needs a packed package: covered by the packaging tests, skipped here.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { connectClient } from "../helpers/client.ts";
import { runtime, within } from "../helpers/clients.ts";
import { freePort } from "../helpers/redis_oracle.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** The commands of the README's "Start the key-value server" block, comments removed. */
function readmeStartCommands(readme: string): string[] {
  const section = readme.split(/^## /m).find((s) => s.startsWith("Start the key-value server"));
  if (section === undefined) throw new Error('README has no "Start the key-value server" section');
  const block = /```sh\n([\s\S]*?)```/.exec(section);
  if (block === null) throw new Error("No ```sh block in the README's start section");
  return block[1].split("\n").map((line) => line.replace(/\s+#.*$/, "").trim()).filter((l) =>
    l !== "" && !l.startsWith("#")
  );
}

/** The commands of the README's ```sh block that runs the echo example. */
function readmeEchoCommands(readme: string): string[] {
  const block = /```sh\n((?:[^`]*\becho\b[^`]*))```/.exec(readme);
  if (block === null) throw new Error("No ```sh block with the echo commands in the README");
  return block[1].split("\n").map((line) => line.replace(/\s+#.*$/, "").trim()).filter((l) =>
    l !== "" && !l.startsWith("#")
  );
}

/** The command on `port` instead of the README's port (6379 by default, or --port 7000). */
function onPort(command: string, port: number): string {
  if (/--port[ =]\d+/.test(command)) return command.replace(/--port([ =])\d+/, `--port$1${port}`);
  // npm needs `--` before the script's own flags (as the README's own `npm start -- --port`).
  return command.startsWith("npm ") ? `${command} -- --port ${port}` : `${command} --port ${port}`;
}

/** The runtime a README command starts the server on, as the banner names it. */
function expectedRuntime(command: string): string {
  command = command.replace(/^npx /, "");
  if (command.startsWith("deno ")) return "Deno";
  if (command.startsWith("bun ")) return "Bun";
  return "Node";
}

const skipHere = runtime !== "node"
  ? `each README command picks its own runtime: checked once, under Node (this is ${runtime})`
  : process.platform === "win32"
  ? "process groups and signals differ on Windows"
  : false;

interface Started {
  child: ChildProcess;
  output: () => string;
  exit: Promise<{ code: number | null; signal: string | null }>;
}

const started: ChildProcess[] = [];
after(() => {
  // Whatever a failed test left running: its own process group, by id.
  for (const child of started) {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch { /* already gone */ }
    }
  }
});

/**
 * The environment of a terminal: without the `npm_*` variables that `npm test` sets, which
 * `bun run` would inherit (it keeps an inherited npm_config_user_agent, and so would look
 * like npm to the start script).
 */
function terminalEnv(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.toLowerCase().startsWith("npm_")) env[name] = value;
  }
  return env;
}

function start(command: string): Started {
  // `exec`: the shell becomes the command, so that no extra shell sits in the process group
  // (a terminal's own shell is not in the foreground group that Ctrl-C reaches).
  const child = spawn("sh", ["-c", `exec ${command}`], {
    cwd: root,
    // Its own process group, so that "Ctrl-C" can reach every process of it, as in a terminal.
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...terminalEnv(),
      PATH: `${join(root, "node_modules", ".bin")}${delimiter}${process.env.PATH ?? ""}`,
      NO_COLOR: "1",
    },
  });
  started.push(child);
  let output = "";
  const decoder = new TextDecoder();
  // Printable only: a failing command may dump binary (e.g. an executable read as a script).
  const take = (d: Uint8Array) =>
    output += decoder.decode(d, { stream: true }).replace(/[^\t\n\r\x20-\x7e]/g, "?");
  child.stdout!.on("data", take);
  child.stderr!.on("data", take);
  const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  return { child, output: () => output, exit };
}

async function waitForBanner(
  run: Started,
  port: number,
  re: RegExp = new RegExp(
    String
      .raw`^rediserver \S+ \((Node|Deno|Bun) [^)]+\) listening on 127\.0\.0\.1:${port}, pid (\d+)$`,
    "m",
  ),
): Promise<RegExpExecArray> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const m = re.exec(run.output());
    if (m !== null) return m;
    if (run.child.exitCode !== null) {
      const hint = /node_modules\/deno\/deno/.test(run.output())
        ? "\n(deno task resolved `deno` to node_modules/.bin/deno, the npm package's native " +
          "binary, and ran it as a JavaScript module: denoland/deno#27114)"
        : "";
      throw new Error(
        `Exited (code ${run.child.exitCode}) before its banner:\n${run.output()}${hint}`,
      );
    }
    if (Date.now() > deadline) throw new Error(`No banner after 60 s:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function ping(port: number): Promise<void> {
  const client = await connectClient({ port });
  try {
    assert.equal(await client.call("PING"), "PONG");
    assert.equal(await client.call("SET", "readme", "works"), "OK");
    assert.equal(await client.call("GET", "readme"), "works");
  } finally {
    await client.close();
  }
}

const readme = readFileSync(join(root, "README.md"), "utf8");
const commands = readmeStartCommands(readme);

describe("README: Start the key-value server", { skip: skipHere }, () => {
  it("the block lists the commands this test knows how to run", () => {
    assert.ok(commands.length >= 5, commands.join(" | "));
    for (const c of ["npm start", "npx deno task start", "npx bun cli.ts"]) {
      assert.ok(commands.includes(c), `README lists ${c}`);
    }
  });

  for (const command of commands) {
    const npx = /^npx (?!deno |bun )/.test(command)
      ? "needs the packed npm package (covered by the packaging tests)"
      : false;

    it(
      `${command}: banner, PING, SIGINT to the server's pid -> exit 0`,
      { skip: npx, timeout: 120_000 },
      async () => {
        const port = await freePort();
        const line = onPort(command, port);
        const run = start(line);
        const banner = await waitForBanner(run, port);
        assert.equal(banner[1], expectedRuntime(command), `${line} runs on ${banner[1]}`);
        await ping(port);
        process.kill(Number(banner[2]), "SIGINT");
        const exit = await within(run.exit, 15_000, `${line} to exit after SIGINT`);
        assert.deepEqual(exit, { code: 0, signal: null }, `${line} exit; output:\n${run.output()}`);
        assert.match(run.output(), /Received SIGINT, closing/);
      },
    );

    it(
      `${command}: Ctrl-C (SIGINT to the process group) shuts it down`,
      { skip: npx, timeout: 120_000 },
      async () => {
        const port = await freePort();
        const line = onPort(command, port);
        const run = start(line);
        await waitForBanner(run, port);
        await ping(port);
        process.kill(-run.child.pid!, "SIGINT");
        const exit = await within(run.exit, 15_000, `${line} to exit after Ctrl-C`);
        assert.match(run.output(), /Received SIGINT, closing/, run.output());
        // `npm start` execs the server (package.json), so its exit is the server's; npx stays
        // the parent and re-raises SIGINT on itself once the server is done (a shell shows
        // 130). The server's own exit 0 is checked by the test above.
        const expected = command.startsWith("npx ")
          ? { code: null, signal: "SIGINT" }
          : { code: 0, signal: null };
        assert.deepEqual(exit, expected, `${line}:\n${run.output()}`);
        await assert.rejects(connectClient({ port }), /ECONNREFUSED/, "the port is closed");
      },
    );
  }
});

describe("README: the echo example", { skip: skipHere }, () => {
  const echoCommands = readmeEchoCommands(readme);

  it("the block lists the echo command for each runtime", () => {
    for (const c of ["npm run echo", "npx deno task echo", "npx bun examples/echo.ts"]) {
      assert.ok(echoCommands.some((line) => line.startsWith(c)), `README lists ${c}`);
    }
  });

  for (const command of echoCommands) {
    it(`${command}: echoes a command on its runtime, Ctrl-C stops it`, {
      timeout: 120_000,
    }, async () => {
      const port = await freePort();
      const line = onPort(command, port);
      const run = start(line);
      const banner = await waitForBanner(
        run,
        port,
        new RegExp(
          String.raw`^echo server \((Node|Deno|Bun) [^)]+\) listening on 127\.0\.0\.1:${port}$`,
          "m",
        ),
      );
      assert.equal(banner[1], expectedRuntime(command), `${line} runs on ${banner[1]}`);
      const client = await connectClient({ port });
      try {
        assert.deepEqual(await client.call("HELLO-WORLD", "a", "b"), ["HELLO-WORLD", "a", "b"]);
        assert.equal(await client.call("PING"), "PONG");
      } finally {
        await client.close();
      }
      process.kill(-run.child.pid!, "SIGINT");
      await within(run.exit, 15_000, `${line} to exit after Ctrl-C`);
      await assert.rejects(connectClient({ port }), /ECONNREFUSED/, "the port is closed");
    });
  }
});
