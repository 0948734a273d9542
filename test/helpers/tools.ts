/**
 * Finds the programs some tests need (redis-server, redis-cli, redis-benchmark): the path in
 * an environment variable (REDIS_SERVER, REDIS_CLI, REDIS_BENCHMARK), else the first match on
 * the PATH. Runs on Node, Deno and Bun.
 */
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import process from "node:process";

/**
 * The path of `name`: `process.env[variable]` when set, else the first executable `name` on
 * the PATH, else `name` itself (which `needs()` then reports as not installed).
 */
export function findTool(name: string, variable: string): string {
  const given = process.env[variable];
  if (given) return given;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch { /* not here */ }
  }
  return name;
}
