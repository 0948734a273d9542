#!/usr/bin/env node
// Prints a fenced code block of README.md chosen by its first line (a comment naming the
// file, such as `// server.mjs`), without that fence: CI writes it to a fresh project and
// runs it. With a second argument, the nth block (0-based) whose first line starts so.
//
// Usage: node scripts/readme_blocks.mjs "// server.mjs" [n] > server.mjs
import { readFileSync } from "node:fs";
import process from "node:process";

const [first, nth = "0"] = process.argv.slice(2);
const lines = readFileSync(new URL("../README.md", import.meta.url), "utf8").split("\n");
let found = 0;
for (let i = 0; i < lines.length; i++) {
  if (!/^```(js|ts|javascript|typescript)\s*$/.test(lines[i])) continue;
  let end = i + 1;
  while (end < lines.length && lines[end] !== "```") end++;
  const body = lines.slice(i + 1, end);
  if (body[0]?.startsWith(first) && found++ === Number(nth)) {
    process.stdout.write(body.join("\n") + "\n");
    process.exit(0);
  }
  i = end;
}
process.stderr.write(`README.md has no code block starting with ${first}\n`);
process.exit(1);
