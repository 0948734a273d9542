#!/usr/bin/env node
// Runs a TypeScript entry point under the runtime that started the package script:
// `bun run start` runs it on Bun, `npm start` on Node (through tsx). npm and Bun both run
// package scripts with `node` on the PATH, so the script itself must tell them apart.
import { spawn } from "node:child_process";
import process from "node:process";

const [entry, ...rest] = process.argv.slice(2);
const agent = process.env.npm_config_user_agent ?? "";
const [command, args] = agent.startsWith("bun/") && process.env.npm_execpath
  ? [process.env.npm_execpath, [entry, ...rest]]
  : [process.execPath, ["--import", "tsx", entry, ...rest]];

const child = spawn(command, args, { stdio: "inherit" });
// Ctrl-C reaches the whole process group; the child shuts down on its own and we follow.
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => child.kill(signal));
}
// npm runs this through `sh -c`, and a SIGTERM sent to npm ends npm and that shell without
// reaching us: when our parent is gone (we were re-parented), stop the child as for SIGTERM.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) child.kill("SIGTERM");
}, 250).unref();
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
