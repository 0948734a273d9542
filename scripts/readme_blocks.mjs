#!/usr/bin/env node
// Prints a fenced code block of README.md chosen by its first line (a comment naming the
// file, such as `// server.mjs`), without that fence: CI writes it to a fresh project and
// runs it. With a second argument, the nth block (0-based) whose first line starts so.
//
// With --save FILE: the block whose first line is `// FILE` or `// FILE: COMMAND` is written
// to FILE (directories made as needed) and COMMAND, if any, is printed: how the README says
// to run it.
//
// Usage: node scripts/readme_blocks.mjs "// server.mjs" [n] > server.mjs
//        node scripts/readme_blocks.mjs --save test/cache.test.mjs   # prints "node --test"
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import process from "node:process";

/** The bodies of the README's js/ts fenced blocks, as arrays of lines. */
function blocks() {
  const lines = readFileSync(new URL("../README.md", import.meta.url), "utf8").split("\n");
  const found = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(js|ts|javascript|typescript)\s*$/.test(lines[i])) continue;
    let end = i + 1;
    while (end < lines.length && lines[end] !== "```") end++;
    found.push(lines.slice(i + 1, end));
    i = end;
  }
  return found;
}

function fail(message) {
  process.stderr.write(`README.md has no code block ${message}\n`);
  process.exit(1);
}

const args = process.argv.slice(2);
if (args[0] === "--save") {
  const file = args[1];
  const head = `// ${file}`;
  const body = blocks().find((lines) => lines[0] === head || lines[0]?.startsWith(head + ": "));
  if (body === undefined) fail(`whose first line is "${head}" or "${head}: command"`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, body.join("\n") + "\n");
  const command = body[0].slice(head.length + 2).trim();
  if (command !== "") process.stdout.write(command + "\n");
} else {
  const [first, nth = "0"] = args;
  const matching = blocks().filter((lines) => lines[0]?.startsWith(first));
  const body = matching[Number(nth)];
  if (body === undefined) fail(`starting with ${first}`);
  process.stdout.write(body.join("\n") + "\n");
}
